"""A page's number of SQL statements must not grow with the number of cases: a year of cases
(100,000) must cost what ten do (issue 15). Counted with an SQLAlchemy event, on a database with
10 cases and again with 500."""

import json
import threading

from sqlalchemy import event

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, intake, placement, triage
from evac.terms import ImportChannel
from tests.conftest import login, request_data

PAGES = ("/", "/cases/", "/cases/?page=3&per_page=3", "/cases/?q=shev", "/cases/?status=triaged",
         "/capacity/", "/capacity/regions/NN", "/triage/", "/api/v1/cases", "/api/v1/cases?page=2")  # fmt: skip


class Statements:
    """The statements this thread sends (not another's: a test server's, a pool's)."""

    def __init__(self, engine):
        self.engine, self.n, self.thread = engine, 0, threading.get_ident()

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        if threading.get_ident() == self.thread:
            self.n += 1


def add_cases(app, n: int, start: int, coordinator_id: int) -> list[str]:
    body = {"requests": [request_data(external_ref=f"COUNT-{start + i}",
                                      family_name="Шевченко" if i % 3 else "Коваль")
                         for i in range(n)]}  # fmt: skip
    with app.app_context():
        result = intake.register_requests(None, ImportChannel.FILE, json.dumps(body).encode(),
                                          filename="batch.json")  # fmt: skip
        coordinator = db.session.get(User, coordinator_id)
        refs = [c.reference for c in result.created]
        for ref in refs[::4]:  # a quarter triaged, so the triage queue and placement have work
            triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))  # fmt: skip
        return refs


def counts(app, client, token, paths) -> dict[str, int]:
    out = {}
    with app.app_context():
        engine = db.engine
    for path in paths:
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
        client.get(path, headers=headers)  # a second visit: the overview marks what is new since
        seen = []
        # The fewer of two visits: what a page reads each time, not a history it holds
        # drawn anew once in a while.
        for _visit in range(2):
            with Statements(engine) as s:
                response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            seen.append(s.n)
        out[path] = min(seen)
    return out


def test_no_page_makes_more_statements_for_more_cases(app, client, make, monkeypatch):
    # Drawing each page is what is counted, not what a page kept from the visit before.
    monkeypatch.setitem(app.config, "EVAC_PAGE_CACHE_ENTRIES", 0)
    user = make.user("coordinator")
    login(client, user)
    token = make.token(user)
    with app.app_context():
        c = db.session.get(User, user.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (100, 60)}, 3), "phone")
    refs = add_cases(app, 10, 0, user.id)
    few = counts(app, client, token, PAGES + (f"/cases/{refs[0]}",))
    more_refs = add_cases(app, 490, 10, user.id)
    many = counts(app, client, token, PAGES + (f"/cases/{refs[0]}",))
    # Equal, give or take one: a relationship is loaded only when a row on the page has it, so
    # a page of the 500 can hold one more kind of row than a page of the 10. A statement per
    # case (N+1) would add tens.
    grown = {path: (few[path], many[path]) for path in few if many[path] > few[path] + 1}
    assert grown == {}, grown
    # A batch proposal loads its cases in a constant number of statements too.
    with app.app_context():
        coordinator = db.session.get(User, user.id)
        engine = db.engine
        triaged = [r for r in refs if cases.get_case(coordinator, r).status == "triaged"]
        with Statements(engine) as small:
            placement.propose(coordinator, triaged)
        triaged_more = [r for r in more_refs if cases.get_case(coordinator, r).status == "triaged"]
        with Statements(engine) as large:
            placement.propose(coordinator, triaged_more[:100])
    assert large.n <= small.n + 5, (small.n, large.n)


def test_the_stylesheet_and_script_ask_nothing_of_the_database(app, client, make):
    # Every page loads them; signed in, they once loaded the user to translate a message that
    # was not shown.
    login(client, make.user("coordinator"))
    with app.app_context():
        engine = db.engine
    for path in ("/static/evac.css", "/static/evac.js"):
        with Statements(engine) as s:
            assert client.get(path).status_code == 200
        assert s.n == 0, path
