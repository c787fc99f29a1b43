"""The hospital portal: a hospital's pending offers (most urgent first, with their deadline),
the summary needed to decide, accepting or declining, and its accepted and arriving patients."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from evac import access
from evac.models.types import utcnow
from evac.services import cases as case_service
from evac.services import offers as offer_service
from evac.services import transport as transport_service
from evac.services.errors import InvalidInput
from evac.terms import DeclineReason, Role, choices
from evac.web.access import roles_required

bp = Blueprint("hospital", __name__, url_prefix="/hospital")


class AcceptForm(FlaskForm):
    ward = StringField(_l("Ward"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200)])
    contact_phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=50)])
    admission_from = DateTimeLocalField(_l("Admission from"), validators=[Optional()])
    admission_until = DateTimeLocalField(_l("Admission until"), validators=[Optional()])


class DeclineForm(FlaskForm):
    reason = SelectField(
        _l("Reason"),
        choices=lambda: [("", _("Choose a reason")), *choices(DeclineReason)],
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Explanation"), validators=[Length(max=1000)])


@bp.get("/")
@roles_required(Role.HOSPITAL)
def portal():
    offers = offer_service.offers_for(current_user)
    return render_template(
        "hospital/portal.html",
        pending=[o for o in offers if o.status == "pending"],
        patients=offer_service.patients_at(current_user),
        recent=[o for o in offers if o.status != "pending"][:20],
        now=utcnow(),
        expected_arrival=transport_service.expected_arrival,
    )


@bp.get("/offers/<int:offer_id>")
@roles_required(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def offer(offer_id: int):
    offer = offer_service.get_offer(current_user, offer_id)
    return _offer_page(offer, AcceptForm(), DeclineForm())


def _offer_page(offer, accept_form, decline_form, status: int = 200):
    return (
        render_template(
            "hospital/offer.html",
            offer=offer,
            # Once an offer is declined, expired or withdrawn the hospital keeps its answer on
            # record but no longer sees the patient (the access policy says NONE).
            summary=case_service.offer_summary(offer.case)
            if access.detail_for(current_user, offer.case) != access.Detail.NONE
            else None,
            accept_form=accept_form,
            decline_form=decline_form,
            now=utcnow(),
        ),
        status,
    )


def _local(value: datetime | None) -> datetime | None:
    """A datetime-local field is Amsterdam wall time; store it as UTC."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(value.date(), value.time(), tzinfo=zone)


@bp.post("/offers/<int:offer_id>/accept")
@roles_required(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def accept(offer_id: int):
    form = AcceptForm()
    if form.validate_on_submit():
        acceptance = offer_service.Acceptance(
            ward=form.ward.data,
            contact_name=form.contact_name.data,
            contact_phone=form.contact_phone.data,
            admission_from=_local(form.admission_from.data),
            admission_until=_local(form.admission_until.data),
        )
        try:
            offer = offer_service.accept_offer(current_user, offer_id, acceptance)
        except InvalidInput as exc:
            for p in exc.problems:
                getattr(form, p.field).errors = [*getattr(form, p.field).errors, p.message]
        else:
            flash(
                _(
                    "You accepted the patient of case %(reference)s.",
                    reference=offer.case.reference,
                ),
                "success",
            )
            return redirect(url_for("cases.detail", reference=offer.case.reference))
    offer = offer_service.get_offer(current_user, offer_id)
    return _offer_page(offer, form, DeclineForm(formdata=None), 422)


@bp.post("/offers/<int:offer_id>/decline")
@roles_required(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def decline(offer_id: int):
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            offer = offer_service.decline_offer(
                current_user, offer_id, form.reason.data, form.note.data
            )
        except InvalidInput as exc:
            for p in exc.problems:
                getattr(form, p.field).errors = [*getattr(form, p.field).errors, p.message]
        else:
            flash(_("You declined case %(reference)s.", reference=offer.case.reference), "info")
            if current_user.has_role(Role.HOSPITAL):
                return redirect(url_for("hospital.portal"))
            return redirect(url_for("cases.detail", reference=offer.case.reference))
    offer = offer_service.get_offer(current_user, offer_id)
    return _offer_page(offer, AcceptForm(formdata=None), form, 422)
