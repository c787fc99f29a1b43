"""Spreading in the application: the alert, plans from current capacity and transport, quotas
issued to sending regions and filled with named patients, the regional tier (requests held by the
region, placed within it, escalated), back home, and groups kept together."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import OutboxMessage, SpreadingPlan, TransferQuota, User
from evac.services import capacity, cases, offers, placement, spreading, transport, triage
from evac.services.errors import Conflict, InvalidInput, NotFound
from evac.spreading import Move

ACCEPT = offers.Acceptance(ward="B-3", contact_name="Dr. Visser", contact_phone="+31 50 000 0000")


def user(u) -> User:
    return db.session.get(User, u.id)


@pytest.fixture
def busy_west(ctx, make):
    """NW's intensive care nearly full, NN's calm; both regions report crews."""
    coordinator = user(make.user("coordinator"))
    capacity.report_capacity(coordinator, "AZW", capacity.Figures({"ic": (40, 39), "clinical": (400, 380)}, 2), "phone")  # fmt: skip
    capacity.report_capacity(coordinator, "SPAR", capacity.Figures({"ic": (20, 20), "clinical": (300, 290)}, 1), "phone")  # fmt: skip
    capacity.report_capacity(coordinator, "UMCG", capacity.Figures({"ic": (40, 20), "clinical": (600, 400)}, 4), "phone")  # fmt: skip
    capacity.report_capacity(coordinator, "MCL", capacity.Figures({"ic": (20, 10), "clinical": (300, 200)}, 1), "phone")  # fmt: skip
    capacity.report_transport(coordinator, "NW", ambulances=6, micu=3)
    capacity.report_transport(coordinator, "NN", ambulances=4, micu=1)
    return coordinator


def test_the_alert_names_the_category_and_the_regions_apart(busy_west):
    alerts = spreading.spread_alerts()
    ic = next(a for a in alerts if a.category == "ic")
    assert (ic.busiest, ic.calmest) == ("NW", "NN") and ic.points == 48


def test_the_national_instance_holds_regions_beds_and_their_transport(busy_west):
    instance = spreading.national_instance()
    units = {u["code"]: u for u in instance["units"]}
    assert units["NW"]["beds"]["ic"] == {"capacity": 60, "occupied": 59}
    assert units["NW"]["send"]["ic"] == 3  # the MICU crews
    assert sum(n for c, n in units["NW"]["send"].items() if c != "ic") <= 6  # the ambulances


def test_a_plan_is_kept_with_its_instance_and_moves_within_the_transport(busy_west):
    record = spreading.propose_plan(busy_west)
    moves = record.result["moves"]
    assert record.scope == "national" and record.instance["units"]
    ic = [m for m in moves if m["category"] == "ic"]
    assert ic and all(m["from"] == "NW" for m in ic) and sum(m["patients"] for m in ic) <= 3
    assert record.result["status"] == "optimal"


def test_issuing_turns_the_plan_into_quotas_and_tells_the_sending_region(busy_west, make):
    make.user("regional", region="NW", email="rcps@nw.example")
    record = spreading.propose_plan(busy_west)
    with pytest.raises(InvalidInput):  # more than NW's three MICU crews
        spreading.issue_plan(busy_west, record.id, [Move("NW", "NN", "ic", 5)])
    quotas = spreading.issue_plan(busy_west, record.id, [Move("NW", "NN", "ic", 2)])
    assert [(q.from_region.code, q.to_region.code, q.category, q.patients) for q in quotas] == [
        ("NW", "NN", "ic", 2)
    ]
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "rcps@nw.example")
    )
    assert "2 patients of" in mail.body and "NN" in mail.body
    assert db.session.get(SpreadingPlan, record.id).status == "issued"
    with pytest.raises(Conflict):
        spreading.issue_plan(busy_west, record.id, [Move("NW", "NN", "ic", 1)])


def named(**kw) -> spreading.NamedPatient:
    data = {"family_name": "Jansen", "given_name": "Kees", "date_of_birth": "1950-01-02",
            "sex": "male", "sending_hospital": "AZW", "diagnosis": "Pneumonia, ventilated"}  # fmt: skip
    data.update(kw)
    return spreading.NamedPatient(**data)


def quota(coordinator) -> TransferQuota:
    record = spreading.propose_plan(coordinator)
    return spreading.issue_plan(coordinator, record.id, [Move("NW", "NN", "ic", 2)])[0]


def test_the_sending_region_names_patients_who_become_transfers_to_the_destination(busy_west, make):
    q = quota(busy_west)
    rcps = user(make.user("regional", region="NW"))
    with pytest.raises(InvalidInput):  # not a hospital of NW
        spreading.fill_quota(rcps, q.id, [named(sending_hospital="UMCG")])
    with pytest.raises(InvalidInput):  # three for a quota of two
        spreading.fill_quota(rcps, q.id, [named(), named(), named()])
    created = spreading.fill_quota(rcps, q.id, [named(), named(family_name="Vries")])
    assert len(created) == 2
    case = cases.get_case(busy_west, created[0].reference)
    assert case.destination_region.code == "NN" and case.quota_id == q.id
    assert case.region_queue_id is None  # the national centre places it, in NN
    assert case.requested_care == "ic" and case.source == "domestic"
    assert db.session.get(TransferQuota, q.id).status == "filled"
    # Placement offers it only hospitals of the destination region.
    triage.triage_case(busy_west, case.reference, triage.starting_values(case))
    instance = placement.build_instance([cases.get_case(busy_west, case.reference)])
    assert "NN" not in instance["patients"][0]["exclude_regions"]
    assert "NW" in instance["patients"][0]["exclude_regions"]
    assert "AZW" in instance["patients"][0]["exclude_hospitals"]  # the hospital it leaves
    # An offer by hand keeps to it too: hospitals of NN only, never the hospital it leaves.
    case = cases.get_case(busy_west, case.reference)
    assert {c.hospital.region.code for c in offers.candidates(case)} == {"NN"}
    for elsewhere, says in (("AZW", "leaves"), ("MST2", "under a transfer request")):
        with pytest.raises(InvalidInput) as refused:
            offers.make_offer(busy_west, case.reference, elsewhere)
        assert says in refused.value.problems[0].message
    assert offers.make_offer(busy_west, case.reference, "UMCG").hospital.code == "UMCG"
    other = user(make.user("regional", region="ZWN"))
    with pytest.raises(NotFound):
        spreading.get_quota(other, q.id)


def test_a_domestic_request_goes_to_its_regional_centre_first_then_escalates(ctx, make):
    coordinator = user(make.user("coordinator"))
    nothing_yet = make.case(source="domestic", sending_hospital="CZE", sending_country=None,
                            external_ref="D-0")  # fmt: skip
    assert cases.get_case(coordinator, nothing_yet).region_queue_id is None  # BRA has no centre
    rcps = user(make.user("regional", region="BRA"))
    ref = make.case(source="domestic", sending_hospital="CZE", sending_country=None,
                    external_ref="D-1")  # fmt: skip
    case = cases.get_case(coordinator, ref)
    assert case.region_queue.code == "BRA"
    assert ref not in [c.reference for c in triage.waiting_for_triage(coordinator)]
    assert ref in [c.reference for c in triage.waiting_for_triage(rcps)]
    with pytest.raises(InvalidInput):
        cases.escalate(rcps, ref, "  ")
    cases.escalate(rcps, ref, "No IC bed free in Brabant tonight")
    case = cases.get_case(coordinator, ref)
    assert case.region_queue_id is None and case.escalation_reason.startswith("No IC bed")
    assert ref in [c.reference for c in triage.waiting_for_triage(coordinator)]
    assert ref not in [c.reference for c in triage.waiting_for_triage(rcps)]
    with pytest.raises(Conflict):
        cases.escalate(rcps, ref, "again")


def test_a_regional_centre_places_within_its_region_and_sees_no_other_region(ctx, make):
    coordinator = user(make.user("coordinator"))
    capacity.report_capacity(coordinator, "CZE", capacity.Figures({"clinical": (300, 200)}, 2), "phone")  # fmt: skip
    capacity.report_capacity(coordinator, "UMCU", capacity.Figures({"clinical": (300, 100)}, 2), "phone")  # fmt: skip
    rcps = user(make.user("regional", region="BRA"))
    ref = make.case(source="domestic", sending_hospital="ETZ", sending_country=None,
                    external_ref="D-2")  # fmt: skip
    elsewhere = make.case(external_ref="EU-9")  # an evacuation, not BRA's
    with pytest.raises(NotFound):
        cases.get_case(rcps, elsewhere)
    triage.triage_case(rcps, ref, triage.starting_values(cases.get_case(rcps, ref)))
    proposal = placement.propose(rcps, [ref])
    regions = {h["region"] for h in proposal.instance["hospitals"]}
    excluded = set(proposal.instance["patients"][0]["exclude_regions"])
    assert excluded == regions - {"BRA"}
    assert proposal.result["assignment"][ref] == "CZE"
    with pytest.raises(InvalidInput):  # UMCU lies in MN
        offers.make_offer(rcps, ref, "UMCU")
    offers.make_offer(rcps, ref, "CZE")
    assert cases.get_case(rcps, ref).status == "offered"


def test_patients_away_from_home_are_listed_and_brought_back(ctx, make):
    coordinator = user(make.user("coordinator"))
    capacity.report_capacity(coordinator, "CZE", capacity.Figures({"clinical": (300, 150)}, 2), "phone")  # fmt: skip
    capacity.report_capacity(coordinator, "UMCU", capacity.Figures({"clinical": (300, 100)}, 2), "phone")  # fmt: skip
    ref = make.case(source="domestic", sending_hospital="CZE", sending_country=None,
                    external_ref="D-3")  # fmt: skip
    triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))
    offer = offers.make_offer(coordinator, ref, "UMCU")
    offers.accept_offer(user(make.user("hospital", "UMCU")), offer.id, ACCEPT)
    transport.confirm_arrival(coordinator, ref)
    rows = spreading.away_from_home(coordinator)
    assert [(r.case.reference, r.home.code) for r in rows] == [(ref, "BRA")]
    back = spreading.bring_home(coordinator, ref)
    assert back.destination_region.code == "BRA" and back.return_of.reference == ref
    assert spreading.away_from_home(coordinator) == []  # a return is planned


def test_a_group_is_proposed_together(ctx, make):
    coordinator = user(make.user("coordinator"))
    capacity.report_capacity(coordinator, "UMCG", capacity.Figures({"paediatric": (30, 10), "clinical": (300, 100)}, 4), "phone")  # fmt: skip
    mother = make.case(external_ref="M-1")
    child = make.case(external_ref="M-2", date_of_birth="2018-01-01", family_name="Шевченко",
                      requested_care="paediatric")  # fmt: skip
    for ref in (mother, child):
        triage.triage_case(
            coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref))
        )
    cases.link_group(coordinator, mother, child)
    proposal = placement.propose(coordinator, [mother])
    patients = {p["id"]: p for p in proposal.instance["patients"]}
    assert set(patients) == {mother, child}
    assert patients[mother]["group"] == patients[child]["group"]
    assignment = proposal.result["assignment"]
    assert assignment[mother] == assignment[child]
    assert [
        c.reference for c in cases.group_of(coordinator, cases.get_case(coordinator, child))
    ] == [mother]
    cases.unlink_group(coordinator, child)
    assert cases.get_case(coordinator, mother).group_ref is None  # a group of one is no group
