"""The access policy (evac.access) for every kind of user and every relation a hospital can have
to a case; the SQL form agrees with the Python form on each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from evac import access
from evac.access import Detail
from evac.extensions import db
from evac.models import Case, Offer, User
from evac.models.types import utcnow
from evac.services import capacity, cases, offers, triage

ACCEPT = offers.Acceptance(ward="B-3", contact_name="Dr. Visser", contact_phone="+31 50 000 0000")


def user(u) -> User:
    return db.session.get(User, u.id)


@pytest.fixture
def relations(ctx, make):
    """One case for each relation UMCG can have to it."""
    coordinator = user(make.user("coordinator"))
    capacity.report_capacity(
        coordinator, "UMCG", capacity.Figures({"clinical": (100, 50)}, 5), "phone"
    )
    refs = {k: make.case() for k in ("none", "pending", "declined", "expired", "accepted")}
    for key in ("pending", "declined", "expired", "accepted"):
        ref = refs[key]
        triage.triage_case(
            coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref))
        )
        offer = offers.make_offer(coordinator, ref, "UMCG")
        umcg = user(make.user("hospital", "UMCG"))
        if key == "declined":
            offers.decline_offer(umcg, offer.id, "no_bed")
        elif key == "accepted":
            offers.accept_offer(umcg, offer.id, ACCEPT)
        elif key == "expired":
            db.session.get(Offer, offer.id).deadline = utcnow() - timedelta(seconds=1)
            db.session.commit()
            offers.expire_overdue()
    return refs


EXPECTED = {
    # relation:   coordinator, admin,      viewer,         UMCG,           MST2
    "none":     (Detail.FULL, Detail.FULL, Detail.SUMMARY, Detail.NONE,    Detail.NONE),
    "pending":  (Detail.FULL, Detail.FULL, Detail.SUMMARY, Detail.SUMMARY, Detail.NONE),
    "declined": (Detail.FULL, Detail.FULL, Detail.SUMMARY, Detail.NONE,    Detail.NONE),
    "expired":  (Detail.FULL, Detail.FULL, Detail.SUMMARY, Detail.NONE,    Detail.NONE),
    "accepted": (Detail.FULL, Detail.FULL, Detail.SUMMARY, Detail.FULL,    Detail.NONE),
}  # fmt: skip


def test_each_user_sees_each_case_at_the_level_the_policy_names(make, relations):
    users = [
        user(make.user("coordinator")),
        user(make.user("admin")),
        user(make.user("viewer")),
        user(make.user("hospital", "UMCG")),
        user(make.user("hospital", "MST2")),
    ]
    for key, ref in relations.items():
        case = db.session.scalar(select(Case).where(Case.reference == ref))
        for u, expected in zip(users, EXPECTED[key], strict=True):
            assert access.detail_for(u, case) == expected, (key, u.role, u.hospital_id)
            # The SQL form of the policy, used by lists and search, says the same.
            visible = db.session.scalar(
                select(Case.id).where(Case.id == case.id, access.visible_clause(u))
            )
            identified = db.session.scalar(
                select(Case.id).where(Case.id == case.id, access.identity_clause(u))
            )
            assert (visible is not None) == (expected != Detail.NONE), (key, u.role)
            assert (identified is not None) == (expected == Detail.FULL), (key, u.role)
            assert access.sees_identity(u, case) == (expected == Detail.FULL)


def test_only_coordinating_roles_read_free_text_reasons(make, ctx):
    assert access.sees_free_text(user(make.user("coordinator")))
    assert access.sees_free_text(user(make.user("admin")))
    assert not access.sees_free_text(user(make.user("viewer")))
    assert not access.sees_free_text(user(make.user("hospital", "UMCG")))
