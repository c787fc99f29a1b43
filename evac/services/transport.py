"""Transport: flights (or any mission) with their stretcher and seated places, the legs of each
patient's journey, arrival at the receiving hospital, closing a case, and return transfers.

A case's transport states (scheduled, in transit) follow from its legs: the service records
legs and lets workflow.state_from_legs say where the case stands. Arrival is confirmed by the
receiving hospital (or a coordinator), which turns the reserved bed into an occupied one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evac import workflow
from evac.extensions import db
from evac.models import (
    AuditEvent,
    Case,
    ClinicalPicture,
    Companion,
    FitnessToFly,
    Flight,
    HospitalBeds,
    Leg,
    Patient,
    Region,
    StatusChange,
    User,
)
from evac.models.types import utcnow
from evac.placement.instance import Point
from evac.placement.objective import haversine_km
from evac.services import audit, notify
from evac.services.capacity import rooms_of
from evac.services.cases import change_status, get_case
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.terms import (
    ArrivalState,
    BedCategory,
    CaseStatus,
    FlightStatus,
    LegMode,
    Mobility,
    Outcome,
    Role,
    Source,
    label,
)

# Airports where medevac flights have landed or may land: the arrival airport is data.
AIRPORTS = {
    "EIN": ("Eindhoven Airport", 51.4501, 5.3747),
    "GRQ": ("Groningen Airport Eelde", 53.1197, 6.5794),
    "AMS": ("Amsterdam Airport Schiphol", 52.3105, 4.7683),
    "RTM": ("Rotterdam The Hague Airport", 51.9569, 4.4372),
    "MST": ("Maastricht Aachen Airport", 50.9117, 5.7701),
}
DEFAULT_AIRPORT = "EIN"
HUB = "EU MEDEVAC hub Rzeszów-Jasionka (PL)"

# Drive from the aircraft door to the ambulance after landing
DISEMBARK = timedelta(minutes=45)


def _coordinator(actor: User) -> None:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only coordinators plan transport."))


# ---------------------------------------------------------------------------------------------
# Flights


@dataclass
class FlightInput:
    code: str
    operator: str
    planned_departure: datetime | None
    planned_arrival: datetime | None
    stretcher_places: int
    seated_places: int
    arrival_airport: str = DEFAULT_AIRPORT
    departure_place: str = HUB
    notes: str | None = None


def create_flight(actor: User, data: FlightInput) -> Flight:
    _coordinator(actor)
    problems = []
    code = (data.code or "").strip().upper()
    if not code:
        problems.append(Problem("code", _("This field is required.")))
    elif db.session.scalar(select(Flight.id).where(Flight.code == code)):
        problems.append(Problem("code", _("A flight %(code)s exists already.", code=code)))
    if data.arrival_airport not in AIRPORTS:
        problems.append(Problem("arrival_airport", _("Choose an airport from the list.")))
    for name in ("stretcher_places", "seated_places"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 0 <= value <= 400:
            problems.append(
                Problem(name, _("%(field)s must be a whole number from 0 to 400.", field=name))
            )
    if (
        data.planned_departure
        and data.planned_arrival
        and data.planned_arrival < data.planned_departure
    ):
        problems.append(Problem("planned_arrival", _("The flight lands before it leaves.")))
    if problems:
        raise InvalidInput(problems)
    name, lat, lon = AIRPORTS[data.arrival_airport]
    flight = Flight(
        code=code, operator=data.operator.strip() or "–", departure_place=data.departure_place.strip() or HUB,
        arrival_airport=name, arrival_lat=lat, arrival_lon=lon, planned_departure=data.planned_departure,
        planned_arrival=data.planned_arrival, stretcher_places=data.stretcher_places,
        seated_places=data.seated_places, status="planned", notes=data.notes,
    )  # fmt: skip
    db.session.add(flight)
    db.session.flush()
    audit.record(actor, "flight.created", flight, code=code, arrival=name)
    db.session.commit()
    return flight


def get_flight(user: User, flight_id: int) -> Flight:
    flight = db.session.get(Flight, flight_id)
    if flight is None or not user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        raise NotFound(_("No flight %(id)s.", id=flight_id))
    return flight


def flights(user: User, include_past: bool = False) -> list[Flight]:
    if not user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        raise Forbidden(_("Your role may not see flights."))
    query = select(Flight).order_by(Flight.planned_arrival.desc().nullslast(), Flight.id.desc())
    if not include_past:
        since = utcnow() - timedelta(days=3)
        query = query.where((Flight.planned_arrival >= since) | Flight.planned_arrival.is_(None))
    return list(db.session.scalars(query))


def flight_cases(flight: Flight) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.flight_id == flight.id, Case.status != CaseStatus.CANCELLED)
            .options(
                selectinload(Case.patient),
                selectinload(Case.hospital),
                selectinload(Case.companions),
            )
            .order_by(Case.reference)
        )
    )


@dataclass
class FitnessInput:
    physician: str
    equipment: str = ""
    attendants: str = ""


def confirm_fitness(actor: User, reference: str, data: FitnessInput) -> FitnessToFly:
    """Record that a physician has confirmed the patient may fly, with what the journey needs.
    Military aeromedical systems validate every patient before they move anyone; so do we."""
    _coordinator(actor)
    case = get_case(actor, reference)
    if case.triage_id is None:
        raise Conflict(_("Triage case %(reference)s first: fitness to fly is confirmed on a triage.",
                         reference=reference))  # fmt: skip
    if not awaits_fitness_check(case):
        raise Conflict(_("Case %(reference)s is not waiting for a flight.", reference=reference))
    physician = (data.physician or "").strip()
    equipment, attendants = (data.equipment or "").strip(), (data.attendants or "").strip()
    problems = []
    if not physician:
        problems.append(Problem("physician", _("Name the physician who confirms.")))
    elif len(physician) > 200:
        problems.append(Problem("physician", _("At most %(n)d characters.", n=200)))
    for name, value in (("equipment", equipment), ("attendants", attendants)):
        if len(value) > 2000:
            problems.append(Problem(name, _("At most %(n)d characters.", n=2000)))
    if problems:
        raise InvalidInput(problems)
    record = FitnessToFly(case_id=case.id, triage_id=case.triage_id, physician=physician,
                          equipment=equipment or None, attendants=attendants or None,
                          recorded_by_id=actor.id)  # fmt: skip
    db.session.add(record)
    audit.record(actor, "case.fit_to_fly", case, case=case, physician=physician)
    db.session.commit()
    return record


def awaits_fitness_check(case: Case) -> bool:
    """On a flight that has not left, triaged: a physician may (again) confirm it may fly."""
    return (case.flight_id is not None and case.triage_id is not None
            and case.status in workflow.FLIGHT_READY | {CaseStatus.SCHEDULED})  # fmt: skip


def fitness(case: Case) -> FitnessToFly | None:
    """The latest confirmation that the patient may fly, current or not."""
    return db.session.scalar(
        select(FitnessToFly).where(FitnessToFly.case_id == case.id)
        .order_by(FitnessToFly.id.desc()).limit(1)
    )  # fmt: skip


def fit_to_fly(case: Case) -> bool:
    """Confirmed on the case's current triage: a new triage may change what the flight needs."""
    return case.id in cleared_to_fly([case])


