"""The case board and the case page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from evac import access, workflow
from evac import triage as rules
from evac.documents import content as document_content
from evac.models.types import utcnow
from evac.services import cases as case_service
from evac.services import intake as intake_service
from evac.services import offers as offer_service
from evac.services import registry
from evac.services import transport as transport_service
from evac.services import triage as triage_service
from evac.terms import BedCategory, CaseStatus, Role, Source, Urgency
from evac.web import page_cache
from evac.web.access import CASE_READERS, PLACING, roles_required

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name) or None
    return value if value in {str(v) for v in allowed} else None


@bp.get("/")
@roles_required(*CASE_READERS)
def board():
    return render_template("cases/board.html", body=page_cache.drawn("cases.board", _draw_board))


def _draw_board() -> str:
    regions = registry.regions()
    filters = case_service.BoardFilters(
        status=_choice("status", CaseStatus),
        urgency=_choice("urgency", Urgency),
        source=_choice("source", Source),
        category=_choice("category", BedCategory),
        region=_choice("region", [r.code for r in regions]),
        q=(request.args.get("q") or "").strip()[:100] or None,
        held=_choice("held", ["region"]),
        sort=request.args.get("sort", "received"),
        descending=request.args.get("dir", "desc") != "asc",
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["EVAC_PAGE_SIZE"],
    )
    return render_template(
        "cases/_board.html",
        page=case_service.case_board(current_user, filters),
        filters=filters,
        regions=regions,
        # The column is there for those who may identify some patients; each row asks the policy.
        show_names=current_user.has_role(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL),
    )


@bp.get("/<reference>")
@roles_required(*CASE_READERS)
def detail(reference: str):
    drawn = page_cache.kept("cases.detail", lambda: _draw_detail(reference))
    if isinstance(drawn, Redirect):
        return redirect(drawn.to)
    return render_template("cases/detail.html", reference=drawn.reference, body=drawn.html)


@dataclass(frozen=True)
class Redirect:
    to: str


class CasePage(NamedTuple):
    reference: str
    html: Markup


def _draw_detail(reference: str) -> CasePage | Redirect:
    case = case_service.get_case(current_user, reference)
    detail = access.detail_for(current_user, case)
    if detail == access.Detail.SUMMARY and current_user.has_role(Role.HOSPITAL):
        # Before accepting, a hospital sees the offer's summary, nothing more.
        offer = max(
            (
                o
                for o in offer_service.case_offers(case)
                if o.hospital_id == current_user.hospital_id
            ),
            key=lambda o: o.id,
        )
        return Redirect(url_for("hospital.offer", offer_id=offer.id))
    coordinating = current_user.is_coordinating
    offers = offer_service.case_offers(case) if coordinating or detail == "full" else []
    if not coordinating:
        offers = [o for o in offers if o.hospital_id == current_user.hospital_id]
    html = render_template(
        "cases/_detail.html",
        case=case,
        detail=detail,
        alerts=[a.text for a in case_service.case_alerts(case)],
        isolation_kind=case.isolation_kind,
        icd10_warnings=[message for _case, message in intake_service.record_warnings([case])],
        place=case.place_needed,
        vital_signs=document_content.vital_signs_line(case.clinical.vital_signs),
        ventilation=document_content.ventilation_line(case.clinical.ventilation),
        free_text=access.sees_free_text(current_user),
        free_text_escalation=access.sees_free_text(current_user)
        or current_user.has_role(Role.REGIONAL),
        group=case_service.group_of(current_user, case),
        today=date.today(),
        now=utcnow(),
        triage_history=triage_service.history(case) if case.triage else [],
        triage_rule=_triage_rule,
        offers=offers,
        pending_offer=next((o for o in offers if o.status == "pending"), None),
        candidates=offer_service.candidates(case)
        if coordinating and case.status in workflow.PLACEABLE
        else [],
        decline_text=offer_service.decline_text,
        transport=_transport_panel(case, detail),
        documents_allowed=detail == access.Detail.FULL
        and (coordinating or case.hospital_id == current_user.hospital_id),
        trail=case_service.audit_trail(current_user, case),
    )
    return CasePage(case.reference, Markup(html))


def _transport_panel(case, detail) -> dict | None:
    """What the transport section shows and offers, for this user and this case."""
    if detail != access.Detail.FULL:
        return None
    coordinating = current_user.is_coordinating
    status = case.status
    panel = {
        "legs": transport_service.case_legs(case),
        "can_arrive": status in workflow.HOLDS_BED
        and (coordinating or case.hospital_id == current_user.hospital_id),
        "can_add_leg": coordinating and status in workflow.HOLDS_BED,
        "can_close": coordinating and status == "arrived",
        "can_return": coordinating and status in ("arrived", "closed") and not case.returns,
        "road_mode": transport_service.road_mode(case),
        "fitness": transport_service.fitness(case) if case.flight_id else None,
        "fit": bool(case.flight_id) and transport_service.fit_to_fly(case),
        "can_confirm_fitness": coordinating and transport_service.awaits_fitness_check(case),
        "regions": registry.regions() if coordinating else [],
    }
    shown = panel["legs"] or case.flight_id or case.return_of_id or case.returns or case.outcome
    return (
        panel
        if shown or any(panel[k] for k in ("can_arrive", "can_add_leg", "can_close", "can_return"))
        else None
    )


def _triage_rule(record, field: str) -> str:
    """Which rule suggested the value of this field, when the coordinator kept it."""
    suggestion = (record.suggestions or {}).get(field)
    if not suggestion or suggestion.get("value") != getattr(record, field):
        return _("set by the coordinator")
    return rules.rule_text(suggestion["rule"])


@bp.post("/<reference>/correct")
@roles_required(*PLACING)
def correct(reference: str):
    from evac.services.errors import InvalidInput

    values = {k: request.form.get(k, "") for k in case_service.CORRECTABLE}
    try:
        case_service.correct_request(current_user, reference, values)
    except InvalidInput as exc:
        for p in exc.problems:
            flash(p.message, "error")
    else:
        flash(_("The request of %(reference)s is corrected.", reference=reference), "success")
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/<reference>/group")
@roles_required(*PLACING)
def group(reference: str):
    if request.form.get("action") == "leave":
        case_service.unlink_group(current_user, reference)
        flash(_("Case %(reference)s left its group.", reference=reference), "info")
    else:
        other = request.form.get("other", "")
        case_service.link_group(current_user, reference, other)
        flash(
            _("Cases %(a)s and %(b)s now travel and stay together.", a=reference,
              b=other.strip().upper()),
            "success",
        )  # fmt: skip
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/<reference>/escalate")
@roles_required(Role.REGIONAL)
def escalate(reference: str):
    case_service.escalate(current_user, reference, request.form.get("reason", ""))
    flash(_("Case %(reference)s went to the national centre.", reference=reference), "success")
    return redirect(url_for("cases.board"))


@bp.post("/<reference>/cancel")
@roles_required(*PLACING)
def cancel(reference: str):
    reason = (request.form.get("reason") or "").strip()
    case_service.cancel_case(current_user, reference, reason)
    flash(_("Case %(reference)s was cancelled.", reference=reference), "success")
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/<reference>/reopen")
@roles_required(*PLACING)
def reopen(reference: str):
    reason = (request.form.get("reason") or "").strip()
    case_service.reopen_case(current_user, reference, reason)
    flash(
        _("Case %(reference)s is open again and waits for triage.", reference=reference), "success"
    )
    return redirect(url_for("cases.detail", reference=reference))
