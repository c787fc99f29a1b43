"""Scheduled jobs run by several hosts at once against one PostgreSQL: no offer expires twice,
no e-mail goes out twice, and a job guarded by an advisory lock runs on one host only."""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from evac.extensions import db
from evac.models import Offer, OutboxMessage, StatusChange, User
from evac.models.types import utcnow
from evac.services import capacity, cases, jobs, notify, offers, triage
from tests.services.test_notify import Inbox, smtp  # noqa: F401 (the fixture)

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only():
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; CI runs this file there (TEST_DATABASE_URL)")


def at_once(app, n: int, job) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            results[i] = job()
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_hosts_expiring_offers_expire_each_once(app, make):
    with app.app_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(coordinator, "MST2", capacity.Figures({"clinical": (50, 10)}, 5),
                                 "phone")  # fmt: skip
        for _ in range(6):
            ref = make.case()
            triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))  # fmt: skip
            offers.make_offer(coordinator, ref, "MST2")
        db.session.execute(update(Offer).values(deadline=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    expired = at_once(app, 2, offers.expire_overdue)
    assert sum(expired) == 6
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(StatusChange.transition == "expire")) == 6
        )


def test_two_hosts_sending_the_outbox_send_each_mail_once(app, make, smtp):  # noqa: F811
    with app.app_context():
        for i in range(12):
            db.session.add(OutboxMessage(recipient=f"duty{i}@evac.example", subject=f"S{i}",
                                         body="b", status="pending", next_attempt_at=utcnow()))  # fmt: skip
        db.session.commit()
    results = at_once(app, 3, lambda: notify.send_pending(limit=100))
    assert sum(sent for sent, _failed in results) == 12
    assert sorted(m["Subject"] for m in smtp.messages) == sorted(f"S{i}" for i in range(12))


def test_only_one_host_renders_at_a_time(app):
    inside = threading.Event()
    release = threading.Event()
    outcomes = []

    def first():
        with app.app_context(), jobs.only_one("render-documents") as mine:
            outcomes.append(("first", mine))
            inside.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    inside.wait(10)
    with app.app_context(), jobs.only_one("render-documents") as mine:
        outcomes.append(("second", mine))
    release.set()
    t.join(10)
    with app.app_context(), jobs.only_one("render-documents") as mine:
        outcomes.append(("later", mine))
    assert outcomes == [("first", True), ("second", False), ("later", True)]
