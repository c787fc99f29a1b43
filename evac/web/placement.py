"""Placement pages: propose hospitals for one case, a selection or a flight; show the proposal
ranked and explained; recompute it live when a coordinator overrides a row; make the offers;
download the instance. And the admin page for the weights and the offer deadlines."""

from __future__ import annotations

import json
import math

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from evac.services import placement as placement_service
from evac.services import settings as settings_service
from evac.services.errors import InvalidInput, Problem
from evac.terms import Role
from evac.web.access import COORDINATING, PLACING, roles_required

bp = Blueprint("placement", __name__)

NO_HOSPITAL = ""


@bp.post("/cases/<reference>/placement")
@roles_required(*PLACING)
def propose_case(reference: str):
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("cases.detail", reference=reference))
    proposal = placement_service.propose(current_user, [reference])
    return redirect(url_for("placement.proposal", proposal_id=proposal.id))


@bp.post("/cases/<reference>/own-region")
@roles_required(*COORDINATING)
def own_region(reference: str):
    if FlaskForm().validate_on_submit():
        allowed = request.form.get("allowed") == "1"
        placement_service.allow_own_region(current_user, reference, allowed)
        if allowed:
            flash(_("Placement may now use the sending region too."), "info")
        else:
            flash(_("Placement leaves the sending region out."), "info")
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/placement/batch")
@roles_required(*COORDINATING)
def propose_batch():
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("cases.board"))
    try:
        proposal = placement_service.propose(current_user, request.form.getlist("reference"))
    except InvalidInput as exc:
        for p in exc.problems:
            flash(p.message, "error")
        return redirect(request.referrer or url_for("cases.board"))
    return redirect(url_for("placement.proposal", proposal_id=proposal.id))


@bp.post("/flights/<int:flight_id>/placement")
@roles_required(*COORDINATING)
def propose_flight(flight_id: int):
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("transport.flight", flight_id=flight_id))
    try:
        proposal = placement_service.propose(current_user, [], flight_id=flight_id)
    except InvalidInput:
        flash(_("No patient of this flight is waiting for placement."), "info")
        return redirect(url_for("transport.flight", flight_id=flight_id))
    return redirect(url_for("placement.proposal", proposal_id=proposal.id))


def explanation(details: dict) -> str:
    """The engine's explanation in the reader's language."""
    if not details["placed"]:
        reasons = {
            "no_free_bed": _("No hospital has a free bed of this category."),
            "no_isolation_room": _("No hospital with a free bed of this category has an isolation room free."),
            "no_negative_pressure_room": _("No hospital with a free bed of this category has a negative-pressure room free (airborne isolation)."),
            "group_cannot_stay_together": _("No hospital can take the whole group together."),
            "excluded_regions": _("The only hospitals with room are excluded for this patient (its own region, or they declined)."),
            "capacity_used_by_more_urgent": _("The free beds went to more urgent patients."),
            "cheaper_to_leave_unplaced": _("Every hospital with room would cost more than waiting for the next round."),
        }  # fmt: skip
        return reasons[details["reason"]]
    text = _("%(km)s km away", km=f"{details['km']:.0f}")
    if details["occupancy_before"] is not None:
        text += "; " + _(
            "region %(region)s goes from %(before)s to %(after)s occupancy in this category",
            region=details["region"],
            before=format_percent(details["occupancy_before"]),
            after=format_percent(details["occupancy_after"]),
        )
    others = [a for a in details.get("alternatives", []) if not a["full"]]
    if others:
        text += "; " + _(
            "next best: %(options)s",
            options=", ".join(f"{a['hospital']} (+{a['extra_cost']:.0f})" for a in others),
        )
    return text + "."


@bp.get("/placement/proposals/<int:proposal_id>")
@roles_required(*PLACING)
def proposal(proposal_id: int):
    view = placement_service.proposal_view(current_user, proposal_id)
    return render_template(
        "placement/proposal.html",
        view=view,
        proposal=view.proposal,
        explanation=explanation,
        form=FlaskForm(),
    )


