"""The life of an offer: made, accepted (bed reserved), declined, withdrawn, expired, re-offered."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from evac.extensions import db
from evac.models import AuditEvent, Hospital, HospitalBeds, Offer, OutboxMessage, User
from evac.models.types import utcnow
from evac.services import capacity, cases, offers, triage
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound

ACCEPT = offers.Acceptance(ward="IC-2", contact_name="Dr. Visser", contact_phone="+31 50 000 0000")


def actor(u) -> User:
    return db.session.get(User, u.id)


def triaged_case(make, coordinator, **fields) -> str:
    ref = make.case(**fields)
    triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))
    return ref


def beds(code: str, category: str) -> HospitalBeds:
    db.session.expire_all()
    return db.session.scalar(
        select(HospitalBeds)
        .join(HospitalBeds.hospital)
        .where(HospitalBeds.category == category, HospitalBeds.hospital.has(code=code))
    )


@pytest.fixture
def setup(ctx, make):
    coordinator = actor(make.user("coordinator"))
    capacity.report_capacity(
        coordinator, "UMCG", capacity.Figures({"clinical": (100, 98), "ic": (10, 10)}, 1), "phone"
    )
    capacity.report_capacity(
        coordinator, "MST2", capacity.Figures({"clinical": (50, 40)}, 0), "phone"
    )
    return coordinator, actor(make.user("hospital", "UMCG")), actor(make.user("hospital", "MST2"))


def test_offer_accept_reserves_the_bed_and_places_the_case(make, setup):
    coordinator, umcg, _mst2 = setup
    ref = triaged_case(make, coordinator, mdro_status="negative", isolation_required=False)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    case = cases.get_case(coordinator, ref)
    assert case.status == "offered" and offer.status == "pending"
    assert offer.deadline - offer.created_at == timedelta(hours=4)  # urgent
    offers.accept_offer(umcg, offer.id, ACCEPT)
    case = cases.get_case(coordinator, ref)
    assert case.status == "accepted" and case.hospital.code == "UMCG"
    assert beds("UMCG", "clinical").free == 1 and beds("UMCG", "clinical").reserved == 1
    history = [s.to_status for s in case.status_changes]
    assert history == ["received", "triaged", "placing", "offered", "accepted"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id)
    ).all()
    assert {"case.start_placing", "case.offer", "case.accept"} <= set(actions)


def test_isolation_patients_take_an_isolation_room_too(make, setup):
    coordinator, umcg, _ = setup
    first = triaged_case(make, coordinator)  # from Ukraine, MDRO unknown: isolation
    second = triaged_case(make, coordinator)
    offers.accept_offer(umcg, offers.make_offer(coordinator, first, "UMCG").id, ACCEPT)
    assert beds("UMCG", "isolation").free == 0
    offer = offers.make_offer(coordinator, second, "UMCG")
    with pytest.raises(Conflict) as err:
        offers.accept_offer(umcg, offer.id, ACCEPT)
    assert "isolation room" in err.value.message
    assert beds("UMCG", "clinical").reserved == 1  # the failed acceptance reserved nothing


def test_airborne_patients_take_a_negative_pressure_room_not_a_single_room(make, setup):
    coordinator, umcg, _ = setup
    # UMCG has one single room free and, as reported now, one negative-pressure room.
    capacity.report_capacity(coordinator, "UMCG", capacity.Figures({}, None, 1), "phone")
    tb = triaged_case(make, coordinator, infections=["tuberculosis"])
    second = triaged_case(make, coordinator, infections=["measles"])
    contact = triaged_case(make, coordinator)  # MDRO unknown: contact isolation
    offer = offers.make_offer(coordinator, tb, "UMCG")
    assert offer.airborne and offer.isolation
    offers.accept_offer(umcg, offer.id, ACCEPT)
    assert beds("UMCG", "airborne").free == 0 and beds("UMCG", "isolation").free == 1
    offer = offers.make_offer(coordinator, second, "UMCG")
    with pytest.raises(Conflict) as err:
        offers.accept_offer(umcg, offer.id, ACCEPT)
    assert "negative-pressure room" in err.value.message
    # The contact patient still gets the single room.
    offers.accept_offer(umcg, offers.make_offer(coordinator, contact, "UMCG").id, ACCEPT)
    assert beds("UMCG", "isolation").free == 0 and beds("UMCG", "airborne").free == 0


def test_no_free_bed_is_a_conflict(make, setup):
    coordinator, umcg, _ = setup
    ref = triaged_case(make, coordinator, ventilated=True, requested_care="ic")
    offer = offers.make_offer(coordinator, ref, "UMCG")
    with pytest.raises(Conflict):
        offers.accept_offer(umcg, offer.id, ACCEPT)
    assert cases.get_case(coordinator, ref).status == "offered"


def test_decline_returns_the_case_to_placing_and_remembers_why(make, setup):
    coordinator, umcg, mst2 = setup
    ref = triaged_case(make, coordinator)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    with pytest.raises(InvalidInput):
        offers.decline_offer(umcg, offer.id, "other")  # "other" needs words
    offers.decline_offer(umcg, offer.id, "no_isolation", "both rooms taken tonight")
    case = cases.get_case(coordinator, ref)
    assert case.status == "placing"
    assert offers.declined_hospitals(case) == {
        "UMCG": "No isolation room free: both rooms taken tonight"
    }
    assert case.status_changes[-1].reason.startswith("No isolation room free")
    candidates = offers.candidates(case)
    assert candidates[-1].hospital.code == "UMCG" and candidates[-1].declined
    second = offers.make_offer(coordinator, ref, "MST2")
    with pytest.raises(Conflict):
        offers.decline_offer(umcg, offer.id, "no_bed")  # answered already
    assert second.status == "pending"


def test_one_pending_offer_per_case(make, setup):
    coordinator, *_ = setup
    ref = triaged_case(make, coordinator)
    offers.make_offer(coordinator, ref, "UMCG")
    with pytest.raises(Conflict):
        offers.make_offer(coordinator, ref, "MST2")
    # Even code that skips the service cannot add a second pending offer: the database refuses.
    case = cases.get_case(coordinator, ref)
    mst2 = db.session.scalar(select(Hospital).where(Hospital.code == "MST2"))
    db.session.add(Offer(case=case, hospital=mst2, status="pending", bed_category="clinical",
                         deadline=utcnow() + timedelta(hours=1)))  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_expiry_on_read_and_re_offer(make, setup):
    coordinator, umcg, _ = setup
    ref = triaged_case(make, coordinator, urgency="immediate")
    offer = offers.make_offer(coordinator, ref, "UMCG")
    assert offer.deadline - offer.created_at == timedelta(hours=1)
    offer.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert offers.offers_for(umcg, "pending") == []  # reading expires it
    case = cases.get_case(coordinator, ref)
    assert case.status == "placing" and case.status_changes[-1].transition == "expire"
    assert offers.declined_hospitals(case) == {"UMCG": "did not answer in time"}
    with pytest.raises(Conflict):
        offers.accept_offer(umcg, offer.id, ACCEPT)
    assert offers.make_offer(coordinator, ref, "MST2").status == "pending"


def test_withdraw_and_cancel_release_what_they_hold(make, setup):
    coordinator, umcg, _ = setup
    ref = triaged_case(make, coordinator)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    offers.withdraw_offer(coordinator, offer.id, "patient deteriorated")
    assert cases.get_case(coordinator, ref).status == "placing"
    offer = offers.make_offer(coordinator, ref, "UMCG")
    offers.accept_offer(umcg, offer.id, ACCEPT)
    assert beds("UMCG", "clinical").reserved == 1
    cases.cancel_case(coordinator, ref, "died before transport")
    assert beds("UMCG", "clinical").reserved == 0 and beds("UMCG", "isolation").reserved == 0
    ref2 = triaged_case(make, coordinator)
    pending = offers.make_offer(coordinator, ref2, "MST2")
    cases.cancel_case(coordinator, ref2, "sender withdrew")
    assert db.session.get(Offer, pending.id).status == "withdrawn"


def test_a_hospital_sees_and_answers_only_its_own_offers(make, setup):
    coordinator, umcg, mst2 = setup
    ref = triaged_case(make, coordinator)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    assert offers.offers_for(mst2) == []
    with pytest.raises(NotFound):
        offers.get_offer(mst2, offer.id)
    with pytest.raises(NotFound):
        offers.accept_offer(mst2, offer.id, ACCEPT)
    with pytest.raises(NotFound):
        offers.decline_offer(mst2, offer.id, "no_bed")
    with pytest.raises(Forbidden):
        offers.make_offer(umcg, ref, "UMCG")
    assert [o.id for o in offers.offers_for(umcg)] == [offer.id]


def test_offers_need_a_capable_hospital_and_a_triaged_case(make, setup):
    coordinator, *_ = setup
    ref = triaged_case(make, coordinator, icd10=["T31.3"])  # burns
    with pytest.raises(InvalidInput):
        offers.make_offer(coordinator, ref, "UMCG")  # no burn centre
    untriaged = make.case()
    with pytest.raises(Conflict):
        offers.make_offer(coordinator, untriaged, "MST2")


def test_acceptance_needs_ward_and_contact(make, setup):
    coordinator, umcg, _ = setup
    ref = triaged_case(make, coordinator)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    with pytest.raises(InvalidInput) as err:
        offers.accept_offer(umcg, offer.id, replace(ACCEPT, ward=" ", contact_phone=""))
    assert {p.field for p in err.value.problems} == {"ward", "contact_phone"}
    for phone in ("banana", "ask the desk", "050"):  # nobody to call at night
        with pytest.raises(InvalidInput) as err:
            offers.accept_offer(umcg, offer.id, replace(ACCEPT, contact_phone=phone))
        assert [p.field for p in err.value.problems] == ["contact_phone"]
    accepted = offers.accept_offer(
        umcg, offer.id, replace(ACCEPT, contact_phone="050-3611111 ext. 22")
    )
    assert accepted.status == "accepted"


def test_notifications_name_no_patient(make, setup):
    coordinator, umcg, _ = setup
    ref = triaged_case(make, coordinator, family_name="Бойко", given_name="Тарас")
    offer = offers.make_offer(coordinator, ref, "UMCG")
    offers.decline_offer(umcg, offer.id, "no_bed")
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in mails] == [umcg.email, "pecc@lcps.example"]
    assert all(ref in m.subject + m.body for m in mails)
    assert not any(
        word in m.subject + m.body for m in mails for word in ("Бойко", "Тарас", "Boiko")
    )
    assert all(m.status == "sent" for m in mails)  # no SMTP server set: written to the log
