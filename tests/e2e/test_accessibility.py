"""Accessible: axe-core (shipped in the axe-playwright-python package, injected by Playwright)
finds no critical or serious violation on any main page, as a coordinator and as a hospital."""

import pytest

from tests.e2e.test_layout import PAGES, sign_in
from tests.web.test_transport_pages import accepted_on_flight

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_no_critical_or_serious_violations_on_the_main_pages(browser, live_server, app, make):
    flight_id, refs = accepted_on_flight(app, make, n=2)
    # The app's CSP forbids injected scripts, as it should; the test lifts it for axe alone.
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, make.user("admin"))
    found = []
    for path in [*PAGES, f"/cases/{refs[0]}", f"/flights/{flight_id}"]:
        page.goto(live_server + path)
        found += [f"{path}: {v}" for v in serious(page)]
    hospital = browser.new_context(
        locale="nl-NL", bypass_csp=True, viewport={"width": 390, "height": 844}
    )
    ward = hospital.new_page()
    sign_in(ward, live_server, make.user("hospital", "UMCU"))
    for path in ("/hospital/", f"/cases/{refs[0]}"):
        ward.goto(live_server + path)
        found += [f"hospital {path}: {v}" for v in serious(ward)]
    context.close()
    hospital.close()
    assert found == []
