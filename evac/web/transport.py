"""Transport pages: flights and the arrival board, putting patients on a flight, legs,
confirming arrival, closing a case, and planning a return transfer."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from evac.models.types import utcnow
from evac.services import transport as transport_service
from evac.services.errors import InvalidInput
from evac.terms import FlightStatus, Role, label
from evac.web.access import COORDINATING, OVERSIGHT, roles_required

bp = Blueprint("transport", __name__)


def local_time(value: datetime | None) -> datetime | None:
    """A datetime-local input is wall time in the centre's zone."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _time_field(name: str) -> datetime | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return local_time(datetime.fromisoformat(raw))
    except ValueError:
        raise InvalidInput([]) from None


class FlightForm(FlaskForm):
    code = StringField(_l("Flight"), validators=[DataRequired(), Length(max=40)])
    operator = StringField(
        _l("Operator"),
        validators=[Length(max=200)],
        default="SAS / Norwegian Armed Forces (medevac)",
    )
    departure_place = StringField(
        _l("From"), validators=[Length(max=200)], default=transport_service.HUB
    )
    arrival_airport = SelectField(
        _l("Arrival airport"),
        choices=[(k, v[0]) for k, v in transport_service.AIRPORTS.items()],
        default=transport_service.DEFAULT_AIRPORT,
    )
    planned_departure = DateTimeLocalField(_l("Planned departure"), validators=[Optional()])
    planned_arrival = DateTimeLocalField(_l("Planned arrival"), validators=[Optional()])
    stretcher_places = IntegerField(
        _l("Stretcher places"), validators=[NumberRange(0, 400)], default=18
    )
    seated_places = IntegerField(_l("Seated places"), validators=[NumberRange(0, 400)], default=39)
    notes = TextAreaField(_l("Notes"))


@bp.get("/flights/")
@roles_required(*OVERSIGHT)
def flights():
    return render_template(
        "transport/flights.html",
        flights=transport_service.flights(
            current_user, include_past=request.args.get("all") == "1"
        ),
    )


