"""A hospital closes a bed category to new patients (with a reason, until a time): placement
leaves it out and no offer is made meanwhile; it opens again by itself. Surge beds are reported
beside the staffed ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from evac.extensions import db
from evac.models import User
from evac.models.types import utcnow
from evac.services import capacity, cases, offers, placement, triage
from evac.services.errors import Forbidden, InvalidInput


def user(u) -> User:
    return db.session.get(User, u.id)


def test_a_closed_category_gets_no_placement_and_no_offer_until_it_reopens(ctx, make):
    coordinator = user(make.user("coordinator"))
    umcg = user(make.user("hospital", "UMCG"))
    capacity.report_capacity(umcg, "UMCG", capacity.Figures({"clinical": (100, 10)}, 2), "portal")
    ref = make.case()
    triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))
    with pytest.raises(InvalidInput):
        capacity.close_category(umcg, "UMCG", "clinical", utcnow() + timedelta(days=30), "x")
    with pytest.raises(InvalidInput):
        capacity.close_category(umcg, "UMCG", "clinical", utcnow() + timedelta(hours=8), " ")
    with pytest.raises(Forbidden):
        capacity.close_category(user(make.user("hospital", "MST2")), "UMCG", "clinical",
                                utcnow() + timedelta(hours=8), "not yours")  # fmt: skip
    capacity.close_category(
        umcg, "UMCG", "clinical", utcnow() + timedelta(hours=8), "No staff tonight"
    )
    instance = placement.build_instance([cases.get_case(coordinator, ref)])
    umcg_row = next(h for h in instance["hospitals"] if h["id"] == "UMCG")
    assert "clinical" not in umcg_row["capacity"]
    with pytest.raises(InvalidInput) as err:
        offers.make_offer(coordinator, ref, "UMCG")
    assert "No staff tonight" in err.value.message
    region = next(r for r in capacity.current_capacity() if r.region.code == "NN")
    hc = next(h for h in region.hospitals if h.hospital.code == "UMCG")
    assert hc.beds["clinical"].closed_reason == "No staff tonight"
    # The closure ends by itself.
    from evac.models import HospitalBeds

    row = db.session.query(HospitalBeds).filter_by(category="clinical").one()
    row.closed_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert offers.make_offer(coordinator, ref, "UMCG").status == "pending"


def test_surge_beds_are_reported_and_kept(ctx, make):
    umcg = user(make.user("hospital", "UMCG"))
    capacity.report_capacity(
        umcg, "UMCG", capacity.Figures({"ic": (40, 30)}, 2, surge={"ic": 6}), "portal"
    )
    with pytest.raises(InvalidInput):
        capacity.report_capacity(
            umcg, "UMCG", capacity.Figures({"ic": (40, 30)}, 2, surge={"ic": -1}), "portal"
        )
    region = next(r for r in capacity.current_capacity() if r.region.code == "NN")
    assert region.beds["ic"].surge == 6
