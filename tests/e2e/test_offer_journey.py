"""Issue 5's journey in a real browser: the coordinator offers, the hospital accepts, the
coordinator sees it accepted."""

import pytest

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, triage
from tests.e2e.test_intake_journey import sign_in

pytestmark = pytest.mark.browser


def test_offer_accept_and_see_it_accepted(browser, live_server, app, make):
    coordinator = make.user("coordinator")
    with app.app_context():
        c = db.session.get(User, coordinator.id)
        capacity.report_capacity(c, "UMCU", capacity.Figures({"clinical": (80, 70)}, 2), "phone")
        ref = make.case(family_name="Лисенко", given_name="Ірина")
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))

    centre = browser.new_context(locale="en-GB").new_page()
    sign_in(centre, live_server, coordinator)
    centre.goto(f"{live_server}/cases/{ref}")
    centre.get_by_label("Offer to").select_option("UMCU")
    centre.get_by_role("button", name="Make offer").click()
    centre.get_by_text("Offered to UMC Utrecht").wait_for()

    ward = browser.new_context(locale="en-GB").new_page()
    sign_in(ward, live_server, make.user("hospital", "UMCU"))
    ward.wait_for_url("**/hospital/")
    row = ward.locator("table.offers tbody tr")
    assert ref in row.inner_text() and "Лисенко" not in ward.content()
    row.get_by_role("link", name="Decide").click()
    ward.get_by_label("Ward").fill("B3 trauma")
    ward.get_by_label("Contact person").fill("Dr. Mulder")
    ward.get_by_label("Phone").fill("+31 30 000 0000")
    ward.get_by_role("button", name="Accept the patient").click()
    ward.wait_for_url(f"**/cases/{ref}")
    assert "Лисенко" in ward.content()  # the full case once accepted

    centre.reload()
    assert "Accepted" in centre.locator("h1 .status").inner_text()
    assert "B3 trauma" in centre.locator("#offers").inner_text()
    centre.context.close()
    ward.context.close()