def cleared_to_fly(cases: list[Case]) -> set[int]:
    """The ids of the cases whose latest confirmation was given on their current triage, in one
    query for a whole flight."""
    if not cases:
        return set()
    latest: dict[int, int | None] = {}
    for case_id, triage_id in db.session.execute(
        select(FitnessToFly.case_id, FitnessToFly.triage_id)
        .where(FitnessToFly.case_id.in_([c.id for c in cases]))
        .order_by(FitnessToFly.id)
    ):
        latest[case_id] = triage_id
    return {c.id for c in cases if c.id in latest and latest[c.id] == c.triage_id}


@dataclass
class Places:
    stretcher: int
    seated: int

    def fits(self, flight: Flight) -> bool:
        return self.stretcher <= flight.stretcher_places and self.seated <= flight.seated_places


def places_needed(cases: list[Case]) -> Places:
    """Stretcher patients lie; seated and walking patients sit; every companion takes a seat."""
    stretcher = sum(1 for c in cases if c.mobility == Mobility.STRETCHER)
    seated = sum(1 for c in cases if c.mobility != Mobility.STRETCHER) + sum(
        len(c.companions) for c in cases
    )
    return Places(stretcher, seated)


def put_on_flight(actor: User, reference: str, flight_id: int) -> Leg:
    """Put a case on a flight, within its stretcher and seated places."""
    _coordinator(actor)
    case = get_case(actor, reference)
    flight = get_flight(actor, flight_id)
    if flight.status != "planned":
        raise Conflict(_("Flight %(code)s is %(status)s; patients can join planned flights only.",
                         code=flight.code, status=label(FlightStatus(flight.status)).lower()))  # fmt: skip
    if case.status not in workflow.FLIGHT_READY:
        raise Conflict(_("Case %(reference)s cannot be put on a flight now.", reference=reference))
    if case.flight_id == flight.id:
        raise Conflict(_("Case %(reference)s is on this flight already.", reference=reference))
    if case.flight_id is not None:
        raise Conflict(
            _(
                "Case %(reference)s is on another flight; take it off that one first.",
                reference=reference,
            )
        )
    # Lock the flight row so that two coordinators cannot fill the last place twice.
    db.session.scalar(select(Flight).where(Flight.id == flight.id).with_for_update())
    needed = places_needed([*flight_cases(flight), case])
    if not needed.fits(flight):
        db.session.rollback()
        raise Conflict(
            _("Flight %(code)s has no place left: it would need %(stretcher)d of %(s_total)d stretcher "
              "and %(seated)d of %(p_total)d seated places (companions included).",
              code=flight.code, stretcher=needed.stretcher, s_total=flight.stretcher_places,
              seated=needed.seated, p_total=flight.seated_places)
        )  # fmt: skip
    leg = _board(case, flight, actor)
    db.session.commit()
    return leg


