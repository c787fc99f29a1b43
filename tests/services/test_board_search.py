"""A search on the board counts and pages its result in one statement; what a coordinator sees
must be what the plain filters give: the same counts per tab and the same cases on each page,
in every order."""

from itertools import product

from sqlalchemy import select

from evac.extensions import db


def test_a_search_pages_and_counts_as_the_plain_board_does(app, make):
    from evac.models import Case, User
    from evac.services import cases, triage

    coordinator = make.user("coordinator")
    names = ["Шевченко", "Шевчук", "Коваленко", "Шевель", "Бондар", "Шевців", "Мельник"]
    references = [make.case(family_name=n, given_name=f"Олена{i}") for i, n in enumerate(names * 2)]
    with app.test_request_context():
        actor = db.session.get(User, coordinator.id)
        for reference in references[::3]:  # some triaged, so that the tabs differ
            triage.triage_case(
                actor, reference, triage.starting_values(cases.get_case(actor, reference))
            )
        shev = {
            c.id
            for c in db.session.scalars(select(Case))
            if c.patient.family_name.startswith("Шев")
        }
        for status, sort, descending, page, per_page in product(
            (None, "triaged", "received"),
            ("received", "name", "urgency"),
            (True, False),
            (1, 2, 9),
            (3, 50),
        ):
            searched = cases.case_board(actor, cases.BoardFilters(
                q="шев", status=status, sort=sort, descending=descending, page=page, per_page=per_page))  # fmt: skip
            # The same cases without the search, narrowed by hand
            every = cases.case_board(actor, cases.BoardFilters(
                status=status, sort=sort, descending=descending, per_page=200))  # fmt: skip
            expected = [c.id for c in every.cases if c.id in shev]
            pages = max(1, -(-len(expected) // per_page))
            shown = min(page, pages)
            assert searched.total == len(expected)
            assert searched.page == shown
            assert [c.id for c in searched.cases] == expected[(shown - 1) * per_page : shown * per_page], (
                status, sort, descending, page, per_page)  # fmt: skip
            counted = {s: n for s, n in searched.counts.items() if n}
            by_hand = {}
            for c in db.session.scalars(select(Case).where(Case.id.in_(shev))):
                by_hand[c.status] = by_hand.get(c.status, 0) + 1
            assert counted == by_hand
        db.session.remove()


def test_a_page_number_past_any_count_shows_the_last_page(as_user, make):
    client = as_user("coordinator")
    make.case(family_name="Шевченко")
    for query in ("?q=shev&", "?"):
        response = client.get(f"/cases/{query}page=100000000000000000000")
        assert response.status_code == 200 and "Shevchenko" in response.get_data(as_text=True)
