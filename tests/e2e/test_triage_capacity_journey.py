"""Issue 3's journeys in a real browser: a coordinator triages from the queue; a hospital user
reports beds and the regional figure on the capacity page changes."""

import pytest

from tests.e2e.test_intake_journey import sign_in

pytestmark = pytest.mark.browser


def test_a_coordinator_triages_a_case_from_the_queue(page, live_server, make):
    burned = make.case(urgency="immediate", icd10=["T31.3"], requested_care="clinical")
    waiting = make.case(urgency="routine")
    sign_in(page, live_server, make.user("coordinator"))
    page.get_by_role("link", name="Triage").first.click()
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2 and burned in rows.first.inner_text()
    rows.first.get_by_role("link", name="Triage").click()
    assert page.get_by_label("Bed category").input_value() == "burns"
    assert "Burn injury (ICD-10 T20-T32)" in page.locator(".suggestion").first.inner_text()
    page.get_by_label("Clinical notes").fill("Dressings changed in Rzeszów")
    page.get_by_role("button", name="Save triage").click()
    page.wait_for_url(f"**/cases/{waiting}/triage")  # straight on to the next in the queue
    page.goto(f"{live_server}/cases/{burned}")
    assert "Triaged" in page.locator("h1 .status").inner_text()
    assert "Dressings changed in Rzeszów" in page.locator("#triage").inner_text()


def test_a_hospital_reports_beds_and_the_region_shows_it(page, live_server, make):
    sign_in(page, live_server, make.user("hospital", "UMCG"))
    page.goto(f"{live_server}/capacity/")
    nn = page.locator('tbody[data-region="NN"] tr.region-row')
    assert "–" in nn.locator("td").nth(0).inner_text()
    page.get_by_role("link", name="Report beds of UMCG").click()
    page.get_by_label("Staffed beds Intensive care (adult)").fill("40")
    page.get_by_label("Occupied Intensive care (adult)").fill("36")
    page.get_by_role("button", name="Save report").click()
    page.get_by_text("Capacity of").wait_for()
    page.goto(f"{live_server}/capacity/")
    cell = page.locator('tbody[data-region="NN"] tr.region-row td').nth(0)
    assert "90%" in cell.inner_text() and "4 free" in cell.inner_text()
