"""Placement on the pages: propose for a case, for a selection, for a flight; choose; settings."""

import json
import re

from evac import placement as engine
from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, triage
from tests.conftest import post_form


def setup_cases(app, make, n=1):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        for code in ("UMCU", "MST2", "UMCG"):
            capacity.report_capacity(c, code, capacity.Figures({"clinical": (100, 70)}, 5), "phone")
        refs = []
        for _ in range(n):
            ref = make.case()
            triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
            refs.append(ref)
        return refs


def test_propose_a_hospital_and_offer_the_top_one(app, as_user, make):
    (ref,) = setup_cases(app, make)
    client = as_user("coordinator")
    assert "Propose a hospital" in client.get(f"/cases/{ref}").get_data(as_text=True)
    response = post_form(client, f"/cases/{ref}/placement", page=f"/cases/{ref}")
    page = response.location
    html = client.get(page).get_data(as_text=True)
    best = re.search(r'<tr class="best">.*?name="choice-[^"]+" value="(\w+)"', html, re.S).group(1)
    assert (
        "proven optimal" in html and "km away" in html and "Distance from Eindhoven Airport" in html
    )
    assert (
        html.count('class="best"') == 1 and 'type="radio"' not in html
    )  # one explicit button a row
    rows = re.findall(r"Offer here", html.split("Show all")[0])
    assert 1 <= len(rows) <= 5  # the best five first, the rest behind "Show all"
    checked = best
    response = post_form(client, f"{page}/offers", {f"choice-{ref}": checked}, page=page)
    assert response.location.endswith(f"/cases/{ref}")
    case_page = client.get(response.location).get_data(as_text=True)
    assert "status-offered" in case_page


def test_a_batch_from_the_board_with_an_override_and_live_totals(app, as_user, make):
    refs = setup_cases(app, make, 3)
    client = as_user("coordinator")
    board = client.get("/cases/?status=triaged").get_data(as_text=True)
    assert all(f'value="{r}"' in board for r in refs)
    response = post_form(client, "/placement/batch", {"reference": refs}, page="/cases/")
    page = response.location
    html = client.get(page).get_data(as_text=True)
    assert all(f'name="choice-{r}"' in html for r in refs) and "Regions before and after" in html
    live = client.get(f"{page}/evaluate?choice-{refs[0]}=UMCG").get_json()
    assert live["feasible"] and live["objective"] > 0 and live["regions"]
    broken = client.get(f"{page}/evaluate?choice-{refs[0]}=NOPE").get_json()
    assert not broken["feasible"] and broken["objective"] is None
    response = post_form(client, f"{page}/offers", {f"choice-{refs[0]}": "UMCG", f"choice-{refs[1]}": ""}, page=page,
                         follow_redirects=True)  # fmt: skip
    assert "2 offers made." in response.get_data(as_text=True)


def test_the_instance_can_be_checked_outside_the_app(app, as_user, make):
    refs = setup_cases(app, make, 2)
    client = as_user("coordinator")
    page = post_form(client, "/placement/batch", {"reference": refs}, page="/cases/").location
    download = client.get(f"{page}/instance.json")
    assert download.mimetype == "application/json"
    inst = engine.parse_instance(json.loads(download.data))
    result = engine.solve(inst)
    assert {p.id for p in inst.patients} == set(refs) and result.status == "optimal"


def test_nothing_selected_says_so(as_user):
    client = as_user("coordinator")
    response = post_form(client, "/placement/batch", {}, page="/cases/", follow_redirects=True)
    assert "Choose at least one triaged case" in response.get_data(as_text=True)


def test_the_admin_changes_the_weights(as_user):
    client = as_user("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Spread" in html or "spread" in html
    form = {"distance_per_km": "2", "load": "250", "unplaced_1": "10000", "unplaced_2": "5000",
            "unplaced_3": "2000", "deadline_immediate": "0.5", "deadline_urgent": "4", "deadline_routine": "24",
            "alert_points": "12", "home_below": "80", "spread_load": "100", "per_transfer": "5",
            "per_km": "0.05"}  # fmt: skip
    assert post_form(client, "/admin/settings", form, page="/admin/settings").status_code == 302
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="250.0"' in html and 'id="alert_points" name="alert_points" value="12.0"' in html
    bad = post_form(client, "/admin/settings", {**form, "load": "-1"}, page="/admin/settings")
    assert bad.status_code == 422


def test_a_coordinator_may_allow_the_sending_region(app, as_user, make):
    ref = make.case(source="domestic", sending_hospital="CZE", sending_country=None)
    client = as_user("coordinator")
    assert "Allow the sending region" in client.get(f"/cases/{ref}").get_data(as_text=True)
    post_form(client, f"/cases/{ref}/own-region", {"allowed": "1"}, page=f"/cases/{ref}")
    with app.app_context():
        case = cases.get_case(db.session.get(User, client.user.id), ref)
        assert case.include_own_region
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Leave the sending region out" in html and "case.own_region_allowed" in html
    eu = make.case()
    response = post_form(
        client,
        f"/cases/{eu}/own-region",
        {"allowed": "1"},
        page=f"/cases/{eu}",
        follow_redirects=True,
    )
    assert "Only a domestic transfer" in response.get_data(as_text=True)