def _board(case: Case, flight: Flight, actor: User) -> Leg:
    """The aircraft leg, the road leg after it and the case's state; the caller commits."""
    case.flight_id = flight.id
    leg = Leg(
        case=case, flight=flight, sequence=1, mode="aircraft", from_place=flight.departure_place,
        to_place=flight.arrival_airport, carrier=flight.operator, planned_departure=flight.planned_departure,
        planned_arrival=flight.planned_arrival,
    )  # fmt: skip
    db.session.add(leg)
    db.session.flush()
    audit.record(actor, "case.on_flight", case, case=case, flight=flight.code)
    _plan_road_leg(case, actor)
    _sync(case, actor)
    return leg


def remove_from_flight(actor: User, reference: str) -> None:
    _coordinator(actor)
    case = get_case(actor, reference)
    if case.flight_id is None:
        raise Conflict(_("Case %(reference)s is not on a flight.", reference=reference))
    if _legs(case) and any(leg.actual_departure for leg in _legs(case)):
        raise Conflict(
            _(
                "Case %(reference)s is on the way; it cannot leave the flight now.",
                reference=reference,
            )
        )
    flight_code = case.flight.code
    for leg in _legs(case):
        db.session.delete(leg)
    case.flight_id = None
    db.session.flush()
    audit.record(actor, "case.off_flight", case, case=case, flight=flight_code)
    _sync(case, actor)
    db.session.commit()


