"""A coordinator's first minutes, in a real browser: sign in, upload a file, find the case."""

import pytest

pytestmark = pytest.mark.browser

CSV = (
    "external_ref,source,requested_at,sending_country,family_name,given_name,date_of_birth,"
    "sex,diagnosis,icd10,requested_care,urgency,mobility,companion_count\n"
    "UCPM-MEDEVAC-2026-04711,eu_medevac,2026-11-24,UA,Гончаренко,Богдан,14.07.1979,Ч,"
    "Blast injury left arm,S42.3,clinical,urgent,seated,1\n"
)


def sign_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_upload_a_file_and_find_the_case_on_the_board(page, live_server, make, tmp_path):
    sign_in(page, live_server, make.user("coordinator"))
    page.get_by_role("link", name="Intake").click()
    requests = tmp_path / "flight-2026-11-24.csv"
    requests.write_text(CSV, encoding="utf-8")
    page.get_by_label("File of requests (.csv or .json)").set_input_files(str(requests))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 1 requests; 0 were already registered.").wait_for()

    page.get_by_role("link", name="Cases").click()
    page.get_by_role("searchbox", name="Search", exact=True).fill("гончаренко")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("table.board tbody tr")
    assert row.count() == 1
    assert "Гончаренко, Богдан" in row.inner_text()
    row.get_by_role("link").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("EV-")
    assert "UCPM-MEDEVAC-2026-04711" in page.content()


def test_a_rejected_upload_shows_the_problem_beside_its_row(page, live_server, make, tmp_path):
    sign_in(page, live_server, make.user("coordinator"))
    page.goto(f"{live_server}/intake/upload")
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("S42.3", "arm"), encoding="utf-8")
    page.get_by_label("File of requests (.csv or .json)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    problems = page.locator("table.problems")
    problems.wait_for()
    assert "UCPM-MEDEVAC-2026-04711 · Гончаренко" in problems.inner_text()
    assert "'ARM' is not an ICD-10 code" in problems.inner_text()
