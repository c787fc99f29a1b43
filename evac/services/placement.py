"""Placement in the application: build an instance of ../shared/specs/placement.md from the
database, let the engine solve it, show and explain the proposal, recompute it when a
coordinator overrides a row, and turn the chosen proposal into offers.

The instance is kept with the proposal, so any proposal can be re-checked outside the app
(`python -m evac.placement instance.json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evac import placement as engine
from evac import workflow
from evac.extensions import db
from evac.models import Case, Flight, Hospital, HospitalBeds, Offer, PlacementProposal, User
from evac.models.types import utcnow
from evac.placement.model import build as build_model
from evac.placement.objective import region_totals
from evac.services import audit, offers, settings
from evac.services.capacity import AIRBORNE, ISOLATION, ROOMS
from evac.services.cases import get_case, get_cases, may_place
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.services.transport import AIRPORTS, DEFAULT_AIRPORT
from evac.terms import Role, Source, Urgency


def _coordinator(actor: User) -> None:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators place patients."))


def build_instance(
    cases: list[Case],
    flight: Flight | None = None,
    within_region: str | None = None,
    case_offers: dict[int, list[Offer]] | None = None,
) -> dict:
    """The instance for these cases, from the current beds (reserved beds count as occupied).
    `case_offers` (offers.offers_of) saves a statement per case when given."""
    if case_offers is None:
        case_offers = offers.offers_of(cases)
    if flight is not None:
        origin = {"lat": flight.arrival_lat, "lon": flight.arrival_lon}
    else:
        _name, lat, lon = AIRPORTS[DEFAULT_AIRPORT]
        origin = {"lat": lat, "lon": lon}
    beds: dict[int, dict[str, HospitalBeds]] = {}
    now = utcnow()
    for row in db.session.scalars(select(HospitalBeds)):
        if row.closed(now):
            continue  # closed to new patients: as if the hospital had none of these beds
        beds.setdefault(row.hospital_id, {})[row.category] = row
    hospitals = []
    for h in db.session.scalars(
        select(Hospital)
        .where(Hospital.active)
        .options(selectinload(Hospital.region))
        .order_by(Hospital.code)
    ):
        mine = beds.get(h.id, {})
        iso, negative = mine.get(ISOLATION), mine.get(AIRBORNE)
        hospitals.append(
            {
                "id": h.code, "region": h.region.code, "lat": h.lat, "lon": h.lon,
                "capacity": {c: b.capacity for c, b in sorted(mine.items()) if c not in ROOMS},
                "occupied": {c: b.occupied + b.reserved for c, b in sorted(mine.items()) if c not in ROOMS},
                "isolation_free": iso.free if iso else 0,
                "airborne_free": negative.free if negative else 0,
            }
        )  # fmt: skip
    all_regions = sorted({h["region"] for h in hospitals})
    patients = []
    for case in cases:
        p = {
            "id": case.reference,
            "category": case.bed_category,
            "priority": Urgency(case.urgency).priority,
            # airborne isolation takes a negative-pressure room, other isolation a single room
            "isolation": "airborne"
            if case.airborne
            else bool(
                case.triage.isolation_required if case.triage else case.clinical.isolation_required
            ),
        }
        if case.origin_hospital is not None and case.source in (Source.DOMESTIC, Source.RETURN):
            p["origin"] = {"lat": case.origin_hospital.lat, "lon": case.origin_hospital.lon}
        if within_region is not None:
            # A region's centre places within its own region (what it cannot, it escalates).
            p["exclude_regions"] = [r for r in all_regions if r != within_region]
        elif case.destination_region is not None:
            p["exclude_regions"] = [r for r in all_regions if r != case.destination_region.code]
        elif (
            case.source == Source.DOMESTIC
            and case.origin_hospital is not None
            and not case.include_own_region
        ):
            p["exclude_regions"] = [case.origin_hospital.region.code]
        if case.group_ref and sum(c.group_ref == case.group_ref for c in cases) > 1:
            # the engine keeps a group in one hospital, or places none of it
            p["group"] = case.group_ref
        excluded = set(offers.declined_hospitals(case, case_offers.get(case.id, [])))
        if case.origin_hospital is not None:
            excluded.add(case.origin_hospital.code)  # never to the hospital it leaves
        if excluded:
            p["exclude_hospitals"] = sorted(excluded)
        patients.append(p)
    return {
        "origin": origin,
        "weights": settings.get("placement_weights"),
        "hospitals": hospitals,
        "patients": patients,
    }


def allow_own_region(actor: User, reference: str, allowed: bool) -> Case:
    """Whether a domestic transfer may be placed in its own (sending) region after all."""
    _coordinator(actor)
    case = get_case(actor, reference)
    if case.source != Source.DOMESTIC:
        raise Conflict(_("Only a domestic transfer has a sending region to leave out."))
    case.include_own_region = allowed
    audit.record(
        actor, "case.own_region_allowed" if allowed else "case.own_region_excluded", case, case=case
    )
    db.session.commit()
    return case


def propose(actor: User, references: list[str], flight_id: int | None = None) -> PlacementProposal:
    """Solve the placement of these cases (or of a flight's unplaced cases) and keep it."""
    _coordinator(actor)
    offers.expire_overdue()
    flight = db.session.get(Flight, flight_id) if flight_id else None
    if flight_id and flight is None:
        raise NotFound(_("No flight %(id)s.", id=flight_id))
    if flight is not None and not references:
        aboard = list(
            db.session.scalars(
                select(Case).where(Case.flight_id == flight.id).order_by(Case.reference)
            )
        )
        held = offers.offers_of(aboard)
        references = [
            c.reference
            for c in aboard
            if c.status in workflow.PLACEABLE and not offers.has_pending(held[c.id])
        ]
    if not references:
        raise InvalidInput([Problem("cases", _("Choose at least one triaged case to place."))])
    references = _with_groups(actor, references)
    # All cases and their offers in a constant number of statements (a flight can be 200).
    cases = get_cases(actor, references)
    case_offers = offers.offers_of(cases)
    for case in cases:
        if not may_place(actor, case):
            raise Conflict(
                _("Case %(reference)s is with another centre.", reference=case.reference)
            )
        if case.status not in workflow.PLACEABLE or offers.has_pending(case_offers[case.id]):
            raise Conflict(
                _("Case %(reference)s is not waiting for placement.", reference=case.reference)
            )
    if (
        flight is None
        and all(c.flight_id for c in cases)
        and len({c.flight_id for c in cases}) == 1
    ):
        flight = cases[0].flight
    within = actor.region.code if actor.has_role(Role.REGIONAL) and actor.region else None
    instance = build_instance(cases, flight, within_region=within, case_offers=case_offers)
    result = engine.solve(engine.parse_instance(instance), time_limit=20)
    proposal = PlacementProposal(
        user_id=actor.id, kind="single" if len(cases) == 1 else "batch",
        flight_id=flight.id if flight else None, instance=instance, result=result.to_json(), chosen={},
    )  # fmt: skip
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor, "placement.proposed", proposal, cases=[c.reference for c in cases],
                 objective=result.objective, status=result.status)  # fmt: skip
    db.session.commit()
    return proposal