def set_flight_status(
    actor: User,
    flight_id: int,
    status: str,
    at: datetime | None = None,
    *,
    reason: str | None = None,
    override: bool = False,
) -> Flight:
    """Departed, landed or cancelled: the aircraft legs of its patients follow.

    A flight does not depart while a patient on it has no accepted hospital, nor more than an
    hour before its planned departure, unless the coordinator overrides with a reason; a
    cancellation needs a reason too."""
    _coordinator(actor)
    flight = get_flight(actor, flight_id)
    reason = (reason or "").strip()
    now = utcnow()
    if status == "cancelled" and not reason:
        raise InvalidInput([Problem("reason", _("Say why the flight is cancelled."))])
    if status == "departed" and flight.status == "planned" and not (override and reason):
        on_board = flight_cases(flight)
        unplaced = [c.reference for c in on_board if c.status not in workflow.HOLDS_BED]
        if unplaced:
            raise Conflict(_(
                "Not every patient has an accepted hospital (%(references)s). Depart anyway only "
                "with a reason, under 'Depart although…'.", references=", ".join(unplaced)))  # fmt: skip
        cleared = cleared_to_fly(on_board)
        unconfirmed = [c.reference for c in on_board if c.id not in cleared]
        if unconfirmed:
            raise Conflict(_(
                "No physician has confirmed that %(references)s may fly. Depart anyway only "
                "with a reason, under 'Depart although…'.", references=", ".join(unconfirmed)))  # fmt: skip
        if flight.planned_departure and flight.planned_departure - (at or now) > timedelta(hours=1):
            raise Conflict(_(
                "The flight is planned to leave at %(when)s, more than an hour from now. Depart "
                "early only with a reason, under 'Depart although…'.",
                when=format_datetime(flight.planned_departure, "short")))  # fmt: skip
    allowed = {
        "planned": {"departed", "cancelled"},
        "departed": {"landed"},
        "landed": set(),
        "cancelled": set(),
    }
    if status not in allowed[flight.status]:
        raise Conflict(_("A %(current)s flight cannot become %(status)s.",
                         current=label(FlightStatus(flight.status)).lower(),
                         status=label(FlightStatus(status)).lower() if status in set(FlightStatus) else status))  # fmt: skip
    at = at or utcnow()
    flight.status = status
    cases = flight_cases(flight)
    if status == "departed":
        flight.actual_departure = at
    elif status == "landed":
        flight.actual_arrival = at
    for case in cases:
        for leg in _legs(case):
            if leg.flight_id != flight.id:
                continue
            if status == "departed":
                leg.actual_departure = at
            elif status == "landed":
                leg.actual_arrival = at
        if status == "cancelled":
            for leg in _legs(case):
                db.session.delete(leg)
            case.flight_id = None
            db.session.flush()
        _sync(case, actor)
    audit.record(actor, f"flight.{status}", flight, code=flight.code, at=at, patients=len(cases),
                 reason=reason or None, override=override or None, flight_id=flight.id,
                 references=[c.reference for c in cases] if status == "cancelled" else None)  # fmt: skip
    db.session.commit()
    return flight


def may_reinstate(flight: Flight) -> bool:
    """A cancelled flight may be planned again while its departure time lies ahead."""
    return flight.status == "cancelled" and (
        flight.planned_departure is None or flight.planned_departure > utcnow()
    )


@dataclass(frozen=True)
class Reinstated:
    flight: Flight
    back: list[str]  # references on board again
    left: list[str]  # cancelled since, on another flight, or no longer fitting


