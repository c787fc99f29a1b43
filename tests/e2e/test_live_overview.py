"""Tell people what changed: with the overview open, a new request and a hospital's acceptance
elsewhere show on it within 20 seconds, without a reload, and the tab title counts what is new."""

import pytest

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, offers, triage
from tests.e2e.test_intake_journey import sign_in

pytestmark = pytest.mark.browser

ACCEPT = offers.Acceptance(ward="B-3", contact_name="Dr. Visser", contact_phone="+31 50 000 0000")


def test_the_overview_shows_new_requests_and_answers_by_itself(browser, live_server, app, make):
    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (80, 40)}, 2), "phone")
        offered = make.case(external_ref="LIVE-1")
        triage.triage_case(c, offered, triage.starting_values(cases.get_case(c, offered)))
        offer_id = offers.make_offer(c, offered, "UMCG").id
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, coordinator)
    page.goto(live_server + "/")
    assert offered in page.locator("#pending-offers").inner_text()
    page.evaluate("window.__evac_marker = 1")  # survives only without a reload

    # Elsewhere: a request comes in through the API, and the hospital accepts.
    other = browser.new_context(locale="en-GB").new_page()
    token = make.token(make.user("coordinator"))
    import json

    from tests.conftest import request_data

    response = other.request.post(live_server + "/api/v1/requests", data=json.dumps(
        request_data(external_ref="LIVE-2", urgency="immediate")),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
    new_ref = response.json()["created"][0]["reference"]
    with app.app_context():
        offers.accept_offer(
            db.session.get(User, make.user("hospital", "UMCG").id), offer_id, ACCEPT
        )

    page.locator("#new-since").get_by_text(new_ref).wait_for(timeout=20_000)
    page.wait_for_function(
        f"!document.querySelector('#pending-offers').innerText.includes('{offered}')",
        timeout=20_000,
    )
    assert page.evaluate("window.__evac_marker") == 1  # no reload happened
    assert page.title().startswith("(")
    other.context.close()
    page.context.close()