def _with_groups(actor: User, references: list[str]) -> list[str]:
    """The cases asked for, and the other members of their groups that wait for placement:
    a family is proposed together or not at all."""
    out = list(dict.fromkeys(references))
    groups = {
        c.group_ref
        for c in db.session.scalars(select(Case).where(Case.reference.in_(out)))
        if c.group_ref
    }
    if groups:
        for c in db.session.scalars(
            select(Case).where(Case.group_ref.in_(groups)).order_by(Case.reference)
        ):
            if (
                c.reference not in out
                and c.status in workflow.PLACEABLE
                and offers.pending_offer(c) is None
                and may_place(actor, c)
            ):
                out.append(c.reference)
    return out


def get_proposal(actor: User, proposal_id: int) -> PlacementProposal:
    _coordinator(actor)
    proposal = db.session.get(PlacementProposal, proposal_id)
    if proposal is not None and actor.has_role(Role.REGIONAL) and proposal.user_id != actor.id:
        proposal = None  # a region's centre sees its own proposals only
    if proposal is None:
        raise NotFound(_("No proposal %(id)s.", id=proposal_id))
    return proposal


@dataclass
class Option:
    """One hospital for one patient: what it would cost, and why."""

    hospital: str
    name: str
    region: str
    km: float
    cost: float
    occupancy_before: float | None
    occupancy_after: float | None
    free: int
    isolation_free: int = 0