def reinstate_flight(actor: User, flight_id: int) -> Reinstated:
    """Undo a cancellation while the flight can still leave: it is planned again and the
    patients it carried come back on board, unless they have since been cancelled, placed on
    another flight, or no longer fit."""
    _coordinator(actor)
    flight = get_flight(actor, flight_id)
    if flight.status != "cancelled":
        raise Conflict(_("Flight %(code)s is not cancelled.", code=flight.code))
    if not may_reinstate(flight):
        raise Conflict(_("Flight %(code)s was to leave at %(when)s; plan a new flight instead.",
                         code=flight.code, when=format_datetime(flight.planned_departure, "short")))  # fmt: skip
    cancellations = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "flight.cancelled", AuditEvent.object_type == "flight",
               AuditEvent.object_ref == flight.code)
        .order_by(AuditEvent.id.desc())
    )  # fmt: skip
    # Flight codes repeat over the months; the event names the flight by id too.
    last = next((e.data for e in cancellations if (e.data or {}).get("flight_id") == flight.id), {})
    earlier = last.get("references") or []
    flight.status = "planned"
    back, left = [], []
    for reference in earlier:
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        if (case is None or case.status not in workflow.FLIGHT_READY or case.flight_id is not None
                or not places_needed([*flight_cases(flight), case]).fits(flight)):  # fmt: skip
            left.append(reference)
            continue
        _board(case, flight, actor)
        back.append(reference)
    audit.record(actor, "flight.reinstated", flight, code=flight.code, flight_id=flight.id,
                 back=back, left=left)  # fmt: skip
    db.session.commit()
    return Reinstated(flight, back, left)


def flight_candidates(user: User) -> list[Case]:
    """Cases that may join a flight: triaged up to accepted, not on a flight yet."""
    _coordinator(user)
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.status.in_(workflow.FLIGHT_READY),
                Case.flight_id.is_(None),
                Case.source != Source.DOMESTIC,
            )
            .options(selectinload(Case.patient), selectinload(Case.hospital))
            .order_by(Case.reference)
        )
    )


# ---------------------------------------------------------------------------------------------
# Legs


def expected_arrival(case: Case):
    """When the patient is expected at the receiving hospital: the last leg's arrival as
    planned (or as it happened), else the flight's arrival."""
    legs = _legs(case)
    if legs:
        last = legs[-1]
        if last.actual_arrival or last.planned_arrival:
            return last.actual_arrival or last.planned_arrival
    return case.flight.planned_arrival if case.flight is not None else None


def case_legs(case: Case) -> list[Leg]:
    return _legs(case)


def _legs(case: Case) -> list[Leg]:
    return list(
        db.session.scalars(select(Leg).where(Leg.case_id == case.id).order_by(Leg.sequence, Leg.id))
    )


def road_mode(case: Case) -> str:
    """IC patients go by MICU, other lying patients by ambulance, walking ones by taxi."""
    ventilated = bool(case.triage.ventilated) if case.triage else bool(case.clinical.ventilated)
    if ventilated or case.bed_category in (BedCategory.IC, BedCategory.PICU):
        return "micu"
    if case.mobility == Mobility.STRETCHER:
        return "ambulance"
    return "taxi" if case.mobility == Mobility.WALKING else "ambulance"


# A first estimate of the drive, so that the ward knows when to expect the patient; the
# ambulance service's own time replaces it when the leg is recorded. Roads run about 1.3 times
# the straight line; an ambulance with a patient averages some 70 km/h.
ROAD_FACTOR, ROAD_KM_H, LOADING = 1.3, 70.0, timedelta(minutes=15)


def drive_time(flight: Flight, hospital) -> timedelta:
    km = haversine_km(
        Point(flight.arrival_lat, flight.arrival_lon), Point(hospital.lat, hospital.lon)
    )
    return LOADING + timedelta(hours=km * ROAD_FACTOR / ROAD_KM_H)


def _plan_road_leg(case: Case, actor: User | None) -> None:
    """Once a case on a flight is accepted, propose the drive from the airport to the ward."""
    if case.hospital_id is None or case.flight_id is None:
        return
    legs = _legs(case)
    if any(leg.mode != "aircraft" for leg in legs):
        return
    flight = case.flight
    start = flight.planned_arrival + DISEMBARK if flight.planned_arrival else None
    db.session.add(
        Leg(case=case, sequence=2, mode=road_mode(case), from_place=flight.arrival_airport,
            to_place=case.hospital.name, planned_departure=start,
            planned_arrival=start + drive_time(flight, case.hospital) if start else None)
    )  # fmt: skip
    db.session.flush()
    audit.record(
        actor, "leg.proposed", case, case=case, mode=road_mode(case), to=case.hospital.code
    )


