"""Transport: flight places, states from legs, arrival, closing, return transfers, and
domestic transfers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import Flight, HospitalBeds, User
from evac.models.types import utcnow
from evac.services import capacity, cases, offers, transport, triage
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound

ACCEPT = offers.Acceptance(ward="B3", contact_name="Dr. Mulder", contact_phone="+31 30 000")
FIT = transport.FitnessInput(
    physician="Dr. Kovalenko", equipment="Oxygen", attendants="Flight nurse"
)


def actor(u) -> User:
    return db.session.get(User, u.id)


@pytest.fixture
def centre(ctx, make):
    coordinator = actor(make.user("coordinator"))
    for code in ("UMCU", "UMCG"):
        capacity.report_capacity(
            coordinator,
            code,
            capacity.Figures({"clinical": (100, 80), "ic": (20, 10)}, 10),
            "phone",
        )
    return coordinator


def accepted(make, coordinator, code="UMCU", **fields) -> str:
    ref = make.case(**fields)
    triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))
    offers.accept_offer(coordinator, offers.make_offer(coordinator, ref, code).id, ACCEPT)
    return ref


def flight(coordinator, stretcher=2, seated=3):
    arrival = utcnow() + timedelta(hours=3)
    return transport.create_flight(coordinator, transport.FlightInput(
        code=f"NOR-{stretcher}{seated}", operator="SAS", planned_departure=arrival - timedelta(hours=4),
        planned_arrival=arrival, stretcher_places=stretcher, seated_places=seated))  # fmt: skip


def status(coordinator, ref) -> str:
    db.session.expire_all()
    return cases.get_case(coordinator, ref).status


def test_flight_places_stretchers_seats_and_companions(make, centre):
    f = flight(centre, stretcher=1, seated=2)
    lying = accepted(make, centre, mobility="stretcher")
    sitting = accepted(
        make, centre, mobility="seated", companions=[{"name": "Марія", "relation": "mother"}]
    )
    another_lying = accepted(make, centre, mobility="stretcher")
    transport.put_on_flight(centre, lying, f.id)
    transport.put_on_flight(centre, sitting, f.id)  # 1 seat for the patient, 1 for the mother
    assert transport.places_needed(transport.flight_cases(f)) == transport.Places(1, 2)
    with pytest.raises(Conflict) as err:
        transport.put_on_flight(centre, another_lying, f.id)
    assert "1 of 1 stretcher" not in err.value.message and "2 of 1 stretcher" in err.value.message
    walking = accepted(make, centre, mobility="walking")
    with pytest.raises(Conflict):
        transport.put_on_flight(centre, walking, f.id)  # the seats are taken
    assert status(centre, another_lying) == "accepted"


def test_states_follow_the_legs(make, centre):
    f = flight(centre)
    ref = accepted(make, centre, mobility="stretcher", ventilated=True, requested_care="ic")
    transport.put_on_flight(centre, ref, f.id)
    case = cases.get_case(centre, ref)
    legs = transport.case_legs(case)
    assert status(centre, ref) == "scheduled"
    assert [(leg.mode, leg.to_place) for leg in legs] == [
        ("aircraft", "Eindhoven Airport"),
        ("micu", case.hospital.name),
    ]
    assert legs[1].planned_departure == f.planned_arrival + transport.DISEMBARK
    # The ward is told when to expect the patient: after the drive from the airport.
    drive = legs[1].planned_arrival - legs[1].planned_departure
    assert timedelta(minutes=15) < drive < timedelta(hours=4)
    assert transport.expected_arrival(case) == legs[1].planned_arrival
    transport.confirm_fitness(centre, ref, FIT)
    transport.set_flight_status(centre, f.id, "departed")
    assert status(centre, ref) == "in_transit"
    transport.set_flight_status(centre, f.id, "landed")
    road = transport.case_legs(cases.get_case(centre, ref))[1]
    transport.record_leg(centre, road.id, departed=utcnow(), carrier="AZN 07-114")
    assert status(centre, ref) == "in_transit"
    transport.record_leg(centre, road.id, arrived=utcnow())
    assert status(centre, ref) == "arrived"
    history = [s.to_status for s in cases.get_case(centre, ref).status_changes]
    assert history[-4:] == ["accepted", "scheduled", "in_transit", "arrived"]


def test_taking_a_patient_off_the_flight_unschedules(make, centre):
    f = flight(centre)
    ref = accepted(make, centre)
    transport.put_on_flight(centre, ref, f.id)
    transport.remove_from_flight(centre, ref)
    assert (
        status(centre, ref) == "accepted" and transport.case_legs(cases.get_case(centre, ref)) == []
    )


def test_a_cancelled_flight_returns_its_patients_to_accepted(make, centre):
    f = flight(centre)
    ref = accepted(make, centre)
    transport.put_on_flight(centre, ref, f.id)
    transport.set_flight_status(centre, f.id, "cancelled", reason="Aircraft grounded")
    assert status(centre, ref) == "accepted" and cases.get_case(centre, ref).flight_id is None
    with pytest.raises(Conflict):
        transport.set_flight_status(centre, f.id, "departed")


def test_a_flight_cancelled_by_mistake_is_planned_again_with_the_patients_still_free(make, centre):
    departure = utcnow() + timedelta(hours=6)
    f = transport.create_flight(centre, transport.FlightInput(
        code="NOR-9", operator="SAS", planned_departure=departure,
        planned_arrival=departure + timedelta(hours=3), stretcher_places=3, seated_places=3))  # fmt: skip
    stays, cancelled, elsewhere = (accepted(make, centre) for _ in range(3))
    for ref in (stays, cancelled, elsewhere):
        transport.put_on_flight(centre, ref, f.id)
    transport.set_flight_status(centre, f.id, "cancelled", reason="Wrong flight clicked")
    cases.cancel_case(centre, cancelled, "Died before transport")
    transport.put_on_flight(centre, elsewhere, flight(centre).id)

    done = transport.reinstate_flight(centre, f.id)

    assert done.flight.status == "planned"
    assert done.back == [stays] and sorted(done.left) == sorted([cancelled, elsewhere])
    assert status(centre, stays) == "scheduled"
    assert [leg.mode for leg in transport.case_legs(cases.get_case(centre, stays))] == [
        "aircraft",
        "ambulance",
    ]
    with pytest.raises(Conflict):
        transport.reinstate_flight(centre, f.id)  # not cancelled any more


def test_a_cancelled_flight_whose_time_has_passed_is_not_planned_again(make, centre):
    f = flight(centre)  # was to leave an hour ago
    transport.set_flight_status(centre, f.id, "cancelled", reason="Aircraft grounded")
    with pytest.raises(Conflict, match="plan a new flight"):
        transport.reinstate_flight(centre, f.id)
    with pytest.raises(Forbidden):
        transport.reinstate_flight(actor(make.user("viewer")), f.id)


def test_a_flight_leaves_only_with_every_patient_confirmed_fit_to_fly(make, centre):
    departure = utcnow() + timedelta(minutes=30)
    f = transport.create_flight(centre, transport.FlightInput(
        code="FIT-1", operator="SAS", planned_departure=departure,
        planned_arrival=departure + timedelta(hours=3), stretcher_places=3, seated_places=3))  # fmt: skip
    cleared, waiting = accepted(make, centre), accepted(make, centre)
    for ref in (cleared, waiting):
        transport.put_on_flight(centre, ref, f.id)
    transport.confirm_fitness(centre, cleared, FIT)
    with pytest.raises(InvalidInput):  # who confirmed must be said
        transport.confirm_fitness(centre, waiting, transport.FitnessInput(physician="  "))
    with pytest.raises(Forbidden):
        transport.confirm_fitness(actor(make.user("viewer")), waiting, FIT)
    with pytest.raises(Conflict) as err:
        transport.set_flight_status(centre, f.id, "departed")
    assert waiting in err.value.message and cleared not in err.value.message

    transport.confirm_fitness(centre, waiting, FIT)
    transport.set_flight_status(centre, f.id, "departed")
    assert db.session.get(Flight, f.id).status == "departed"


def test_a_new_triage_asks_for_a_new_fitness_confirmation(make, centre):
    f = flight(centre)
    ref = make.case()
    triage.triage_case(centre, ref, triage.starting_values(cases.get_case(centre, ref)))
    transport.put_on_flight(centre, ref, f.id)
    transport.confirm_fitness(centre, ref, FIT)
    assert transport.fit_to_fly(cases.get_case(centre, ref))
    values = triage.starting_values(cases.get_case(centre, ref))
    values.ventilated = True
    values.bed_category = "ic"
    triage.triage_case(centre, ref, values)
    case = cases.get_case(centre, ref)
    assert not transport.fit_to_fly(case) and transport.fitness(case).physician == "Dr. Kovalenko"


def test_patients_join_before_placement_and_get_their_road_leg_on_acceptance(make, centre):
    f = flight(centre)
    ref = make.case()
    triage.triage_case(centre, ref, triage.starting_values(cases.get_case(centre, ref)))
    transport.put_on_flight(centre, ref, f.id)
    assert status(centre, ref) == "triaged"
    offers.accept_offer(centre, offers.make_offer(centre, ref, "UMCG").id, ACCEPT)
    assert status(centre, ref) == "scheduled"
    assert [leg.mode for leg in transport.case_legs(cases.get_case(centre, ref))] == [
        "aircraft",
        "ambulance",
    ]


def test_the_hospital_confirms_arrival_and_the_bed_becomes_occupied(make, centre):
    ref = accepted(make, centre, "UMCU")
    beds = lambda: db.session.scalar(select(HospitalBeds).where(HospitalBeds.category == "clinical",  # noqa: E731
                                     HospitalBeds.hospital.has(code="UMCU")))  # fmt: skip
    assert (beds().occupied, beds().reserved) == (80, 1)
    with pytest.raises(NotFound):
        transport.confirm_arrival(actor(make.user("hospital", "UMCG")), ref)
    with pytest.raises(Forbidden):
        transport.confirm_arrival(actor(make.user("viewer")), ref)
    transport.confirm_arrival(actor(make.user("hospital", "UMCU")), ref)
    db.session.expire_all()
    assert status(centre, ref) == "arrived" and (beds().occupied, beds().reserved) == (81, 0)
    with pytest.raises(Conflict):
        transport.confirm_arrival(centre, ref)


def test_close_with_an_outcome(make, centre):
    ref = accepted(make, centre)
    transport.confirm_arrival(centre, ref)
    with pytest.raises(InvalidInput):
        transport.close_case(centre, ref, "vanished")
    with pytest.raises(InvalidInput):
        transport.close_case(centre, ref, "discharged", utcnow().date() - timedelta(days=3))
    case = transport.close_case(centre, ref, "discharged")
    assert case.status == "closed" and case.outcome == "discharged"


def test_a_return_transfer_is_a_linked_prefilled_case(make, centre):
    ref = accepted(make, centre, companions=[{"name": "Марія", "relation": "mother"}],
                   code_status="dnr", tracheostomy=True, infections=["hepatitis B"],
                   devices=["chest drain"])  # fmt: skip
    with pytest.raises(Conflict):
        transport.plan_return(
            centre, ref, transport.ReturnInput("abroad", country="UA")
        )  # not arrived yet
    transport.confirm_arrival(centre, ref)
    with pytest.raises(InvalidInput):
        transport.plan_return(centre, ref, transport.ReturnInput("abroad", country="Ukraine"))
    back = transport.plan_return(
        centre, ref, transport.ReturnInput("abroad", country="ua", facility="Lviv Regional")
    )
    original = cases.get_case(centre, ref)
    assert back.return_of.reference == ref and [r.reference for r in original.returns] == [
        back.reference
    ]
    assert (
        back.source == "return"
        and back.status == "received"
        and back.origin_hospital.code == "UMCU"
    )
    assert back.patient.family_name == "Шевченко" and back.companions[0].relation == "mother"
    assert (back.destination_country, back.destination_facility) == ("UA", "Lviv Regional")
    # What the crew and the ward must know travels back too.
    assert (back.clinical.code_status, back.clinical.tracheostomy) == ("dnr", True)
    assert back.clinical.devices == ["chest drain"] and back.clinical.infections == ["hepatitis B"]
    assert back.place_needed == "ic_stretcher"
    with pytest.raises(Conflict):
        transport.plan_return(centre, ref, transport.ReturnInput("abroad", country="UA"))


def test_a_domestic_patient_returns_to_the_region_of_origin(make, centre):
    ref = make.case(source="domestic", sending_hospital="HMC", sending_country=None)
    triage.triage_case(centre, ref, triage.starting_values(cases.get_case(centre, ref)))
    offers.accept_offer(centre, offers.make_offer(centre, ref, "UMCG").id, ACCEPT)
    transport.confirm_arrival(centre, ref)
    back = transport.plan_return(centre, ref, transport.ReturnInput("region"))
    assert back.destination_region.code == "WEST" and back.include_own_region


def test_a_flight_waits_for_accepted_hospitals_or_a_reason(ctx, make):
    from evac.models import Flight

    centre = db.session.get(User, make.user("coordinator").id)
    f = transport.create_flight(centre, transport.FlightInput(
        code="GUARD-1", operator="SAS", planned_departure=utcnow() + timedelta(hours=3),
        planned_arrival=utcnow() + timedelta(hours=6), stretcher_places=5, seated_places=5))  # fmt: skip
    ref = make.case()
    triage.triage_case(centre, ref, triage.starting_values(cases.get_case(centre, ref)))
    transport.put_on_flight(centre, ref, f.id)
    with pytest.raises(Conflict) as err:
        transport.set_flight_status(centre, f.id, "departed")
    assert ref in err.value.message
    with pytest.raises(Conflict):  # an override without a reason is no override
        transport.set_flight_status(centre, f.id, "departed", override=True)
    transport.remove_from_flight(centre, ref)
    with pytest.raises(Conflict) as err:  # three hours early
        transport.set_flight_status(centre, f.id, "departed")
    assert "more than an hour" in err.value.message
    transport.set_flight_status(centre, f.id, "departed", override=True, reason="Weather window")
    assert db.session.get(Flight, f.id).status == "departed"
