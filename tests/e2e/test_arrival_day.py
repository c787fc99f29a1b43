"""Issue 7's journey in a real browser: arrival day on the flight page, worked to the end by the
coordinator, with one hospital confirming its own patient's arrival."""

import pytest

from tests.e2e.test_intake_journey import sign_in
from tests.web.test_transport_pages import accepted_on_flight

pytestmark = pytest.mark.browser


def test_arrival_day(browser, live_server, app, make):
    flight_id, refs = accepted_on_flight(app, make, n=2)
    centre = browser.new_context(locale="en-GB").new_page()
    asked = []  # "Mark flight … as departed?" and the like: each answered yes
    centre.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in(centre, live_server, make.user("coordinator"))
    centre.goto(f"{live_server}/flights/{flight_id}")
    assert centre.locator("table.arrival-board tbody tr").count() == 2
    centre.get_by_role("button", name="The flight has left").click()
    centre.get_by_role("button", name="The flight has landed").click()
    first = centre.locator(f'tr[data-case="{refs[0]}"]')
    first.get_by_label(f"Ambulance of {refs[0]}").fill("AZN 07-114")
    first.get_by_role("button", name="Left the airport").click()
    assert "On the way" in centre.locator(f'tr[data-case="{refs[0]}"] .arrival-state').inner_text()
    centre.locator(f'tr[data-case="{refs[0]}"]').get_by_role(
        "button", name="Arrived at the hospital"
    ).click()
    assert "Arrived" in centre.locator(f'tr[data-case="{refs[0]}"] .arrival-state').inner_text()

    ward = browser.new_context(locale="en-GB").new_page()
    ward.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in(ward, live_server, make.user("hospital", "UMCU"))
    ward.goto(f"{live_server}/hospital/")
    ward.locator("tr", has_text=refs[1]).get_by_role("button", name="Confirm arrival").click()
    ward.get_by_text(f"Arrival of {refs[1]} is confirmed.").wait_for()
    assert refs[1] in asked[-1] and "cannot be undone" in asked[-1]

    centre.reload()
    states = centre.locator(".arrival-state").all_inner_texts()
    assert states == ["Arrived", "Arrived"]
    centre.goto(f"{live_server}/cases/{refs[0]}")  # arrived and cared for: the case is closed
    centre.get_by_role("button", name="Close case").click()
    centre.wait_for_function("document.querySelector('h1').innerText.includes('Closed')")
    assert refs[0] in asked[-1] and "cannot be opened again" in asked[-1]
    centre.context.close()
    ward.context.close()
