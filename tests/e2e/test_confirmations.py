"""Actions that cannot go wrong: cancelling a flight, removing a patient from it, cancelling or
closing a case, a hospital's decline, a confirmed arrival and closing beds ask first, naming what
changes; the first click (dismissed) changes nothing, the confirmed
one does. A flight with a patient without an accepted hospital does not depart without a reason."""

import pytest

from tests.e2e.test_intake_journey import sign_in
from tests.web.test_transport_pages import accepted_on_flight

pytestmark = pytest.mark.browser


def test_the_first_click_changes_nothing_the_confirmed_one_does(browser, live_server, app, make):
    flight_id, refs = accepted_on_flight(app, make, n=2)
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, make.user("coordinator"))
    page.goto(f"{live_server}/flights/{flight_id}")
    answers, asked = [False], []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers[0] else dialog.dismiss()

    page.on("dialog", answer)
    row = page.locator(f'tr[data-case="{refs[0]}"]')
    row.get_by_role("button", name="Remove from this flight").click()
    assert refs[0] in asked[-1] and "seat is freed" in asked[-1]
    assert page.locator(f'tr[data-case="{refs[0]}"]').count() == 1  # still on board
    page.get_by_label("Reason").last.fill("Aircraft grounded")
    page.get_by_role("button", name="Cancel the flight").last.click()
    assert "come off it" in asked[-1] and "Planned" in page.locator("h1").inner_text()
    answers[0] = True
    row.get_by_role("button", name="Remove from this flight").click()
    page.wait_for_load_state()
    assert page.locator(f'tr[data-case="{refs[0]}"]').count() == 0
    page.get_by_label("Reason").last.fill("Aircraft grounded")
    page.get_by_role("button", name="Cancel the flight").last.click()
    page.get_by_text("Cancelled").first.wait_for()
    assert "Cancelled" in page.locator("h1").inner_text()


def test_cancelling_a_case_and_withdrawing_an_offer_ask_first(browser, live_server, app, make):
    from evac.extensions import db
    from evac.models import User
    from evac.services import capacity, cases, offers, triage

    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (80, 40)}, 2), "phone")
        ref = make.case(external_ref="CONFIRM-1")
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        offers.make_offer(c, ref, "UMCG")
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}/cases/{ref}")
    answers, asked = [False], []
    page.on(
        "dialog", lambda d: (asked.append(d.message), d.accept() if answers[0] else d.dismiss())
    )
    page.get_by_label("Reason for withdrawing").fill("Patient deteriorated")
    page.get_by_role("button", name="Withdraw offer").click()
    assert "Withdraw the offer" in asked[-1] and "Offered" in page.locator("h1").inner_text()
    answers[0] = True
    page.get_by_role("button", name="Withdraw offer").click()
    page.get_by_text("Placing").first.wait_for()
    answers[0] = False
    page.locator(".danger-zone").get_by_label("Reason").fill("Died before transport")
    page.get_by_role("button", name="Cancel case").click()
    assert "Cancel case" in asked[-1] and "Cancelled" not in page.locator("h1").inner_text()
    answers[0] = True
    page.get_by_role("button", name="Cancel case").click()
    page.wait_for_function("document.querySelector('h1').innerText.includes('Cancelled')")


def test_a_hospital_is_asked_before_it_declines_confirms_an_arrival_or_closes_beds(
    browser, live_server, app, make
):
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import Case, Offer, User
    from evac.services import capacity, cases, offers, triage

    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (80, 40)}, 2), "phone")
        offered, accepted = make.case(external_ref="ASK-1"), make.case(external_ref="ASK-2")
        for ref in (offered, accepted):
            triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        offer_id = offers.make_offer(c, offered, "UMCG").id
        offers.accept_offer(c, offers.make_offer(c, accepted, "UMCG").id, offers.Acceptance(
            ward="B3", contact_name="Dr. Smit", contact_phone="+31 50 361 1111"))  # fmt: skip
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, make.user("hospital", "UMCG"))
    answers, asked = [False], []
    page.on(
        "dialog", lambda d: (asked.append(d.message), d.accept() if answers[0] else d.dismiss())
    )

    page.goto(f"{live_server}/hospital/")
    page.locator("tr", has_text=accepted).get_by_role("button", name="Confirm arrival").click()
    assert accepted in asked[-1] and "cannot be undone" in asked[-1]
    with app.app_context():
        assert (
            db.session.scalar(select(Case.status).where(Case.reference == accepted)) == "accepted"
        )

    page.goto(f"{live_server}/hospital/offers/{offer_id}")
    page.get_by_label("Reason").select_option(index=1)
    page.locator("form", has_text="Decline").get_by_role("button", name="Decline").click()
    assert offered in asked[-1] and "another hospital" in asked[-1]
    with app.app_context():
        assert db.session.get(Offer, offer_id).status == "pending"
    answers[0] = True
    page.locator("form", has_text="Decline").get_by_role("button", name="Decline").click()
    page.get_by_text(f"You declined case {offered}.").wait_for()

    answers[0] = False
    page.goto(f"{live_server}/capacity/hospitals/UMCG")
    page.get_by_label("Closed until").fill("2030-01-01T08:00")
    page.get_by_label("Why").fill("no staff for the night")
    page.get_by_role("button", name="Close to new patients").click()
    assert "new patients" in asked[-1]
    assert "closed until" not in page.content()
