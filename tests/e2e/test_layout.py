"""Pages that fit: no main page scrolls sideways at 1366x768 in Dutch, English or Ukrainian
(longer words make tables wider), nor on a 390x844 phone, where a wide table scrolls in its own
box; and the hospital portal fits a phone without scrolling any table."""

import pytest

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, offers, triage
from tests.web.test_transport_pages import accepted_on_flight

pytestmark = pytest.mark.browser

PAGES = ["/", "/cases/", "/triage/", "/capacity/", "/capacity/regions/NW", "/flights/",
         "/spreading/", "/situation/", "/scenarios/", "/account", "/admin/users",
         "/intake/upload", "/admin/settings", "/intake/imports", "/spreading/back-home",
         "/spreading/quotas"]  # fmt: skip


def sign_in(page, base, user):
    """Any language: by the fields' names, not their labels."""
    page.goto(base + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", user.password)
    page.locator("form button.primary").click()
    page.wait_for_load_state()


def pages_wider_than_the_screen(browser, base, app, make, locales, width, height) -> list[str]:
    """The main pages, a case's and a flight's, as the administrator (who may open them all) in
    each locale: those that scroll sideways, with their width."""
    flight_id, refs = accepted_on_flight(app, make, n=2)
    make.case(external_ref="QUEUE-1")  # the triage queue has a row
    admin = make.user("admin")
    wide = []
    for locale in locales:
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, base, admin)
        for path in [*PAGES, f"/cases/{refs[0]}", f"/flights/{flight_id}"]:
            page.goto(base + path)
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            if scrolled > width:
                wide.append(f"{locale} {path}: {scrolled}px")
        context.close()
    return wide


def test_no_main_page_scrolls_sideways_in_any_language(browser, live_server, app, make):
    wide = pages_wider_than_the_screen(
        browser, live_server, app, make, ("nl-NL", "en-GB", "uk-UA"), 1366, 768
    )
    assert not wide, "scrolls sideways: " + ", ".join(wide)


def test_no_main_page_scrolls_sideways_on_a_phone(browser, live_server, app, make):
    """The coordinator on call reads the board, the flights and the situation on a phone: the
    page stays put and a table too wide for the screen scrolls inside its own box."""
    wide = pages_wider_than_the_screen(
        browser, live_server, app, make, ("nl-NL", "uk-UA"), 390, 844
    )
    assert not wide, "scrolls sideways: " + ", ".join(wide)


def test_the_hospital_portal_and_an_offer_fit_a_phone(browser, live_server, app, make):
    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (80, 40)}, 2), "phone")
        ref = make.case(external_ref="PHONE-1")
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        offer_id = offers.make_offer(c, ref, "UMCG").id
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, make.user("hospital", "UMCG"))
    page.goto(live_server + "/hospital/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server}/hospital/offers/{offer_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_arrival_board_shows_every_action_on_a_laptop_screen(browser, live_server, app, make):
    """At the aircraft door the coordinator works the board row by row: the ambulance, 'Left the
    airport' and 'Remove from this flight' are in view without scrolling the table sideways."""
    flight_id, _refs = accepted_on_flight(app, make, n=2)
    coordinator = make.user("coordinator")
    hidden = []
    for locale in ("nl-NL", "en-GB", "uk-UA"):
        context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        sign_in(page, live_server, coordinator)
        page.goto(f"{live_server}/flights/{flight_id}")
        board = page.locator(".table-wrap", has=page.locator("table.arrival-board"))
        wide, room = board.evaluate("e => [e.scrollWidth, e.clientWidth]")
        if wide > room:
            hidden.append(f"{locale}: {wide}px in {room}px")
        context.close()
    assert not hidden, "the arrival board scrolls sideways: " + ", ".join(hidden)
