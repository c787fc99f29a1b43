"""Spreading patients between regions (and, for a region's centre, between its hospitals):
the alert when occupancy drifts apart, plans from the engine (../shared/specs/spreading.md) kept
with their instance, plans turned into transfer quotas for the sending regions, quotas filled
with named patients, and patients brought back to their home region when it has room.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evac import spreading as engine
from evac.extensions import db
from evac.models import Case, Hospital, Region, SpreadingPlan, StatusChange, TransferQuota, User
from evac.models.types import utcnow
from evac.services import audit, capacity, notify, settings
from evac.services.cases import get_case
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.terms import CaseStatus, ImportChannel, Role, Source

NATIONAL = "national"


def _settings() -> dict:
    return settings.get("spreading")


def _weights() -> dict:
    return dict(_settings()["weights"])


# ---------------------------------------------------------------------------------------------
# The picture and the alert


@dataclass
class SpreadAlert:
    """In one category the regions' occupancy lies further apart than the admin's threshold."""

    category: str
    busiest: str
    busiest_fraction: float
    calmest: str
    calmest_fraction: float

    @property
    def points(self) -> int:
        return round((self.busiest_fraction - self.calmest_fraction) * 100)


def spread_alerts(regions: list[capacity.RegionCapacity] | None = None) -> list[SpreadAlert]:
    """Categories whose spread of occupancy between regions exceeds the threshold."""
    regions = regions if regions is not None else capacity.current_capacity()
    threshold = float(_settings()["alert_points"]) / 100
    by_category: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for rc in regions:
        for category, beds in rc.beds.items():
            if beds.fraction is not None:
                by_category[category].append((beds.fraction, rc.region.code))
    alerts = []
    for category, values in by_category.items():
        if len(values) < 2:
            continue
        high, low = max(values), min(values)
        if high[0] - low[0] > threshold:
            alerts.append(SpreadAlert(category, high[1], high[0], low[1], low[0]))
    return sorted(alerts, key=lambda a: -(a.busiest_fraction - a.calmest_fraction))


def _centre(hospitals: list[Hospital]) -> tuple[float, float]:
    return (
        round(sum(h.lat for h in hospitals) / len(hospitals), 4),
        round(sum(h.lon for h in hospitals) / len(hospitals), 4),
    )


def _split_ambulances(ambulances: int, beds: dict[str, capacity.Beds]) -> dict[str, int]:
    """Ambulances carry every category but IC (MICU does); the spec counts transport per
    category, so the crews are shared out by occupied beds, and never more than there are."""
    ward = {c: b for c, b in beds.items() if c != "ic" and b.capacity}
    total = sum(b.occupied + b.reserved for b in ward.values())
    if not total or not ambulances:
        return dict.fromkeys(ward, 0)
    share = {c: ambulances * (b.occupied + b.reserved) // total for c, b in ward.items()}
    left = ambulances - sum(share.values())
    for c in sorted(ward, key=lambda c: -(ward[c].fraction or 0))[:left]:
        share[c] += 1
    return share


def national_instance() -> dict:
    """Regions as units: the latest reports summed (reserved beds count as occupied) and the
    transport each region reported (MICU for IC, ambulances shared out over the rest)."""
    units = []
    for rc in sorted(capacity.current_capacity(), key=lambda r: r.region.code):
        hospitals = [hc.hospital for hc in rc.hospitals]
        if not hospitals:
            continue
        lat, lon = _centre(hospitals)
        send = _split_ambulances(rc.ambulances or 0, rc.beds)
        send["ic"] = rc.micu or 0
        units.append({
            "code": rc.region.code, "lat": lat, "lon": lon,
            "beds": {c: {"capacity": b.capacity, "occupied": b.occupied + b.reserved}
                     for c, b in sorted(rc.beds.items())},
            "send": {c: n for c, n in sorted(send.items()) if c in rc.beds},
        })  # fmt: skip
    return {"weights": _weights(), "units": units}


def regional_instance(region: Region) -> dict:
    """A region's hospitals as units, for its own centre. The region's crews are the only
    transport known, so each hospital may send up to all of them (a doubt: the plan may ask
    for more journeys in total than the region has crews; the page says so)."""
    rc = next(r for r in capacity.current_capacity() if r.region.id == region.id)
    units = []
    for hc in sorted(rc.hospitals, key=lambda h: h.hospital.code):
        if not hc.beds:
            continue
        send = _split_ambulances(rc.ambulances or 0, hc.beds)
        send["ic"] = rc.micu or 0
        units.append({
            "code": hc.hospital.code, "lat": hc.hospital.lat, "lon": hc.hospital.lon,
            "beds": {c: {"capacity": b.capacity, "occupied": b.occupied + b.reserved}
                     for c, b in sorted(hc.beds.items())},
            "send": {c: n for c, n in sorted(send.items()) if c in hc.beds},
        })  # fmt: skip
    return {"weights": _weights(), "units": units}


# ---------------------------------------------------------------------------------------------
# Plans


def _may_plan(actor: User) -> None:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators plan spreading."))


def propose_plan(actor: User) -> SpreadingPlan:
    """Solve spreading now, between regions (national centre) or between the hospitals of the
    actor's region (a regional centre), and keep the plan with its instance."""
    _may_plan(actor)
    if actor.has_role(Role.REGIONAL):
        if actor.region is None:
            raise Forbidden(_("Your account has no region."))
        scope, instance = actor.region.code, regional_instance(actor.region)
    else:
        scope, instance = NATIONAL, national_instance()
    plan = engine.solve(engine.parse_instance(instance), time_limit=20)
    record = SpreadingPlan(
        user_id=actor.id,
        scope=scope,
        instance=instance,
        result=plan.to_json(engine.parse_instance(instance)),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "spreading.proposed", record, scope=scope, objective=plan.objective,
                 moves=sum(m.patients for m in plan.moves))  # fmt: skip
    db.session.commit()
    return record


