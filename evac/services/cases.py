"""Reading cases, scoped by the access policy (evac.access), and moving them through the
workflow."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import selectinload

from evac import triage, workflow
from evac.access import Detail, detail_for, identifies_everyone, identity_clause, visible_cases
from evac.extensions import db
from evac.interop import fhir_ips
from evac.models import AuditEvent, Case, Patient, StatusChange, User
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.terms import CaseStatus, Role


def on_desk(user: User):
    """SQL: the cases this user's centre works on now. A domestic request held by a region's
    centre is on that centre's desk, and on the national desk once escalated (or at once when
    the region has no centre in evac)."""
    if user.has_role(Role.REGIONAL):
        return Case.region_queue_id == user.region_id
    return Case.region_queue_id.is_(None)


def is_on_desk(user: User, case: Case) -> bool:
    if user.has_role(Role.REGIONAL):
        return user.region_id is not None and case.region_queue_id == user.region_id
    return user.has_role(Role.COORDINATOR, Role.ADMIN) and case.region_queue_id is None


def may_place(user: User, case: Case) -> bool:
    """Whether this user may triage, place and offer this case now."""
    return is_on_desk(user, case) or (
        user.has_role(Role.COORDINATOR, Role.ADMIN)  # the national centre may always step in
    )


def escalate(actor: User, reference: str, reason: str) -> Case:
    """A region's centre hands a request it cannot place within its region to the national
    centre, with a reason; it lands in the national queue."""
    case = get_case(actor, reference)
    if not actor.has_role(Role.REGIONAL) or not is_on_desk(actor, case):
        raise Conflict(_("Only the region's centre that holds a request escalates it."))
    if not workflow.is_open(case.status) or case.status in workflow.HOLDS_BED:
        raise Conflict(_("Case %(reference)s is placed or closed already.", reference=reference))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput([Problem("reason", _("Say why the region cannot place this patient."))])
    from evac.services import notify

    region = case.region_queue
    case.region_queue_id = None
    case.escalated_at = utcnow()
    case.escalation_reason = reason[:2000]
    audit.record(actor, "case.escalated", case, case=case, region=region.code, reason=reason)
    notify.queue(
        notify.duty_coordinator(),
        lambda: (
            _("Escalated by %(region)s: %(reference)s", region=region.code, reference=reference),
            _(
                "Region %(region)s cannot place case %(reference)s within the region and asks "
                "the national centre to place it. Reason: %(reason)s",
                region=region.code,
                reference=reference,
                reason=reason,
            ),
        ),
    )
    db.session.commit()
    return case


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


def get_cases(user: User, references: list[str]) -> list[Case]:
    """Several cases at once, in the order asked, with what placement reads of them loaded in
    a constant number of statements; NotFound names the first one missing or not visible."""
    from evac.models import Hospital

    wanted = list(dict.fromkeys(references))
    found = {
        c.reference: c
        for c in db.session.scalars(
            visible_cases(user)
            .where(Case.reference.in_(wanted))
            .options(
                selectinload(Case.patient),
                selectinload(Case.clinical),
                selectinload(Case.triage),
                selectinload(Case.origin_hospital).selectinload(Hospital.region),
                selectinload(Case.destination_region),
                selectinload(Case.flight),
            )
        )
    }
    for reference in wanted:
        if reference not in found:
            raise NotFound(_("No case %(reference)s.", reference=reference))
    return [found[r] for r in wanted]


@dataclass
class BoardFilters:
    status: str | None = None
    urgency: str | None = None
    source: str | None = None
    category: str | None = None
    region: str | None = None
    external_ref: str | None = None
    q: str | None = None
    # "region": the requests regional centres hold (the national board leaves them out)
    held: str | None = None
    sort: str = "received"
    descending: bool = True
    page: int = 1
    per_page: int = 50
    # The counts per status (the board's tabs); the API asks without them.
    counts: bool = True


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
    """The case board: filtered, searched, sorted and paginated, with counts per status.

    Built for a year of cases (../shared/research/review-perf.md): the patient is joined only to
    sort by name, a search is a union of indexed lookups (trigram indexes on PostgreSQL), the
    total comes from the status counts, and a page is chosen on ids alone (an index-only scan
    for the board's order) before the rows of that page are loaded, without the raw request."""
    from evac.models import Flight, Hospital, Region

    base = visible_cases(user)
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        held = Case.region_queue_id.is_not(None)
        base = base.where(held if f.held == "region" else ~held)
    if f.urgency:
        base = base.where(Case.urgency == f.urgency)
    if f.source:
        base = base.where(Case.source == f.source)
    if f.category:
        base = base.where(Case.requested_care == f.category)
    if f.external_ref:
        # The sender's reference is shown only to those who may identify the patient; finding
        # a case by it must not tell others which case it is.
        base = base.where(Case.external_ref == f.external_ref, identity_clause(user))
    if f.region:
        # A case's region: where it was placed, or (domestic) where it comes from.
        in_region = select(Hospital.id).join(Region).where(Region.code == f.region)
        base = base.where(
            or_(Case.hospital_id.in_(in_region), Case.origin_hospital_id.in_(in_region))
        )
    if f.q:
        term = f"%{f.q.strip().casefold()}%"
        named = select(Patient.case_id).where(Patient.search_text.like(term))
        if not identifies_everyone(user):
            # A name finds only the cases whose patient this user may identify: a hospital must
            # not learn by searching that a patient it has not accepted is in the system. (For
            # those who may identify everyone, the join would only read every case once more.)
            named = named.join(Case, Case.id == Patient.case_id).where(identity_clause(user))
        found = union(
            select(Case.id).where(func.lower(Case.reference).like(term)),
            select(Case.id).where(func.lower(Case.external_ref).like(term), identity_clause(user)),
            select(Case.id).where(
                Case.flight_id.in_(select(Flight.id).where(func.lower(Flight.code).like(term)))
            ),
            named,
        )
        base = base.where(Case.id.in_(found))
    column = SORTS.get(f.sort, Case.received_at)
    if f.sort == "name" and not user.has_role(Role.COORDINATOR, Role.ADMIN):
        column = Case.received_at  # the order of names would betray them
    per_page = max(1, min(f.per_page, 200))
    chosen = None
    if f.q and f.counts:
        # A search is the dear part: its counts and its page come from one evaluation of it.
        counts, chosen = _search_counts_and_page(base, f, column, per_page)
    else:
        counts = _status_counts(base) if f.counts else {}
    query = base.where(Case.status == f.status) if f.status else base
    if f.counts:
        total = counts.get(f.status, 0) if f.status else sum(counts.values())
    else:
        total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    order = column.desc() if f.descending else column.asc()
    tiebreak = Case.id.desc() if f.descending else Case.id.asc()
    pages = max(1, -(-total // per_page))
    page = max(1, min(f.page, pages))
    if chosen is None or page != f.page:
        ids = query.with_only_columns(Case.id).order_by(order, tiebreak)
        if f.sort == "name":
            ids = ids.join(Patient, Patient.case_id == Case.id)
        ids = ids.limit(per_page).offset((page - 1) * per_page)
        chosen = list(db.session.scalars(ids))
    rows = {
        c.id: c
        for c in db.session.scalars(
            select(Case)
            .where(Case.id.in_(chosen))
            .options(
                selectinload(Case.patient),
                selectinload(Case.hospital),
                selectinload(Case.triage),
            )
        )
    }
    return BoardPage([rows[i] for i in chosen if i in rows], total, page, pages, per_page, counts)


MAX_PAGE = 1_000_000


def _search_counts_and_page(
    base: Select, f: BoardFilters, column, per_page: int
) -> tuple[dict[str, int], list[int]]:
    """The counts per status of the cases found, and the ids of the page asked for, in one
    statement over the search's result (a common table expression both parts read)."""
    found = base.with_only_columns(Case.id, Case.status, column.label("sort_key")).order_by(None)
    if f.sort == "name":
        found = found.join(Patient, Patient.case_id == Case.id)
    found = found.cte("found")
    key, tiebreak = found.c.sort_key, found.c.id
    order = (key.desc(), tiebreak.desc()) if f.descending else (key.asc(), tiebreak.asc())
    page = (
        select(found.c.id, func.row_number().over(order_by=order).label("position"))
        .where(found.c.status == f.status if f.status else true())
        .order_by(*order)
        .limit(per_page)
        # A page past any count (page=10**20 typed in the address) is re-asked once clamped;
        # the offset must still fit the database's integers.
        .offset((max(1, min(f.page, MAX_PAGE)) - 1) * per_page)
        .subquery()
    )
    no_text, no_number = cast(null(), String), cast(null(), Integer)
    rows = db.session.execute(
        union_all(
            select(found.c.status, func.count(), no_number).group_by(found.c.status),
            select(no_text, page.c.position, page.c.id),
        )
    ).all()
    counts = {status: n for status, n, case_id in rows if case_id is None}
    chosen = [case_id for _s, _position, case_id in sorted(
        (r for r in rows if r[2] is not None), key=lambda r: r[1])]  # fmt: skip
    return counts, chosen


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
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators cancel cases."))
    if not may_place(actor, case):
        raise Conflict(_("Case %(reference)s is with another centre.", reference=reference))
    from evac.services import offers  # offers build on cases; this is the one way back

    holds_bed = case.status in workflow.HOLDS_BED
    change_status(case, "cancel", actor, reason)
    case.cancel_reason = reason
    offers.settle_for_cancelled(case, holds_bed, reason)
    db.session.commit()
    return case


def reopen_case(actor: User, reference: str, reason: str) -> Case:
    """Undo a cancellation. The case goes back to triage: what it held when cancelled (a bed,
    offers, a flight place) was given to others and is not taken back."""
    case = get_case(actor, reference)
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators reopen cases."))
    if not may_place(actor, case):
        raise Conflict(_("Case %(reference)s is with another centre.", reference=reference))
    change_status(case, "reopen", actor, reason)
    case.cancel_reason = None
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
        "isolation_required": t.isolation_required if t else c.isolation_required,
        "mdro_status": t.mdro_status if t else c.mdro_status,
        "ventilated": t.ventilated if t else c.ventilated,
        "oxygen_l_min": t.oxygen_l_min if t else c.oxygen_l_min,
        "companions": len(case.companions),
        "languages": list(case.patient.languages or ()),
        "interpreter_needed": bool(t and t.interpreter_needed),
        # What the receiving ward must know before it says yes (no identity).
        "isolation_kind": case.isolation_kind,
        "place_needed": case.place_needed,
        "code_status": c.code_status,
        "pregnancy_weeks": c.pregnancy_weeks,
        "tracheostomy": c.tracheostomy,
        "devices": c.devices,
        "mdro_organisms": c.mdro_organisms,
    }


def alert_facts(case: Case) -> dict:
    """What the alerts are made of (triage's values where there is a triage)."""
    c, t = case.clinical, case.triage
    return {
        "isolation_required": t.isolation_required if t else c.isolation_required,
        "mdro_status": t.mdro_status if t else c.mdro_status,
        "allergies": c.allergies,
        "ventilated": t.ventilated if t else c.ventilated,
        "oxygen_l_min": t.oxygen_l_min if t else c.oxygen_l_min,
        "isolation_kind": case.isolation_kind,
        "mdro_organisms": c.mdro_organisms,
        "code_status": c.code_status,
        "pregnancy_weeks": c.pregnancy_weeks,
        "tracheostomy": c.tracheostomy,
    }


def case_alerts(case: Case) -> list[triage.Alert]:
    return triage.alerts(**alert_facts(case))


def fhir_summary(user: User, reference: str) -> dict:
    """The case as an International Patient Summary (a FHIR document Bundle), at the detail the
    user may see: without identity for those who may not know who the patient is."""
    return _summary(user, get_case(user, reference))


def fhir_summaries(user: User, references: list[str]) -> dict[str, dict]:
    """fhir_summary of several cases, loaded at once (a flight's bundle carries one each)."""
    return {case.reference: _summary(user, case) for case in get_cases(user, references)}


def _summary(user: User, case: Case) -> dict:
    detail = detail_for(user, case)
    if detail == Detail.NONE:
        raise NotFound(_("No case %(reference)s.", reference=case.reference))
    return fhir_ips.case_bundle(
        case,
        identity=detail == Detail.FULL,
        isolation_kind=case.isolation_kind,
        place=case.place_needed,
        made=utcnow(),
        centre=current_app.config["EVAC_CENTRE_NAME"],
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


# ---------------------------------------------------------------------------------------------
# Groups: cases that travel and stay together


def group_of(user: User, case: Case) -> list[Case]:
    """The other cases of this case's group that this user may see."""
    if not case.group_ref:
        return []
    return list(
        db.session.scalars(
            visible_cases(user)
            .where(Case.group_ref == case.group_ref, Case.id != case.id)
            .order_by(Case.reference)
        )
    )


def link_group(actor: User, reference: str, other_reference: str) -> Case:
    """Put two cases in one group (a mother and her child both patients, siblings): every
    proposal then keeps them in one hospital, or places neither."""
    case = get_case(actor, reference)
    other = get_case(actor, (other_reference or "").strip().upper())
    if not (may_place(actor, case) and may_place(actor, other)):
        raise Forbidden(_("Only the centre that places both cases links them."))
    if other.id == case.id:
        raise InvalidInput([Problem("other", _("A case cannot be linked with itself."))])
    for c in (case, other):
        if c.status not in workflow.OPEN_STATES or c.status in workflow.RECEIVED_BY_HOSPITAL:
            raise Conflict(
                _("Case %(reference)s is placed or closed already.", reference=c.reference)
            )
    group = case.group_ref or other.group_ref or f"G-{case.reference}"
    merged = {case.group_ref, other.group_ref} - {None, group}
    for c in (case, other):
        c.group_ref = group
    for old in merged:  # two groups become one
        for c in db.session.scalars(select(Case).where(Case.group_ref == old)):
            c.group_ref = group
    audit.record(actor, "case.grouped", case, case=case, group=group, other=other.reference)
    audit.record(actor, "case.grouped", other, case=other, group=group, other=case.reference)
    db.session.commit()
    return case


def unlink_group(actor: User, reference: str) -> Case:
    case = get_case(actor, reference)
    if not may_place(actor, case):
        raise Forbidden(_("Only the centre that places this case changes its group."))
    group = case.group_ref
    case.group_ref = None
    rest = list(db.session.scalars(select(Case).where(Case.group_ref == group))) if group else []
    if len(rest) == 1:  # a group of one is no group
        rest[0].group_ref = None
    audit.record(actor, "case.ungrouped", case, case=case, group=group)
    db.session.commit()
    return case


# ---------------------------------------------------------------------------------------------
# Corrections


CORRECTABLE = ("family_name", "given_name", "family_name_latin", "given_name_latin",
               "date_of_birth", "sex")  # fmt: skip


def correct_request(actor: User, reference: str, values: dict[str, str]) -> Case:
    """Correct what the sender got wrong (a misspelt name, a wrong date of birth): audited with
    the old and new values; the transfer document takes a new version at its next rendering,
    since its content changed. Latin spellings follow the Cyrillic unless given."""
    from datetime import date as date_type

    from evac.interop.transliteration import to_latin
    from evac.terms import Sex

    case = get_case(actor, reference)
    if not may_place(actor, case):
        raise Conflict(_("Case %(reference)s is with another centre.", reference=reference))
    p = case.patient
    problems = []
    new: dict = {}
    for name in ("family_name", "given_name"):
        text = (values.get(name) or "").strip()
        if not text or len(text) > 200 or "\x00" in text:
            problems.append(
                Problem(name, _("Give the name as the sender should have, up to 200 characters."))
            )
        new[name] = text
        latin = (values.get(f"{name}_latin") or "").strip()
        new[f"{name}_latin"] = latin[:200] if latin and latin != getattr(p, f"{name}_latin") else (
            to_latin(text) if text != getattr(p, name) else getattr(p, f"{name}_latin"))  # fmt: skip
    raw_dob = (values.get("date_of_birth") or "").strip()
    try:
        dob = date_type.fromisoformat(raw_dob) if raw_dob else None
    except ValueError:
        dob = None
        problems.append(Problem("date_of_birth", _("Write the date of birth as YYYY-MM-DD.")))
    if dob is not None and dob > date_type.today():
        problems.append(Problem("date_of_birth", _("The date of birth lies in the future.")))
    new["date_of_birth"] = dob if raw_dob else p.date_of_birth
    sex = (values.get("sex") or p.sex).strip()
    if sex not in {s.value for s in Sex}:
        problems.append(Problem("sex", _("Choose one of the listed values.")))
    new["sex"] = sex
    if problems:
        raise InvalidInput(problems)
    changed = {k: [str(getattr(p, k)) if getattr(p, k) is not None else None,
                   str(v) if v is not None else None]
               for k, v in new.items() if getattr(p, k) != v}  # fmt: skip
    if not changed:
        return case
    for k, v in new.items():
        setattr(p, k, v)
    case.updated_at = utcnow()
    audit.record(actor, "case.corrected", case, case=case, changes=changed)
    db.session.commit()
    return case
