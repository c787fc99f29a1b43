"""Issue 11's journey in a real browser: the overview flags the regions apart, the coordinator
makes a plan and sends its transfer requests, the sending region's centre names a patient, and the
national centre places that patient in the receiving region with an offer. A centre of another
region sees nothing of it."""

import pytest

from evac.extensions import db
from evac.models import User
from evac.services import capacity
from tests.e2e.test_intake_journey import sign_in

pytestmark = pytest.mark.browser


def test_spread_flagged_plan_quotas_named_offer(browser, live_server, app, make):
    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 40)}, 2), "phone")
        capacity.report_capacity(c, "UMCG", capacity.Figures({"ic": (40, 20)}, 4), "phone")
        capacity.report_transport(c, "NW", ambulances=4, micu=2)

    centre = browser.new_context(locale="en-GB").new_page()
    centre.on("dialog", lambda dialog: dialog.accept())  # the confirmations
    sign_in(centre, live_server, coordinator)
    centre.get_by_text("Regions drift apart").wait_for()
    centre.get_by_role("link", name="Plan spreading").click()
    centre.get_by_role("button", name="Make a spreading plan now").click()
    centre.wait_for_url("**/spreading/plans/*")
    assert centre.locator("svg.spreadmap line.move").count() == 1
    count = centre.get_by_label("Patients from NW to NN")
    assert count.input_value() == "2"
    count.fill("1")  # the coordinator asks for less: the page says what it costs
    centre.get_by_text("more than the best plan").wait_for()
    count.fill("3")  # more than NW's MICU crews
    centre.get_by_text("can send 2").wait_for()
    count.fill("1")
    centre.get_by_role("button", name="Send the transfer requests").click()
    centre.wait_for_url("**/spreading/quotas")
    assert "NW" in centre.locator("table").inner_text()

    rcps = browser.new_context(locale="en-GB").new_page()
    sign_in(rcps, live_server, make.user("regional", region="NW"))
    rcps.get_by_role("link", name="1 intensive care (adult) from NW to NN").click()
    rcps.get_by_label("Family name").fill("Visser")
    rcps.get_by_label("Given name").fill("Henk")
    rcps.get_by_label("Date of birth").fill("1951-03-04")
    rcps.get_by_label("Now in").select_option("AZW")
    rcps.get_by_label("Diagnosis").fill("Respiratory failure")
    rcps.get_by_role("button", name="Register these transfers").click()
    rcps.get_by_text("1 patient named").wait_for()
    reference = rcps.locator("table.list a").first.inner_text()

    other = browser.new_context(locale="en-GB").new_page()
    sign_in(other, live_server, make.user("regional", region="ZWN"))
    other.goto(f"{live_server}/cases/{reference}")
    assert "Visser" not in other.content() and "does not exist" in other.content()
    other.goto(f"{live_server}/cases/?q=Visser")
    assert reference not in other.locator("main").inner_text()

    centre.goto(f"{live_server}/cases/{reference}")
    centre.get_by_role("link", name="Triage", exact=True).click()
    centre.get_by_role("button", name="Save triage").click()
    centre.goto(f"{live_server}/cases/{reference}")
    centre.get_by_role("button", name="Propose a hospital").click()
    centre.get_by_text("Universitair Medisch Centrum Groningen").first.wait_for()
    centre.locator("table.ranking tr.best button").click()  # the best, offered with one click
    centre.get_by_text("1 offer made").wait_for()
    centre.goto(f"{live_server}/cases/{reference}")
    assert "Groningen" in centre.locator("#offers").inner_text()
    for p in (centre, rcps, other):
        p.context.close()