def ranking(proposal: PlacementProposal, reference: str) -> list[Option]:
    """Every hospital that could take this patient, cheapest first (with the others where the
    engine put them)."""
    inst = engine.parse_instance(proposal.instance)
    model = build_model(inst)
    names = dict(db.session.execute(select(Hospital.code, Hospital.name)).all())
    chosen = dict(proposal.result["assignment"])
    patient = next(p for p in inst.patients if p.id == reference)
    unit_index = next(i for i, u in enumerate(model.units) if patient in u.patients)
    placed: dict[tuple[str, str], int] = {}
    hospitals = {h.id: h for h in inst.hospitals}
    for p in inst.patients:
        hid = chosen.get(p.id)
        if hid is not None and p.id != reference:
            key = (hospitals[hid].region, p.category)
            placed[key] = placed.get(key, 0) + 1
    out = []
    for j in model.candidates[unit_index]:
        h = inst.hospitals[j]
        key = (h.region, patient.category)
        n = placed.get(key, 0)
        cap, occ = model.capacity.get(key, 0), model.occupied.get(key, 0)
        distance = model.distance[unit_index][j]
        cost = (
            distance
            + model.load(h.region, patient.category, n + 1)
            - model.load(h.region, patient.category, n)
        )
        km = engine.haversine_km(inst.origin_of(patient), h.location)
        before = (occ + n) / cap if cap else None
        after = (occ + n + 1) / cap if cap else None
        out.append(
            Option(h.id, names.get(h.id, h.id), h.region, round(km, 1), round(cost, 1), before, after,
                   h.free(patient.category),
                   h.airborne_free if patient.airborne else h.isolation_free)
        )  # fmt: skip
    return sorted(out, key=lambda o: (o.cost, o.hospital))


@dataclass
class ProposalView:
    proposal: PlacementProposal
    cases: dict[str, Case]
    rankings: dict[str, list[Option]]
    evaluation: Evaluation
    # where each patient's distances are measured from, in words
    distance_from: dict[str, str] = field(default_factory=dict)
    isolation: dict[str, bool] = field(default_factory=dict)


def proposal_view(actor: User, proposal_id: int) -> ProposalView:
    """Everything the proposal page shows: the cases, each one's options, the totals."""
    proposal = get_proposal(actor, proposal_id)
    references = list(proposal.result["assignment"])
    cases = {
        c.reference: c
        for c in db.session.scalars(
            select(Case).where(Case.reference.in_(references)).options(selectinload(Case.patient))
        )
    }
    rankings = {r: ranking(proposal, r) for r in references}
    patients = {p["id"]: p for p in proposal.instance["patients"]}
    flight = db.session.get(Flight, proposal.flight_id) if proposal.flight_id else None
    airport = flight.arrival_airport if flight else AIRPORTS[DEFAULT_AIRPORT][0]
    distance_from = {
        r: (_("the sending hospital") if "origin" in patients.get(r, {}) else airport)
        for r in references
    }
    isolation = {r: bool(patients.get(r, {}).get("isolation")) for r in references}
    return ProposalView(proposal, cases, rankings, evaluate(proposal, {}), distance_from, isolation)


@dataclass
class Evaluation:
    objective: float
    problems: list[str]
    regions: list[dict]


def evaluate(proposal: PlacementProposal, choices: dict[str, str | None]) -> Evaluation:
    """The objective and feasibility of the proposal with a coordinator's overrides."""
    inst = engine.parse_instance(proposal.instance)
    assignment = dict(proposal.result["assignment"])
    for reference, code in choices.items():
        if reference in assignment:
            assignment[reference] = code or None
    problems = engine.check_feasible(inst, assignment)
    capacity, occupied = region_totals(inst)
    hospitals = {h.id: h for h in inst.hospitals}
    placed: dict[tuple[str, str], int] = {}
    for p in inst.patients:
        hid = assignment.get(p.id)
        if hid in hospitals:  # an unknown code is reported by check_feasible above
            key = (hospitals[hid].region, p.category)
            placed[key] = placed.get(key, 0) + 1
    regions = [
        {"region": r, "category": c, "placed": n, "before": occupied.get((r, c), 0) / capacity[(r, c)],
         "after": (occupied.get((r, c), 0) + n) / capacity[(r, c)]}
        for (r, c), n in sorted(placed.items()) if capacity.get((r, c))
    ]  # fmt: skip
    value = engine.objective(inst, assignment) if not problems else float("nan")
    return Evaluation(value, problems, regions)


def make_offers(actor: User, proposal_id: int, choices: dict[str, str | None]) -> list[Offer]:
    """Record the coordinator's choice (overrides included) and offer each case to its hospital."""
    proposal = get_proposal(actor, proposal_id)
    if proposal.chosen:
        raise Conflict(_("Offers were made from this proposal already."))
    evaluation = evaluate(proposal, choices)
    if evaluation.problems:
        raise InvalidInput([Problem("choices", message) for message in evaluation.problems])
    assignment = dict(proposal.result["assignment"])
    assignment.update({r: (c or None) for r, c in choices.items() if r in assignment})
    made = []
    for reference, code in sorted(assignment.items()):
        if code is not None:
            made.append(offers.make_offer(actor, reference, code, proposal_id=proposal.id))
    proposal = db.session.get(PlacementProposal, proposal_id)
    proposal.chosen = assignment
    overridden = {r: c for r, c in assignment.items() if c != proposal.result["assignment"].get(r)}
    audit.record(actor, "placement.chosen", proposal, offers=len(made), overridden=overridden)
    db.session.commit()
    return made
