"""Spreading pages: the plan beside the map (arrows from region to region with counts), counts
changed by hand and recomputed live, the plan turned into transfer requests for the sending
regions, the regions naming the patients, and patients brought back to their home region."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from evac.services import registry
from evac.services import spreading as spreading_service
from evac.services.errors import InvalidInput
from evac.terms import BedCategory, Mobility, Role, Sex, Urgency, choices, label
from evac.web.access import COORDINATING, PLACING, roles_required
from evac.web.capacity import NL_OUTLINE_PATH, occupancy_class, project

bp = Blueprint("spreading", __name__, url_prefix="/spreading")


@bp.get("/")
@roles_required(*PLACING)
def index():
    plans = spreading_service.recent_plans(current_user)
    return render_template(
        "spreading/index.html",
        alerts=spreading_service.spread_alerts()
        if not current_user.has_role(Role.REGIONAL)
        else [],
        plans=plans,
        quotas=spreading_service.quotas_for(current_user),
    )


@bp.post("/plans")
@roles_required(*PLACING)
def propose():
    plan = spreading_service.propose_plan(current_user)
    return redirect(url_for("spreading.plan", plan_id=plan.id))


def _counts_from(source) -> dict[str, str]:
    return {k[len("n|") :]: v for k, v in source.items() if k.startswith("n|")}


def _describe(problem: dict) -> str:
    """A feasibility problem of a changed plan, in the coordinator's words."""
    category = label(BedCategory(problem["category"])) if problem.get("category") in {
        c.value for c in BedCategory} else problem.get("category", "")  # fmt: skip
    code = problem["code"]
    if code == "send_limit":
        return _("%(unit)s can send %(limit)d %(category)s patients today, not %(n)d.",
                 unit=problem["unit"], limit=problem["limit"], category=category,
                 n=problem["patients"])  # fmt: skip
    if code == "receive_limit":
        return _("%(unit)s can receive %(limit)d %(category)s patients today, not %(n)d.",
                 unit=problem["unit"], limit=problem["limit"], category=category,
                 n=problem["patients"])  # fmt: skip
    if code == "over_capacity":
        return _("%(unit)s would be fuller than its %(capacity)d %(category)s beds.",
                 unit=problem["unit"], capacity=problem["capacity"], category=category)  # fmt: skip
    if code == "no_beds":
        return _("%(unit)s has no %(category)s beds.", unit=problem["unit"], category=category)
    return _("A move names an unknown unit.")


def _map(plan, moves) -> dict:
    """Units as dots and moves as arrows, in the capacity map's projection."""
    units = {u["code"]: u for u in plan.instance["units"]}
    dots = []
    for code, u in units.items():
        x, y = project(u["lat"], u["lon"])
        beds = u["beds"]
        total_cap = sum(b["capacity"] for b in beds.values())
        total_occ = sum(b["occupied"] for b in beds.values())
        fraction = total_occ / total_cap if total_cap else None
        dots.append(
            {"code": code, "x": x, "y": y, "fraction": fraction, "cls": occupancy_class(fraction)}
        )
    arrows = []
    for m in moves:
        a, b = units[m["from"]], units[m["to"]]
        x1, y1 = project(a["lat"], a["lon"])
        x2, y2 = project(b["lat"], b["lon"])
        arrows.append({**m, "x1": x1, "y1": y1, "x2": x2, "y2": y2,
                       "mx": (x1 + x2) / 2, "my": (y1 + y2) / 2})  # fmt: skip
    return {"outline": NL_OUTLINE_PATH, "dots": dots, "arrows": arrows}


@bp.get("/plans/<int:plan_id>")
@roles_required(*PLACING)
def plan(plan_id: int):
    return _plan_page(spreading_service.get_plan(current_user, plan_id))


def _plan_page(record, typed=None, problems=(), marked=frozenset(), status=200):
    """The plan; after a refused change, with the counts as the coordinator typed them, what
    was wrong, and the counts it concerns marked."""
    result = record.result
    shown = record.issued if record.issued is not None else result["moves"]
    units = sorted(u["code"] for u in record.instance["units"])
    categories = sorted({c for u in record.instance["units"] for c in u["beds"]})
    return render_template(
        "spreading/plan.html",
        plan=record,
        result=result,
        moves=shown,
        typed=typed or {},
        problems=problems,
        marked=marked,
        units=units,
        categories=categories,
        map=_map(record, shown),
        national=record.scope == spreading_service.NATIONAL,
        explanations=[_explain(d) for d in result.get("details", [])],
    ), status


def _explain(d: dict) -> str:
    category = label(BedCategory(d["category"])) if d["category"] in {c.value for c in BedCategory} else d["category"]  # fmt: skip
    if d["kind"] == "move":
        return _(
            "%(n)d %(category)s from %(from)s to %(to)s (%(km)d km): %(from)s goes from "
            "%(fb)d%% to %(fa)d%%, %(to)s from %(tb)d%% to %(ta)d%%. The difference in "
            "occupancy is worth the journey.",
            n=d["patients"], category=category.lower(), km=round(d["km"]),
            fb=round(d["from_before"] * 100), fa=round(d["from_after"] * 100),
            tb=round(d["to_before"] * 100), ta=round(d["to_after"] * 100),
            **{"from": d["from"], "to": d["to"]},
        )  # fmt: skip
    reasons = {
        "no_transport": _("it reported no transport for these patients today"),
        "transport_used": ngettext("the %(num)d transport it has for them is used in this plan",
                                   "all %(num)d transports it has for them are used in this plan",
                                   d["send"]),
        "no_room_nearby": _("no region with room is enough emptier to be worth the journey"),
    }  # fmt: skip
    return _(
        "%(unit)s stays at %(occupancy)d%% %(category)s: %(reason)s.",
        unit=d["unit"], occupancy=round(d["occupancy"] * 100), category=category.lower(),
        reason=reasons[d["reason"]],
    )  # fmt: skip