def get_plan(actor: User, plan_id: int) -> SpreadingPlan:
    _may_plan(actor)
    plan = db.session.get(SpreadingPlan, plan_id)
    if (
        plan is not None
        and actor.has_role(Role.REGIONAL)
        and (actor.region is None or plan.scope != actor.region.code)
    ):
        plan = None  # a region's centre sees its own region's plans
    if plan is None:
        raise NotFound(_("No spreading plan %(id)s.", id=plan_id))
    return plan


def recent_plans(actor: User, limit: int = 10) -> list[SpreadingPlan]:
    _may_plan(actor)
    scope = actor.region.code if actor.has_role(Role.REGIONAL) and actor.region else NATIONAL
    return list(
        db.session.scalars(
            select(SpreadingPlan)
            .where(SpreadingPlan.scope == scope)
            .order_by(SpreadingPlan.created_at.desc(), SpreadingPlan.id.desc())
            .limit(limit)
        )
    )


def moves_from_counts(plan: SpreadingPlan, counts: dict[str, str]) -> list[engine.Move]:
    """The coordinator's counts ("from|to|category" -> patients) as moves; InvalidInput for a
    count that is not a whole number from 0 to 500 or a pair not in the plan's units."""
    units = {u["code"] for u in plan.instance["units"]}
    moves, problems = [], []
    for key, raw in counts.items():
        source, target, category = _pair_of(key)
        try:
            n = int(str(raw).strip() or 0)
        except ValueError:
            n = -1
        if not 0 <= n <= 500 or source not in units or target not in units or source == target:
            problems.append(Problem(key, _("Give a whole number of patients from 0 to 500.")))
            continue
        if n:
            moves.append(engine.Move(source, target, category, n))
    if problems:
        raise InvalidInput(problems)
    return moves


def _pair_of(key: str) -> tuple[str, str, str]:
    """A count's key, "from|to|category", as its three parts."""
    source, _sep, rest = key.partition("|")
    target, _sep, category = rest.partition("|")
    return source, target, category


def counts_concerned(problems: list[dict], counts: dict[str, str]) -> set[str]:
    """The counts (keys as for moves_from_counts) a plan's problems are about: a region asked to
    send more than it can is the first of the pair, one asked to receive more (or without beds)
    the second."""
    concerned = set()
    for key in counts:
        source, target, category = _pair_of(key)
        for p in problems:
            unit = source if p["code"] == "send_limit" else target
            if p.get("unit") == unit and p.get("category") in (None, category):
                concerned.add(key)
    return concerned


def evaluate_plan(plan: SpreadingPlan, moves: list[engine.Move]) -> engine.plan.Evaluation:
    return engine.evaluate(engine.parse_instance(plan.instance), moves)