@dataclass
class LegInput:
    mode: str
    from_place: str
    to_place: str
    carrier: str | None = None
    planned_departure: datetime | None = None
    planned_arrival: datetime | None = None


def add_leg(actor: User, reference: str, data: LegInput) -> Leg:
    _coordinator(actor)
    case = get_case(actor, reference)
    problems = []
    if data.mode not in {m.value for m in LegMode} or data.mode == LegMode.AIRCRAFT:
        problems.append(
            Problem(
                "mode", _("Choose a road or helicopter mode; flights are planned on the flight.")
            )
        )
    for name in ("from_place", "to_place"):
        if not (getattr(data, name) or "").strip():
            problems.append(Problem(name, _("This field is required.")))
    if problems:
        raise InvalidInput(problems)
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.IN_TRANSIT):
        raise Conflict(_("Transport is planned once a hospital has accepted the patient."))
    sequence = max((leg.sequence for leg in _legs(case)), default=0) + 1
    leg = Leg(case=case, sequence=sequence, mode=data.mode, from_place=data.from_place.strip(),
              to_place=data.to_place.strip(), carrier=(data.carrier or "").strip() or None,
              planned_departure=data.planned_departure, planned_arrival=data.planned_arrival)  # fmt: skip
    db.session.add(leg)
    db.session.flush()
    audit.record(actor, "leg.added", case, case=case, mode=data.mode, to=leg.to_place)
    _sync(case, actor)
    db.session.commit()
    return leg


def record_leg(actor: User, leg_id: int, *, departed: datetime | None = None, arrived: datetime | None = None,
               carrier: str | None = None) -> Leg:  # fmt: skip
    """A leg left or arrived. The final leg arriving is the patient arriving."""
    _coordinator(actor)
    leg = db.session.get(Leg, leg_id)
    if leg is None:
        raise NotFound(_("No leg %(id)s.", id=leg_id))
    case = leg.case
    if carrier is not None:
        leg.carrier = carrier.strip() or None
    if departed is not None:
        leg.actual_departure = departed
    if arrived is not None:
        if leg.actual_departure is None:
            leg.actual_departure = leg.planned_departure or arrived
        leg.actual_arrival = arrived
    db.session.flush()
    audit.record(actor, "leg.recorded", case, case=case, leg=leg.id, mode=leg.mode,
                 departed=departed, arrived=arrived)  # fmt: skip
    legs = _legs(case)
    if arrived is not None and leg is legs[-1] and leg.mode != "aircraft" and case.hospital_id:
        _arrive(case, actor, arrived)
    else:
        _sync(case, actor)
    db.session.commit()
    return leg


def _sync(case: Case, actor: User | None) -> None:
    """Bring the case's state in line with its legs."""
    legs = _legs(case)
    target = workflow.state_from_legs(
        case.status, bool(legs), any(leg.actual_departure for leg in legs)
    )
    for transition in workflow.transport_path(case.status, target):
        change_status(case, transition, None, by=actor.label if actor else "system")


def plan_after_acceptance(case: Case, actor: User) -> None:
    """Called when a hospital accepts: a case already on a flight gets its road leg."""
    _plan_road_leg(case, actor)
    _sync(case, actor)


# ---------------------------------------------------------------------------------------------
# Arrival, closing, return


def confirm_arrival(actor: User, reference: str, at: datetime | None = None) -> Case:
    """The receiving hospital (or a coordinator) confirms the patient is on the ward."""
    case = get_case(actor, reference)
    if actor.has_role(Role.HOSPITAL):
        if case.hospital_id != actor.hospital_id:
            raise NotFound(_("No case %(reference)s.", reference=reference))
    elif not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Your role may not confirm arrivals."))
    at = at or utcnow()
    if at > utcnow() + timedelta(minutes=5):
        raise InvalidInput([Problem("at", _("An arrival cannot lie in the future."))])
    for leg in _legs(case):
        if leg.actual_arrival is None:
            leg.actual_departure = leg.actual_departure or leg.planned_departure or at
            leg.actual_arrival = at
    _arrive(case, actor, at)
    db.session.commit()
    return case


