"""Reading cases, scoped by the access policy (evac.access), and moving them through the
workflow."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from evac import triage, workflow
from evac.access import identity_clause, visible_cases
from evac.extensions import db
from evac.models import AuditEvent, Case, Patient, StatusChange, User
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import Conflict, Forbidden, NotFound
from evac.terms import CaseStatus, Role


def get_case(user: User, reference: str) -> Case:
    """The case, or NotFound when it does not exist or this user may not see it."""
    case = db.session.scalar(
        visible_cases(user)
        .where(Case.reference == reference)
        .options(
            selectinload(Case.patient),
            selectinload(Case.clinical),
            selectinload(Case.companions),
            selectinload(Case.status_changes).selectinload(StatusChange.user),
        )
    )
    if case is None:
        raise NotFound(_("No case %(reference)s.", reference=reference))
    return case


@dataclass
class BoardFilters:
    status: str | None = None
    urgency: str | None = None
    source: str | None = None
    category: str | None = None
    region: str | None = None
    external_ref: str | None = None
    q: str | None = None
    sort: str = "received"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass
class BoardPage:
    cases: list[Case]
    total: int
    page: int
    pages: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)


# Most urgent first when sorted ascending; the words themselves do not sort that way.
URGENCY_RANK = case((Case.urgency == "immediate", 1), (Case.urgency == "urgent", 2), else_=3).label(
    "urgency_rank"
)

SORTS = {
    "received": Case.received_at,
    "requested": Case.requested_at,
    "reference": Case.reference,
    "urgency": URGENCY_RANK,
    "status": Case.status,
    "name": Patient.family_name_latin,
}


def case_board(user: User, f: BoardFilters) -> BoardPage:
    """The case board: filtered, searched, sorted and paginated, with counts per status."""
    from evac.models import Hospital, Region

    base = visible_cases(user).join(Case.patient)
    if f.urgency:
        base = base.where(Case.urgency == f.urgency)
    if f.source:
        base = base.where(Case.source == f.source)
    if f.category:
        base = base.where(Case.requested_care == f.category)
    if f.external_ref:
        base = base.where(Case.external_ref == f.external_ref)
    if f.region:
        # A case's region: where it was placed, or (domestic) where it comes from.
        in_region = select(Hospital.id).join(Region).where(Region.code == f.region)
        base = base.where(
            or_(Case.hospital_id.in_(in_region), Case.origin_hospital_id.in_(in_region))
        )
    if f.q:
        term = f"%{f.q.strip().casefold()}%"
        conditions = [
            func.lower(Case.reference).like(term),
            func.lower(Case.external_ref).like(term),
        ]
        # A name finds only the cases whose patient this user may identify: a hospital must not
        # learn by searching that a patient it has not accepted is in the system.
        conditions.append(and_(identity_clause(user), Patient.search_text.like(term)))
        base = base.where(or_(*conditions))
    counts = _status_counts(base)
    query = base.where(Case.status == f.status) if f.status else base
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    column = SORTS.get(f.sort, Case.received_at)
    if f.sort == "name" and not user.has_role(Role.COORDINATOR, Role.ADMIN):
        column = Case.received_at  # the order of names would betray them
    order = column.desc() if f.descending else column.asc()
    per_page = max(1, min(f.per_page, 200))
    pages = max(1, -(-total // per_page))
    page = max(1, min(f.page, pages))
    cases = list(
        db.session.scalars(
            query.options(
                selectinload(Case.patient), selectinload(Case.hospital), selectinload(Case.triage)
            )
            .order_by(order, Case.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return BoardPage(cases, total, page, pages, per_page, counts)


def _status_counts(base: Select) -> dict[str, int]:
    rows = db.session.execute(
        base.with_only_columns(Case.status, func.count()).group_by(Case.status).order_by(None)
    ).all()
    return {status: n for status, n in rows}


def change_status(
    case: Case, transition: str, actor: User | None, reason: str | None = None, **data
) -> None:
    """Move a case through the workflow; the caller commits. Raises Conflict when not allowed."""
    role = actor.role if actor is not None else workflow.SYSTEM
    try:
        target = workflow.check(transition, case.status, role, reason)
    except workflow.TransitionError as exc:
        raise Conflict(transition_message(exc, case)) from exc
    previous = case.status
    case.status = target
    case.updated_at = utcnow()
    if target != previous:  # re-triage keeps the state; its history is the triage record
        db.session.add(
            StatusChange(
                case=case,
                from_status=previous,
                to_status=target,
                transition=transition,
                user_id=actor.id if actor else None,
                reason=reason,
            )
        )
    audit.record(
        actor, f"case.{transition}", case, case=case, **{"from": previous, "to": target}, **data
    )


def transition_message(exc: workflow.TransitionError, case: Case) -> str:
    from evac.terms import label

    if exc.code == "not_from_state":
        return _(
            "Case %(reference)s is %(status)s; that action is not possible now.",
            reference=case.reference,
            status=label(CaseStatus(exc.status)),
        )
    if exc.code == "not_for_role":
        return _("Your role may not do this to case %(reference)s.", reference=case.reference)
    if exc.code == "reason_required":
        return _("Give a reason.")
    return _("Unknown action.")


def cancel_case(actor: User, reference: str, reason: str) -> Case:
    case = get_case(actor, reference)
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only coordinators cancel cases."))
    from evac.services import offers  # offers build on cases; this is the one way back

    holds_bed = case.status in workflow.HOLDS_BED
    change_status(case, "cancel", actor, reason)
    case.cancel_reason = reason
    offers.settle_for_cancelled(case, holds_bed, reason)
    db.session.commit()
    return case


def offer_summary(case: Case) -> dict:
    """What a hospital sees of a patient offered to it, before it accepts: enough to decide
    (age, sex, category, diagnosis, isolation, ventilation, companions, languages), no identity."""
    t = case.triage
    c = case.clinical
    return {
        "age_years": case.patient.age_on(case.received_at.date()),
        "sex": case.patient.sex,
        "bed_category": case.bed_category,
        "urgency": case.urgency,
        "mobility": case.mobility,
        "diagnosis": c.diagnosis,
        "icd10": list(c.icd10 or ()),
        "isolation_required": t.isolation_required if t else bool(c.isolation_required),
        "mdro_status": t.mdro_status if t else c.mdro_status,
        "ventilated": t.ventilated if t else bool(c.ventilated),
        "oxygen_l_min": t.oxygen_l_min if t else c.oxygen_l_min,
        "companions": len(case.companions),
        "languages": list(case.patient.languages or ()),
        "interpreter_needed": bool(t and t.interpreter_needed),
    }


def case_alerts(case: Case) -> list[triage.Alert]:
    c = case.clinical
    isolation = case.triage.isolation_required if case.triage else c.isolation_required
    return triage.alerts(
        isolation_required=isolation,
        mdro_status=case.triage.mdro_status if case.triage else c.mdro_status,
        allergies=c.allergies,
        ventilated=case.triage.ventilated if case.triage else c.ventilated,
        oxygen_l_min=case.triage.oxygen_l_min if case.triage else c.oxygen_l_min,
    )


def audit_trail(user: User, case: Case) -> list[AuditEvent]:
    if not user.has_role(Role.COORDINATOR, Role.ADMIN):
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