def issue_plan(actor: User, plan_id: int, moves: list[engine.Move]) -> list[TransferQuota]:
    """Turn a national plan (as the coordinator changed it) into transfer quotas: for each
    sending region, "N patients of category c to region s". The sending regions' centres are
    told by e-mail."""
    plan = get_plan(actor, plan_id)
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN) or plan.scope != NATIONAL:
        raise Forbidden(_("Only the national centre issues transfer quotas."))
    if plan.status != "proposed":
        raise Conflict(_("This plan was issued already."))
    evaluation = evaluate_plan(plan, moves)
    if not evaluation.feasible:
        raise InvalidInput([Problem("moves", _("The plan asks more than the regions can do: "
                                                "correct the counts marked."))])  # fmt: skip
    if not moves:
        raise InvalidInput([Problem("moves", _("The plan moves nobody."))])
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    quotas = []
    for m in moves:
        quota = TransferQuota(plan=plan, from_region=regions[m.source], to_region=regions[m.target],
                              category=m.category, patients=m.patients)  # fmt: skip
        db.session.add(quota)
        quotas.append(quota)
    plan.status = "issued"
    plan.issued = [{"from": m.source, "to": m.target, "category": m.category,
                    "patients": m.patients} for m in moves]  # fmt: skip
    plan.issued_at = utcnow()
    plan.issued_by_id = actor.id
    for older in db.session.scalars(
        select(SpreadingPlan).where(
            SpreadingPlan.scope == NATIONAL,
            SpreadingPlan.status == "proposed",
            SpreadingPlan.id != plan.id,
        )
    ):
        older.status = "superseded"
    db.session.flush()
    audit.record(actor, "spreading.issued", plan, quotas=len(quotas),
                 patients=sum(m.patients for m in moves))  # fmt: skip
    _tell_regions(quotas)
    db.session.commit()
    return quotas


def _tell_regions(quotas: list[TransferQuota]) -> None:
    by_region: dict[int, list[TransferQuota]] = defaultdict(list)
    for q in quotas:
        by_region[q.from_region_id].append(q)
    for region_id, mine in by_region.items():
        recipients = [
            (u.email, u.locale)
            for u in db.session.scalars(
                select(User).where(
                    User.role == Role.REGIONAL, User.region_id == region_id, User.active
                )
            )
        ]
        if not recipients:
            continue
        from evac.terms import BedCategory, label

        def render(mine=mine):
            lines = "\n".join(
                _("%(n)d patients of %(category)s to region %(to)s", n=q.patients,
                  category=label(BedCategory(q.category)).lower(), to=q.to_region.code)
                for q in mine
            )  # fmt: skip
            return (
                _("Transfer requests for region %(region)s", region=mine[0].from_region.code),
                _(
                    "The national centre asks your region to move patients to other regions "
                    "today:\n\n%(lines)s\n\nName the patients in evac under Spreading → "
                    "Transfer requests.",
                    lines=lines,
                ),
            )

        notify.queue(recipients, render)


# ---------------------------------------------------------------------------------------------
# Quotas


def quotas_for(user: User, include_done: bool = False) -> list[TransferQuota]:
    """Transfer quotas: a regional centre's own (its region sends), or all for the national
    centre."""
    query = select(TransferQuota).options(
        selectinload(TransferQuota.from_region), selectinload(TransferQuota.to_region)
    )
    if user.has_role(Role.REGIONAL):
        query = query.where(TransferQuota.from_region_id == user.region_id)
    elif not user.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Your role may not see transfer quotas."))
    if not include_done:
        query = query.where(TransferQuota.status == "open")
    return list(
        db.session.scalars(query.order_by(TransferQuota.created_at.desc(), TransferQuota.id))
    )


def get_quota(user: User, quota_id: int) -> TransferQuota:
    quota = db.session.get(TransferQuota, quota_id)
    if quota is None or (user.has_role(Role.REGIONAL) and quota.from_region_id != user.region_id):
        raise NotFound(_("No transfer request %(id)s.", id=quota_id))
    if not user.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise NotFound(_("No transfer request %(id)s.", id=quota_id))
    return quota


def quota_cases(quota: TransferQuota) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.quota_id == quota.id).order_by(Case.id)))


@dataclass
class NamedPatient:
    """A patient a sending region names for a quota (the rest comes from the quota)."""

    family_name: str
    given_name: str
    date_of_birth: str
    sex: str
    sending_hospital: str
    diagnosis: str
    mobility: str = "stretcher"
    urgency: str = "urgent"


