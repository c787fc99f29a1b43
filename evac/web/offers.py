"""The coordinator's side of offers: offer a case to a hospital by hand, withdraw an offer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from evac.services import offers as offer_service
from evac.services.errors import InvalidInput
from evac.web.access import PLACING, roles_required

bp = Blueprint("offers", __name__)


def _deadline(raw: str | None) -> datetime | None:
    """The deadline typed in the browser (Amsterdam wall time), or None for the default."""
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([]) from None
    return local.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


@bp.post("/cases/<reference>/offers")
@roles_required(*PLACING)
def make(reference: str):
    if FlaskForm().validate_on_submit():
        try:
            offer = offer_service.make_offer(
                current_user,
                reference,
                request.form.get("hospital", ""),
                deadline=_deadline(request.form.get("deadline")),
            )
        except InvalidInput as exc:
            for p in exc.problems or []:
                flash(p.message, "error")
            if not exc.problems:
                flash(_("The deadline is not a date and time."), "error")
        else:
            flash(_("Offered to %(hospital)s.", hospital=offer.hospital.name), "success")
    return redirect(url_for("cases.detail", reference=reference) + "#offers")


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required(*PLACING)
def withdraw(offer_id: int):
    offer = offer_service.get_offer(current_user, offer_id)
    if FlaskForm().validate_on_submit():
        offer_service.withdraw_offer(current_user, offer_id, request.form.get("reason", ""))
        flash(_("The offer was withdrawn."), "info")
    return redirect(url_for("cases.detail", reference=offer.case.reference) + "#offers")