def _arrive(case: Case, actor: User | None, at: datetime) -> None:
    from evac.services.offers import accepted_offer

    change_status(case, "arrive", actor, at=at)
    offer = accepted_offer(case)
    if offer is not None:
        # The reserved bed (and isolation room) is now an occupied one.
        for category in [offer.bed_category, *rooms_of(offer)]:
            beds = db.session.scalar(
                select(HospitalBeds)
                .where(
                    HospitalBeds.hospital_id == offer.hospital_id, HospitalBeds.category == category
                )
                .with_for_update()
            )
            if beds is not None:
                beds.reserved = max(0, beds.reserved - 1)
                beds.occupied += 1
    notify.queue(
        notify.duty_coordinator(),
        lambda: (_("Arrived: %(reference)s at %(hospital)s", reference=case.reference, hospital=case.hospital.code),
                 _("The patient of case %(reference)s arrived at %(hospital)s.", reference=case.reference,
                   hospital=case.hospital.name)),
    )  # fmt: skip


def close_case(
    actor: User, reference: str, outcome: str, on: date | None = None, note: str | None = None
) -> Case:
    _coordinator(actor)
    if outcome not in {o.value for o in Outcome}:
        raise InvalidInput([Problem("outcome", _("Choose an outcome from the list."))])
    case = get_case(actor, reference)
    on = on or utcnow().date()
    arrived = next(
        (s.at for s in reversed(case.status_changes) if s.to_status == CaseStatus.ARRIVED), None
    )
    if arrived is not None and on < arrived.date():
        raise InvalidInput([Problem("on", _("The outcome date lies before the arrival."))])
    change_status(case, "close", actor, note, outcome=outcome, on=on)
    case.outcome, case.outcome_on = outcome, on
    db.session.commit()
    return case


@dataclass
class ReturnInput:
    destination: str  # "region" (a Dutch region) or "abroad"
    region_code: str | None = None
    country: str | None = None
    facility: str | None = None
    urgency: str = "routine"
    notes: str | None = None