def fill_quota(actor: User, quota_id: int, patients: list[NamedPatient]) -> list[Case]:
    """The sending region names patients for a quota: each becomes a domestic transfer request
    bound for the quota's region, registered by the same rules as any request, all or nothing."""
    from evac.services import intake

    quota = get_quota(actor, quota_id)
    if not actor.has_role(Role.REGIONAL, Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only the sending region's centre names the patients."))
    if quota.status != "open":
        raise Conflict(_("This transfer request is closed."))
    named = len(quota_cases(quota))
    if not patients:
        raise InvalidInput([Problem("patients", _("Name at least one patient."))])
    if named + len(patients) > quota.patients:
        raise InvalidInput([Problem("patients", _(
            "This request asks for %(n)d patients; %(named)d are named already.",
            n=quota.patients, named=named))])  # fmt: skip
    now = utcnow()
    requests = [
        {
            "external_ref": f"SPREAD-{quota.plan_id}-{quota.id}-{named + k + 1}",
            "source": Source.DOMESTIC,
            "requested_at": now.isoformat(),
            "sending_hospital": p.sending_hospital,
            "family_name": p.family_name,
            "given_name": p.given_name,
            "date_of_birth": p.date_of_birth,
            "sex": p.sex,
            "diagnosis": p.diagnosis,
            "requested_care": quota.category,
            "urgency": p.urgency,
            "mobility": p.mobility,
            "notes": _(
                "Spreading: from %(from)s to %(to)s.",
                **{"from": quota.from_region.code, "to": quota.to_region.code},
            ),
        }  # fmt: skip
        for k, p in enumerate(patients)
    ]
    raw = json.dumps({"requests": requests}, ensure_ascii=False).encode()
    problems = [
        Problem(
            "sending_hospital",
            _("Choose a hospital of region %(region)s.", region=quota.from_region.code),
            k,
        )  # fmt: skip
        for k, p in enumerate(patients)
        if (h := db.session.scalar(select(Hospital).where(Hospital.code == p.sending_hospital)))
        is None
        or h.region_id != quota.from_region_id
    ]
    if problems:
        raise InvalidInput(problems)
    result = intake.register_requests(actor, ImportChannel.FORM, raw, content_type="application/json",
                                      parsed=intake.request_format.parse_json(raw, date.today()))  # fmt: skip
    for case in result.created:
        # Part of the national plan: bound for the quota's region, placed by the national
        # centre there (not held by the sending region's desk).
        case.destination_region_id = quota.to_region_id
        case.quota_id = quota.id
        case.region_queue_id = None
        audit.record(actor, "case.quota_named", case, case=case, quota=quota.id)
    if named + len(result.created) >= quota.patients:
        quota.status = "filled"
    db.session.commit()
    return result.created


# ---------------------------------------------------------------------------------------------
# Back home as soon as possible


@dataclass
class AwayFromHome:
    case: Case
    home: Region
    since: datetime | None
    home_fraction: float


def away_from_home(user: User) -> list[AwayFromHome]:
    """Patients of domestic transfers placed outside their home region, who have arrived, whose
    home region now has room in their category (below the admin's threshold): longest away
    first."""
    if not user.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Your role may not plan returns."))
    threshold = float(_settings()["home_below"])
    occupancy = {
        (rc.region.id, c): b.fraction
        for rc in capacity.current_capacity()
        for c, b in rc.beds.items()
    }
    cases = db.session.scalars(
        select(Case)
        .where(
            Case.source == Source.DOMESTIC,
            Case.status == CaseStatus.ARRIVED,
            Case.origin_hospital_id.is_not(None),
            Case.hospital_id.is_not(None),
        )
        .options(
            selectinload(Case.origin_hospital),
            selectinload(Case.hospital),
            selectinload(Case.patient),
            selectinload(Case.returns),
        )  # fmt: skip
    )
    rows = []
    for case in cases:
        home_id = case.origin_hospital.region_id
        if case.hospital.region_id == home_id or any(
            r.status != CaseStatus.CANCELLED for r in case.returns
        ):
            continue
        if user.has_role(Role.REGIONAL) and user.region_id not in (
            home_id,
            case.hospital.region_id,
        ):
            continue
        fraction = occupancy.get((home_id, case.bed_category))
        if fraction is None or fraction >= threshold:
            continue
        since = db.session.scalar(
            select(StatusChange.at)
            .where(StatusChange.case_id == case.id, StatusChange.to_status == CaseStatus.ARRIVED)
            .order_by(StatusChange.at)
        )
        rows.append(AwayFromHome(case, case.origin_hospital.region, since, fraction))
    return sorted(rows, key=lambda r: r.since or utcnow())


def bring_home(actor: User, reference: str) -> Case:
    """One action: the return transfer to the patient's home region."""
    from evac.services import transport

    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only the national centre plans returns between regions."))
    case = get_case(actor, reference)
    if case.origin_hospital is None:
        raise Conflict(_("Case %(reference)s has no home region.", reference=reference))
    return transport.plan_return(
        actor,
        reference,
        transport.ReturnInput(destination="region", region_code=case.origin_hospital.region.code),
    )
