"""Placement in the application: the instance built from the database, propose -> choose ->
recorded as offers, overrides, and what a proposal must leave out."""

import pytest
from sqlalchemy import select

from evac import placement as engine
from evac.extensions import db
from evac.models import Offer, PlacementProposal, User
from evac.services import capacity, cases, offers, placement, settings, triage
from evac.services.errors import Conflict, InvalidInput


def actor(u) -> User:
    return db.session.get(User, u.id)


@pytest.fixture
def centre(ctx, make):
    c = actor(make.user("coordinator"))
    for code, occupied in (("UMCU", 90), ("MST2", 50), ("UMCG", 60), ("ETZ", 60)):
        capacity.report_capacity(
            c, code, capacity.Figures({"clinical": (100, occupied)}, 5), "phone"
        )
    return c


def triaged(make, c, **fields) -> str:
    ref = make.case(**fields)
    triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
    return ref


def test_the_instance_follows_the_spec_and_counts_reserved_beds(make, centre):
    ref = triaged(make, centre)
    other = triaged(make, centre)
    offers.accept_offer(centre, offers.make_offer(centre, other, "UMCU").id,
                        offers.Acceptance("B3", "Dr. M", "+31 30 250 0000"))  # fmt: skip
    inst = placement.build_instance([cases.get_case(centre, ref)])
    parsed = engine.parse_instance(inst)  # the file interface accepts it
    umcu = next(h for h in inst["hospitals"] if h["id"] == "UMCU")
    assert umcu["capacity"]["clinical"] == 100 and umcu["occupied"]["clinical"] == 91
    assert umcu["isolation_free"] == 4  # one room reserved for the accepted isolation patient
    (patient,) = parsed.patients
    assert (patient.id, patient.category, patient.priority, patient.isolation) == (
        ref,
        "clinical",
        2,
        True,
    )
    assert inst["weights"] == settings.get("placement_weights")


def test_an_airborne_patient_is_proposed_only_where_a_negative_pressure_room_is_free(make, centre):
    # Only ETZ (far from the airport, region occupancy average) reports such a room.
    capacity.report_capacity(centre, "ETZ", capacity.Figures({}, None, 1), "phone")
    tb = triaged(make, centre, infections=["tuberculosis"], mdro_status="negative")
    second = triaged(make, centre, infections=["TBC"], mdro_status="negative")
    inst = placement.build_instance([cases.get_case(centre, r) for r in (tb, second)])
    assert {p["isolation"] for p in inst["patients"]} == {"airborne"}
    assert next(h for h in inst["hospitals"] if h["id"] == "ETZ")["airborne_free"] == 1
    proposal = placement.propose(centre, [tb, second])
    placed = [h for h in proposal.result["assignment"].values() if h is not None]
    assert placed == ["ETZ"]  # one room, one patient; the other waits for the next room
    unplaced = next(r for r, h in proposal.result["assignment"].items() if h is None)
    assert proposal.result["explanations"][unplaced]


def test_propose_choose_and_the_choice_is_recorded(make, centre):
    ref = triaged(make, centre)
    proposal = placement.propose(centre, [ref])
    best = proposal.result["assignment"][ref]
    ranking = placement.ranking(proposal, ref)
    assert ranking[0].hospital == best and ranking == sorted(
        ranking, key=lambda o: (o.cost, o.hospital)
    )
    (offer,) = placement.make_offers(centre, proposal.id, {})
    assert (offer.hospital.code, offer.proposal_id) == (best, proposal.id)
    stored = db.session.get(PlacementProposal, proposal.id)
    assert stored.chosen == {ref: best}
    assert cases.get_case(centre, ref).status == "offered"
    with pytest.raises(Conflict):
        placement.make_offers(centre, proposal.id, {})


def test_an_override_is_recomputed_and_checked(make, centre):
    a, b = triaged(make, centre), triaged(make, centre)
    proposal = placement.propose(centre, [a, b])
    assert proposal.kind == "batch" and proposal.result["status"] == "optimal"
    optimum = placement.evaluate(proposal, {})
    worse = placement.evaluate(proposal, {a: "UMCU"})
    assert worse.objective > optimum.objective and worse.problems == []
    assert placement.evaluate(proposal, {a: None}).objective > optimum.objective
    with pytest.raises(InvalidInput):
        placement.make_offers(centre, proposal.id, {a: "NOPE"})
    made = placement.make_offers(centre, proposal.id, {a: "UMCU", b: None})
    assert [(o.case.reference, o.hospital.code) for o in made] == [(a, "UMCU")]
    assert db.session.get(PlacementProposal, proposal.id).chosen == {a: "UMCU", b: None}


def test_declined_hospitals_are_left_out_of_the_next_proposal(make, centre):
    ref = triaged(make, centre)
    first = placement.propose(centre, [ref])
    best = first.result["assignment"][ref]
    offer = placement.make_offers(centre, first.id, {})[0]
    offers.decline_offer(centre, offer.id, "no_staff")
    again = placement.propose(centre, [ref])
    assert again.result["assignment"][ref] not in (None, best)
    assert best not in [o.hospital for o in placement.ranking(again, ref)]


def test_a_domestic_transfer_is_placed_outside_its_own_region(make, centre):
    ref = triaged(make, centre, source="domestic", sending_hospital="CZE", sending_country=None)
    proposal = placement.propose(centre, [ref])
    chosen = proposal.result["assignment"][ref]
    assert chosen != "ETZ"  # ETZ is in BRA, the sending region, and near Eindhoven
    assert all(o.region != "BRA" for o in placement.ranking(proposal, ref))
    patient = proposal.instance["patients"][0]
    assert patient["exclude_regions"] == ["BRA"] and patient["origin"]["lat"] == pytest.approx(
        51.44, abs=0.05
    )
    case = cases.get_case(centre, ref)
    case.include_own_region = True
    db.session.commit()
    assert "exclude_regions" not in placement.build_instance([case])["patients"][0]


def test_only_waiting_cases_are_placed(make, centre):
    ref = make.case()
    with pytest.raises(Conflict):
        placement.propose(centre, [ref])  # not triaged
    with pytest.raises(InvalidInput):
        placement.propose(centre, [])
    assert db.session.scalar(select(Offer)) is None