def plan_return(actor: User, reference: str, data: ReturnInput) -> Case:
    """A return transfer: a new case, prefilled from the first, linked both ways."""
    _coordinator(actor)
    original = get_case(actor, reference)
    if original.status not in (CaseStatus.ARRIVED, CaseStatus.CLOSED):
        raise Conflict(_("A return is planned for a patient who has arrived."))
    if original.hospital_id is None:
        raise Conflict(
            _("Case %(reference)s has no receiving hospital to return from.", reference=reference)
        )
    if any(r.status != CaseStatus.CANCELLED for r in original.returns):
        raise Conflict(_("Case %(reference)s has a return transfer already.", reference=reference))
    problems = []
    region = None
    if data.destination == "region":
        code = data.region_code or (
            original.origin_hospital.region.code if original.origin_hospital else None
        )
        region = db.session.scalar(select(Region).where(Region.code == (code or "")))
        if region is None:
            problems.append(Problem("region_code", _("Choose the region the patient returns to.")))
    elif data.destination == "abroad":
        if not (data.country or "").strip() or len(data.country.strip()) != 2:
            problems.append(
                Problem("country", _("Give the country as a two-letter code, e.g. UA."))
            )
    else:
        problems.append(Problem("destination", _("Choose a Dutch region or abroad.")))
    if data.urgency not in ("immediate", "urgent", "routine"):
        problems.append(Problem("urgency", _("Choose one of the listed values.")))
    if problems:
        raise InvalidInput(problems)
    now = utcnow()
    p, c = original.patient, original.clinical
    triaged = original.triage
    back = Case(
        reference=f"NEW-RETURN-{original.id}", status=CaseStatus.RECEIVED, source=Source.RETURN,
        external_ref=f"RETURN-{original.reference}", request_hash="", request={"return_of": original.reference},
        requested_at=now, received_at=now, sending_country="NL", sending_facility=original.hospital.name,
        origin_hospital_id=original.hospital_id,
        requested_care=triaged.bed_category if triaged else original.requested_care,
        urgency=data.urgency, mobility=original.mobility, fit_to_fly=original.fit_to_fly,
        war_related=original.war_related, contact_name=None, notes=data.notes, return_of=original,
        destination_region=region, destination_country=(data.country or "").strip().upper() or None,
        destination_facility=(data.facility or "").strip() or None,
        # a return to the region of origin is placed there, so its own region must be allowed
        include_own_region=True, patient_type=original.patient_type,
        region_of_origin=original.region_of_origin, place_type=original.place_type,
        family_in_nl=original.family_in_nl,
    )  # fmt: skip
    back.patient = Patient(family_name=p.family_name, given_name=p.given_name, family_name_latin=p.family_name_latin,
                           given_name_latin=p.given_name_latin, date_of_birth=p.date_of_birth, age_years=p.age_years,
                           sex=p.sex, languages=list(p.languages or []), weight_kg=p.weight_kg)  # fmt: skip
    back.clinical = ClinicalPicture(diagnosis=c.diagnosis, icd10=list(c.icd10 or []), ventilated=c.ventilated,
                                    oxygen_l_min=c.oxygen_l_min, mdro_status=c.mdro_status,
                                    isolation_required=c.isolation_required, allergies=c.allergies,
                                    medication=c.medication,
                                    # what the ward and the crew must still know on the way back
                                    tracheostomy=c.tracheostomy, devices=c.devices,
                                    vital_signs=c.vital_signs, ventilation=c.ventilation,
                                    mdro_organisms=c.mdro_organisms,
                                    mdro_screened_at=c.mdro_screened_at, infections=c.infections,
                                    isolation_type=c.isolation_type, code_status=c.code_status,
                                    pregnancy_weeks=c.pregnancy_weeks)  # fmt: skip
    back.companions = [Companion(name=x.name, relation=x.relation, age_years=x.age_years, notes=x.notes)
                       for x in original.companions]  # fmt: skip
    back.status_changes = [StatusChange(from_status=None, to_status=CaseStatus.RECEIVED, transition="register",
                                        at=now, user_id=actor.id)]  # fmt: skip
    db.session.add(back)
    db.session.flush()
    back.reference = f"EV-{now.year}-{back.id:05d}"
    back.request_hash = back.reference
    audit.record(actor, "case.return_planned", original, case=original, return_case=back.reference)
    audit.record(actor, "case.registered", back, case=back, return_of=original.reference)
    db.session.commit()
    return back


# ---------------------------------------------------------------------------------------------
# The arrival board


@dataclass
class ArrivalRow:
    case: Case
    road_leg: Leg | None
    state: str  # waiting, on_the_way, arrived
    fit: bool = False  # a physician confirmed it may fly, on its current triage

    @property
    def state_label(self) -> str:
        return label(ArrivalState(self.state))


def arrival_board(flight: Flight) -> list[ArrivalRow]:
    rows = []
    cases = flight_cases(flight)
    legs_by_case: dict[int, list[Leg]] = {}
    if cases:
        for leg in db.session.scalars(
            select(Leg).where(Leg.case_id.in_([c.id for c in cases])).order_by(Leg.sequence)
        ):
            legs_by_case.setdefault(leg.case_id, []).append(leg)
    cleared = cleared_to_fly(cases)
    for case in cases:
        road = next((leg for leg in legs_by_case.get(case.id, []) if leg.mode != "aircraft"), None)
        if case.status in (CaseStatus.ARRIVED, CaseStatus.CLOSED):
            state = "arrived"
        elif road is not None and road.actual_departure is not None:
            state = "on_the_way"
        else:
            state = "waiting"
        rows.append(ArrivalRow(case, road, state, case.id in cleared))
    return rows
