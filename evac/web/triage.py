"""Triage pages: the queue of cases waiting for triage, and the triage form of a case."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from evac import triage as rules
from evac.models.types import utcnow
from evac.services import cases as case_service
from evac.services import triage as triage_service
from evac.services.errors import InvalidInput
from evac.terms import BedCategory, MdroStatus, Mobility, Urgency, choices, label
from evac.web.access import PLACING, roles_required

bp = Blueprint("triage", __name__)

YES_NO_NOT_KNOWN = (("", _l("Not known")), ("yes", _l("Yes")), ("no", _l("No")))
# Facts the sender may not have given: "not known" is kept, never taken for "no".
MAYBE_KNOWN = ("ventilated", "fit_to_fly")


class TriageForm(FlaskForm):
    bed_category = SelectField(_l("Bed category"), choices=lambda: choices(BedCategory))
    urgency = SelectField(_l("Urgency"), choices=lambda: choices(Urgency))
    mobility = SelectField(_l("Mobility"), choices=lambda: choices(Mobility))
    ventilated = SelectField(_l("Ventilated"), choices=YES_NO_NOT_KNOWN)
    oxygen_l_min = DecimalField(
        _l("Oxygen (l/min)"), validators=[Optional(), NumberRange(0, 60)], places=1
    )
    isolation_required = BooleanField(_l("Isolation required"))
    mdro_status = SelectField(_l("MDRO status"), choices=lambda: choices(MdroStatus))
    companions_count = IntegerField(
        _l("Companions (number)"), validators=[Optional(), NumberRange(0, 10)], default=0
    )
    companions_need_lodging = BooleanField(_l("Companions need lodging"))
    languages = StringField(_l("Languages (codes, separated by ;)"))
    interpreter_needed = BooleanField(_l("Interpreter needed"))
    fit_to_fly = SelectField(_l("Fit to fly"), choices=YES_NO_NOT_KNOWN)
    clinical_notes = TextAreaField(_l("Clinical notes"))

    def fill(self, values: triage_service.TriageInput) -> None:
        for name in triage_service.TriageInput.__dataclass_fields__:
            value = getattr(values, name)
            if name == "languages":
                value = ";".join(value)
            elif name in MAYBE_KNOWN:
                value = "" if value is None else ("yes" if value else "no")
            getattr(self, name).data = value

    def values(self) -> triage_service.TriageInput:
        known = {
            name: None if getattr(self, name).data == "" else getattr(self, name).data == "yes"
            for name in MAYBE_KNOWN
        }
        return triage_service.TriageInput(
            bed_category=self.bed_category.data,
            urgency=self.urgency.data,
            mobility=self.mobility.data,
            ventilated=known["ventilated"],
            oxygen_l_min=float(self.oxygen_l_min.data) if self.oxygen_l_min.data else None,
            isolation_required=self.isolation_required.data,
            mdro_status=self.mdro_status.data,
            companions_count=self.companions_count.data or 0,
            companions_need_lodging=self.companions_need_lodging.data,
            languages=tuple(
                code.strip().lower()
                for code in (self.languages.data or "").split(";")
                if code.strip()
            ),
            interpreter_needed=self.interpreter_needed.data,
            fit_to_fly=known["fit_to_fly"],
            clinical_notes=(self.clinical_notes.data or "").strip() or None,
        )


def suggestion_label(name: str, value: object) -> str:
    enum = {"bed_category": BedCategory, "mobility": Mobility, "urgency": Urgency}.get(name)
    return label(enum(value)) if enum else label(value)


@bp.get("/triage/")
@roles_required(*PLACING)
def queue():
    return render_template(
        "triage/queue.html", cases=triage_service.waiting_for_triage(current_user), now=utcnow()
    )


@bp.route("/cases/<reference>/triage", methods=["GET", "POST"])
@roles_required(*PLACING)
def triage_case(reference: str):
    case = case_service.get_case(current_user, reference)
    form = TriageForm()
    status = 200
    was_waiting = case.status == "received"
    if form.validate_on_submit():
        try:
            triage_service.triage_case(current_user, reference, form.values())
        except InvalidInput as exc:
            for p in exc.problems:
                getattr(form, p.field).errors = [*getattr(form, p.field).errors, p.message]
            status = 422
        else:
            link = Markup('<a href="{}">{}</a>').format(
                url_for("cases.detail", reference=reference), reference
            )
            flash(Markup(_("Case %(reference)s is triaged.", reference=link)), "success")
            # From the queue, straight on to the next waiting case.
            following = (
                triage_service.waiting_for_triage(current_user, limit=1) if was_waiting else []
            )
            if following:
                return redirect(url_for("triage.triage_case", reference=following[0].reference))
            return redirect(url_for("cases.detail", reference=reference))
    elif form.is_submitted():
        status = 422
    else:
        form.fill(triage_service.starting_values(case))
    suggestion = triage_service.suggestion_for(case)
    return (
        render_template(
            "triage/form.html",
            case=case,
            form=form,
            suggestion=suggestion,
            rule_text=rules.rule_text,
            suggestion_label=suggestion_label,
            alerts=[a.text for a in case_service.case_alerts(case)],
        ),
        status,
    )