@bp.get("/plans/<int:plan_id>/evaluate")
@roles_required(*PLACING)
def evaluate(plan_id: int):
    """The plan with the coordinator's counts: objective, its change, and what it breaks."""
    record = spreading_service.get_plan(current_user, plan_id)
    try:
        moves = spreading_service.moves_from_counts(record, _counts_from(request.args))
    except InvalidInput as exc:
        return jsonify({"feasible": False, "problems": [p.message for p in exc.problems]}), 422
    evaluation = spreading_service.evaluate_plan(record, moves)
    optimum = record.result["objective"]
    return jsonify({
        "feasible": evaluation.feasible,
        "objective": round(evaluation.objective, 2),
        "extra": round(evaluation.objective - optimum, 2),
        "patients": sum(m.patients for m in moves),
        "problems": [_describe(p) for p in evaluation.problems],
    })  # fmt: skip


@bp.post("/plans/<int:plan_id>/issue")
@roles_required(*COORDINATING)
def issue(plan_id: int):
    record = spreading_service.get_plan(current_user, plan_id)
    counts = _counts_from(request.form)
    try:
        moves = spreading_service.moves_from_counts(record, counts)
    except InvalidInput as exc:
        return _plan_page(record, counts, [p.message for p in exc.problems],
                          {p.field for p in exc.problems}, 422)  # fmt: skip
    try:
        quotas = spreading_service.issue_plan(current_user, plan_id, moves)
    except InvalidInput as exc:
        breaks = spreading_service.evaluate_plan(record, moves).problems
        return _plan_page(record, counts,
                          [p.message for p in exc.problems] + [_describe(b) for b in breaks],
                          spreading_service.counts_concerned(breaks, counts), 422)  # fmt: skip
    flash(ngettext("%(num)d transfer request went to the sending region.",
                   "%(num)d transfer requests went to the sending regions.", len(quotas)),
          "success")  # fmt: skip
    return redirect(url_for("spreading.quotas"))


@bp.get("/plans/<int:plan_id>/instance.json")
@roles_required(*PLACING)
def instance(plan_id: int):
    record = spreading_service.get_plan(current_user, plan_id)
    return Response(
        json.dumps(record.instance, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=spreading-{record.id}.json"},
    )


@bp.get("/quotas")
@roles_required(*PLACING)
def quotas():
    return render_template(
        "spreading/quotas.html",
        quotas=spreading_service.quotas_for(current_user, include_done=True),
        quota_cases=spreading_service.quota_cases,
    )


FIELDS = ("family_name", "given_name", "date_of_birth", "sex", "sending_hospital", "diagnosis",
          "mobility", "urgency")  # fmt: skip


@bp.route("/quotas/<int:quota_id>", methods=["GET", "POST"])
@roles_required(*PLACING)
def quota(quota_id: int):
    record = spreading_service.get_quota(current_user, quota_id)
    named = spreading_service.quota_cases(record)
    rows = max(0, record.patients - len(named))
    problems = []
    values: list[dict] = [{} for _ in range(rows)]
    if request.method == "POST":
        from flask_wtf.csrf import validate_csrf

        validate_csrf(request.form.get("csrf_token"))
        values = [{f: (request.form.get(f"{f}-{k}") or "").strip() for f in FIELDS}
                  for k in range(rows)]  # fmt: skip
        filled = [v for v in values if v["family_name"]]
        try:
            created = spreading_service.fill_quota(
                current_user, quota_id, [spreading_service.NamedPatient(**v) for v in filled]
            )
        except InvalidInput as exc:
            problems = exc.problems
        else:
            flash(ngettext("%(num)d patient named for this transfer request.",
                           "%(num)d patients named for this transfer request.", len(created)),
                  "success")  # fmt: skip
            return redirect(url_for("spreading.quota", quota_id=quota_id))
    hospitals = [h for h in registry.hospitals() if h.region_id == record.from_region_id]
    return render_template(
        "spreading/quota.html", quota=record, named=named, rows=rows, values=values,
        problems=problems, hospitals=hospitals, sexes=choices(Sex), mobilities=choices(Mobility),
        urgencies=choices(Urgency),
    ), 422 if problems else 200  # fmt: skip


@bp.get("/back-home")
@roles_required(*PLACING)
def back_home():
    return render_template(
        "spreading/back_home.html", rows=spreading_service.away_from_home(current_user)
    )


@bp.post("/back-home/<reference>")
@roles_required(*COORDINATING)
def bring_home(reference: str):
    back = spreading_service.bring_home(current_user, reference)
    flash(
        _("Return transfer %(back)s to the home region is planned.", back=back.reference),
        "success",
    )
    return redirect(url_for("cases.detail", reference=back.reference))
