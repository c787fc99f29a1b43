"""Two acceptances can never take the same last bed: concurrent threads on PostgreSQL."""

import os
import threading

import pytest

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, offers, triage

pytestmark = pytest.mark.postgres_only

ACCEPT = {"ward": "C4", "contact_name": "Dr. de Boer", "contact_phone": "+31 10 000 0000"}


@pytest.fixture(autouse=True)
def _postgres_only():
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; CI runs this file there (TEST_DATABASE_URL)")


def offered(app, make, n: int) -> list[int]:
    """n triaged cases offered to Maasstad, which has exactly one free bed and rooms to spare."""
    with app.app_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(
            coordinator, "MST2", capacity.Figures({"clinical": (50, 49)}, 5), "phone"
        )
        ids = []
        for _ in range(n):
            ref = make.case()
            triage.triage_case(
                coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref))
            )
            ids.append(offers.make_offer(coordinator, ref, "MST2").id)
        return ids


def race(app, token: str, urls: list[str]) -> list[int]:
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = [0] * len(urls)

    def accept(i: int, url: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(url, json=ACCEPT, headers={"Authorization": f"Bearer {token}"})
        statuses[i] = response.status_code

    threads = [threading.Thread(target=accept, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(statuses)


@pytest.mark.parametrize("attempt", range(3))
def test_two_offers_for_the_last_bed_exactly_one_wins(app, make, attempt):
    first, second = offered(app, make, 2)
    token = make.token(make.user("hospital", "MST2"))
    statuses = race(
        app, token, [f"/api/v1/offers/{first}/accept", f"/api/v1/offers/{second}/accept"]
    )
    assert statuses == [200, 409]
    with app.app_context():
        hc = capacity.hospital_capacity(db.session.get(User, make.user("coordinator").id), "MST2")
        assert hc.beds["clinical"].reserved == 1 and hc.beds["clinical"].free == 0


def test_the_same_offer_accepted_twice_at_once_is_accepted_once(app, make):
    (offer_id,) = offered(app, make, 1)
    token = make.token(make.user("hospital", "MST2"))
    statuses = race(app, token, [f"/api/v1/offers/{offer_id}/accept"] * 2)
    assert statuses == [200, 409]