@bp.route("/flights/new", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def new_flight():
    form = FlightForm()
    status = 200
    if form.validate_on_submit():
        data = transport_service.FlightInput(
            code=form.code.data, operator=form.operator.data or "", departure_place=form.departure_place.data or "",
            arrival_airport=form.arrival_airport.data, planned_departure=local_time(form.planned_departure.data),
            planned_arrival=local_time(form.planned_arrival.data), stretcher_places=form.stretcher_places.data,
            seated_places=form.seated_places.data, notes=form.notes.data or None,
        )  # fmt: skip
        try:
            flight = transport_service.create_flight(current_user, data)
        except InvalidInput as exc:
            for p in exc.problems:
                getattr(form, p.field).errors = [*getattr(form, p.field).errors, p.message]
            status = 422
        else:
            flash(_("Flight %(code)s is planned.", code=flight.code), "success")
            return redirect(url_for("transport.flight", flight_id=flight.id))
    elif form.is_submitted():
        status = 422
    return render_template("transport/new_flight.html", form=form), status


@bp.get("/flights/<int:flight_id>")
@roles_required(*OVERSIGHT)
def flight(flight_id: int):
    flight = transport_service.get_flight(current_user, flight_id)
    rows = transport_service.arrival_board(flight)
    return render_template(
        "transport/flight.html",
        flight=flight,
        rows=rows,
        places=transport_service.places_needed([r.case for r in rows]),
        candidates=transport_service.flight_candidates(current_user)
        if current_user.is_coordinating
        else [],
        now=utcnow(),
        may_reinstate=transport_service.may_reinstate(flight),
    )


@bp.post("/flights/<int:flight_id>/status")
@roles_required(*COORDINATING)
def flight_status(flight_id: int):
    if FlaskForm().validate_on_submit():
        try:
            flight = transport_service.set_flight_status(
                current_user,
                flight_id,
                request.form.get("status", ""),
                reason=request.form.get("reason"),
                override=request.form.get("override") == "1",
            )
        except InvalidInput as exc:
            for p in exc.problems:
                flash(p.message, "error")
            return redirect(url_for("transport.flight", flight_id=flight_id))
        flash(
            _(
                "Flight %(code)s: %(status)s.",
                code=flight.code,
                status=label(FlightStatus(flight.status)),
            ),
            "success",
        )
    return redirect(url_for("transport.flight", flight_id=flight_id))


@bp.post("/cases/<reference>/fitness")
@roles_required(*COORDINATING)
def confirm_fitness(reference: str):
    if FlaskForm().validate_on_submit():
        try:
            transport_service.confirm_fitness(current_user, reference, transport_service.FitnessInput(
                physician=request.form.get("physician", ""), equipment=request.form.get("equipment", ""),
                attendants=request.form.get("attendants", "")))  # fmt: skip
        except InvalidInput as exc:
            for p in exc.problems:
                flash(p.message, "error")
        else:
            flash(_("Case %(reference)s is confirmed fit to fly.", reference=reference), "success")
    return redirect(url_for("cases.detail", reference=reference, _anchor="transport"))


@bp.post("/flights/<int:flight_id>/reinstate")
@roles_required(*COORDINATING)
def reinstate_flight(flight_id: int):
    if FlaskForm().validate_on_submit():
        done = transport_service.reinstate_flight(current_user, flight_id)
        flash(_("Flight %(code)s is planned again.", code=done.flight.code), "success")
        if done.back:
            flash(_("Back on board: %(references)s.", references=", ".join(done.back)), "success")
        if done.left:
            flash(_("Not put back (cancelled, on another flight, or no room): %(references)s.",
                    references=", ".join(done.left)), "info")  # fmt: skip
    return redirect(url_for("transport.flight", flight_id=flight_id))


@bp.post("/flights/<int:flight_id>/cases")
@roles_required(*COORDINATING)
def add_to_flight(flight_id: int):
    if FlaskForm().validate_on_submit():
        references = request.form.getlist("reference")
        for reference in references:
            transport_service.put_on_flight(current_user, reference, flight_id)
        if references:
            flash(ngettext_cases(len(references)), "success")
        else:
            flash(_("Tick the patients to put on the flight first."), "error")
    return redirect(url_for("transport.flight", flight_id=flight_id))


def ngettext_cases(n: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d patient put on the flight.", "%(num)d patients put on the flight.", n)


@bp.post("/cases/<reference>/flight/remove")
@roles_required(*COORDINATING)
def remove_from_flight(reference: str):
    if FlaskForm().validate_on_submit():
        transport_service.remove_from_flight(current_user, reference)
        flash(_("Case %(reference)s was taken off the flight.", reference=reference), "info")
    return redirect(request.referrer or url_for("cases.detail", reference=reference))


@bp.post("/legs/<int:leg_id>")
@roles_required(*COORDINATING)
def record_leg(leg_id: int):
    if FlaskForm().validate_on_submit():
        event = request.form.get("event")
        at = _time_field("at") or utcnow()
        leg = transport_service.record_leg(
            current_user, leg_id,
            departed=at if event == "departed" else None,
            arrived=at if event == "arrived" else None,
            carrier=request.form.get("carrier"),
        )  # fmt: skip
        flash(_("Transport of %(reference)s updated.", reference=leg.case.reference), "success")
    return redirect(request.referrer or url_for("transport.flights"))


@bp.post("/cases/<reference>/legs")
@roles_required(*COORDINATING)
def add_leg(reference: str):
    if FlaskForm().validate_on_submit():
        try:
            transport_service.add_leg(
                current_user, reference,
                transport_service.LegInput(
                    mode=request.form.get("mode", ""), from_place=request.form.get("from_place", ""),
                    to_place=request.form.get("to_place", ""), carrier=request.form.get("carrier"),
                    planned_departure=_time_field("planned_departure"),
                ),
            )  # fmt: skip
        except InvalidInput as exc:
            for p in exc.problems or []:
                flash(p.message, "error")
        else:
            flash(_("The leg was added."), "success")
    return redirect(url_for("cases.detail", reference=reference) + "#transport")


@bp.post("/cases/<reference>/arrival")
@roles_required(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def confirm_arrival(reference: str):
    if FlaskForm().validate_on_submit():
        try:
            transport_service.confirm_arrival(current_user, reference, _time_field("at"))
        except InvalidInput as exc:
            for p in exc.problems or []:
                flash(p.message, "error")
        else:
            flash(_("Arrival of %(reference)s is confirmed.", reference=reference), "success")
    return redirect(request.referrer or url_for("cases.detail", reference=reference))


@bp.post("/cases/<reference>/close")
@roles_required(*COORDINATING)
def close(reference: str):
    if FlaskForm().validate_on_submit():
        raw = (request.form.get("on") or "").strip()
        try:
            on = date.fromisoformat(raw) if raw else None
            transport_service.close_case(current_user, reference, request.form.get("outcome", ""), on,
                                         request.form.get("note"))  # fmt: skip
        except (ValueError, InvalidInput) as exc:
            for p in getattr(exc, "problems", None) or [None]:
                flash(p.message if p else _("The date is not valid."), "error")
        else:
            flash(_("Case %(reference)s is closed.", reference=reference), "success")
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/cases/<reference>/return")
@roles_required(*COORDINATING)
def plan_return(reference: str):
    if FlaskForm().validate_on_submit():
        data = transport_service.ReturnInput(
            destination=request.form.get("destination", ""), region_code=request.form.get("region_code") or None,
            country=request.form.get("country"), facility=request.form.get("facility"),
            urgency=request.form.get("urgency", "routine"), notes=request.form.get("notes") or None,
        )  # fmt: skip
        try:
            back = transport_service.plan_return(current_user, reference, data)
        except InvalidInput as exc:
            for p in exc.problems:
                flash(p.message, "error")
        else:
            flash(
                _("Return transfer %(reference)s was created.", reference=back.reference), "success"
            )
            return redirect(url_for("cases.detail", reference=back.reference))
    return redirect(url_for("cases.detail", reference=reference) + "#transport")