def _choices() -> dict[str, str | None]:
    return {
        key[len("choice-") :]: (value or None)
        for key, value in request.values.items()
        if key.startswith("choice-")
    }


@bp.get("/placement/proposals/<int:proposal_id>/evaluate")
@roles_required(*PLACING)
def evaluate(proposal_id: int):
    proposal = placement_service.get_proposal(current_user, proposal_id)
    result = placement_service.evaluate(proposal, _choices())
    return jsonify(
        {
            "objective": None if math.isnan(result.objective) else round(result.objective, 1),
            "feasible": not result.problems,
            "problems": result.problems,
            "regions": result.regions,
        }
    )


@bp.post("/placement/proposals/<int:proposal_id>/offers")
@roles_required(*PLACING)
def make_offers(proposal_id: int):
    if FlaskForm().validate_on_submit():
        try:
            made = placement_service.make_offers(current_user, proposal_id, _choices())
        except InvalidInput as exc:
            for p in exc.problems:
                flash(p.message, "error")
            return redirect(url_for("placement.proposal", proposal_id=proposal_id))
        from flask_babel import ngettext

        flash(ngettext("%(num)d offer made.", "%(num)d offers made.", len(made)), "success")
        if len(made) == 1:
            return redirect(url_for("cases.detail", reference=made[0].case.reference))
    proposal = placement_service.get_proposal(current_user, proposal_id)
    if proposal.flight_id:
        return redirect(url_for("transport.flight", flight_id=proposal.flight_id))
    return redirect(url_for("cases.board"))


@bp.get("/placement/proposals/<int:proposal_id>/instance.json")
@roles_required(*PLACING)
def instance(proposal_id: int):
    proposal = placement_service.get_proposal(current_user, proposal_id)
    return Response(
        json.dumps(proposal.instance, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=placement-{proposal.id}.json"},
    )


# ---------------------------------------------------------------------------------------------
# Settings


@bp.route("/admin/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_settings():
    form = FlaskForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        weights, deadlines, spreading, problems = _settings_from(request.form)
        if not problems:
            settings_service.put(current_user, "placement_weights", weights)
            settings_service.put(current_user, "offer_deadline_hours", deadlines)
            settings_service.put(current_user, "spreading", spreading)
            flash(_("Settings saved."), "success")
            return redirect(url_for("placement.admin_settings"))
    return render_template(
        "placement/settings.html",
        form=form,
        weights=settings_service.get("placement_weights"),
        deadlines=settings_service.get("offer_deadline_hours"),
        spreading=settings_service.get("spreading"),
        problems=problems,
    ), 422 if problems else 200


def _settings_from(form) -> tuple[dict, dict, dict, list[Problem]]:
    problems = []

    def number(name: str, low: float, high: float) -> float:
        try:
            value = float((form.get(name) or "").replace(",", "."))
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            problems.append(
                Problem(
                    name,
                    _(
                        "%(field)s must lie between %(low)s and %(high)s.",
                        field=name,
                        low=low,
                        high=high,
                    ),
                )
            )
        return value

    weights = {
        "distance_per_km": number("distance_per_km", 0, 100),
        "load": number("load", 0, 100000),
        "unplaced": {str(p): number(f"unplaced_{p}", 0, 1000000) for p in (1, 2, 3)},
    }
    deadlines = {u: number(f"deadline_{u}", 0.25, 168) for u in ("immediate", "urgent", "routine")}
    spreading = {
        "alert_points": number("alert_points", 1, 100),
        "home_below": number("home_below", 1, 100) / 100,
        "weights": {
            "load": number("spread_load", 0, 100000),
            "per_transfer": number("per_transfer", 0, 10000),
            "per_km": number("per_km", 0, 100),
        },
    }
    return weights, deadlines, spreading, problems
