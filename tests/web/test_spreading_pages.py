"""Spreading pages: the overview's flag, the plan beside its map, counts changed and recomputed,
quotas issued and named by the sending region, back home, and escalation by a region."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import Case, SpreadingPlan, User
from evac.services import capacity
from tests.conftest import login, post_form


@pytest.fixture
def busy_west(app, make):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 40)}, 2), "phone")
        capacity.report_capacity(c, "UMCG", capacity.Figures({"ic": (40, 20)}, 4), "phone")
        capacity.report_transport(c, "NW", ambulances=4, micu=2)


def test_the_overview_flags_regions_apart_and_leads_to_a_plan(client, make, busy_west, app):
    login(client, make.user("coordinator"))
    html = client.get("/").get_data(as_text=True)
    assert "Regions drift apart" in html and "NW" in html and "Plan spreading" in html
    response = post_form(client, "/spreading/plans", page="/spreading/")
    assert response.status_code == 302
    plan = client.get(response.location).get_data(as_text=True)
    assert 'class="move"' in plan and 'name="n|NW|NN|ic"' in plan and "worth the journey" in plan
    with app.app_context():
        plan_id = db.session.scalar(select(SpreadingPlan.id))
    best = client.get(f"/spreading/plans/{plan_id}/evaluate?n|NW|NN|ic=2").get_json()
    assert best["feasible"] and best["extra"] == 0
    fewer = client.get(f"/spreading/plans/{plan_id}/evaluate?n|NW|NN|ic=1").get_json()
    assert fewer["feasible"] and fewer["extra"] > 0
    too_many = client.get(f"/spreading/plans/{plan_id}/evaluate?n|NW|NN|ic=3").get_json()
    assert not too_many["feasible"] and "can send 2" in too_many["problems"][0]
    bad = client.get(f"/spreading/plans/{plan_id}/evaluate?n|NW|NN|ic=x")
    assert bad.status_code == 422
    download = client.get(f"/spreading/plans/{plan_id}/instance.json")
    assert download.get_json()["units"] and "attachment" in download.headers["Content-Disposition"]


def test_a_plan_refused_keeps_the_counts_typed_and_marks_the_one_at_fault(
    app, client, make, busy_west
):
    login(client, make.user("coordinator"))
    location = post_form(client, "/spreading/plans", page="/spreading/").location
    plan_id = int(location.rsplit("/", 1)[1])
    for typed, says in (("3", "can send 2"), ("x", "whole number")):
        refused = post_form(client, f"/spreading/plans/{plan_id}/issue", {"n|NW|NN|ic": typed},
                            page=location)  # fmt: skip
        assert refused.status_code == 422
        html = refused.get_data(as_text=True)
        count = re.search(r'<input[^>]*name="n\|NW\|NN\|ic"[^>]*>', html).group(0)
        assert f'value="{typed}"' in count and 'aria-invalid="true"' in count
        assert says in html and "The transfer requests were not sent." in html
    with app.app_context():
        assert db.session.get(SpreadingPlan, plan_id).status == "proposed"  # nothing was sent


def test_issued_quotas_are_named_by_the_sending_region(app, client, make, busy_west):
    login(client, make.user("coordinator"))
    location = post_form(client, "/spreading/plans", page="/spreading/").location
    plan_id = int(location.rsplit("/", 1)[1])
    response = post_form(client, f"/spreading/plans/{plan_id}/issue", {"n|NW|NN|ic": "1"},
                         page=location)  # fmt: skip
    assert response.location == "/spreading/quotas"
    regional = app.test_client()
    login(regional, make.user("regional", region="NW"))
    listing = regional.get("/spreading/quotas").get_data(as_text=True)
    quota_url = re.search(r'href="(/spreading/quotas/\d+)"', listing).group(1)
    assert "Open transfer requests" in regional.get("/").get_data(as_text=True)
    # the region's hospitals by name and code (two Noordwest Ziekenhuisgroep: NWZA, NWZD)
    assert ">Noordwest Ziekenhuisgroep (NWZA)</option>" in regional.get(quota_url).get_data(
        as_text=True
    )
    form = {"family_name-0": "Bakker", "given_name-0": "Joke", "date_of_birth-0": "1948-05-06",
            "sex-0": "female", "sending_hospital-0": "AZW", "diagnosis-0": "Sepsis",
            "mobility-0": "stretcher", "urgency-0": "urgent"}  # fmt: skip
    bad = post_form(regional, quota_url, {**form, "date_of_birth-0": "2999-01-01"}, page=quota_url)
    assert bad.status_code == 422
    done = post_form(regional, quota_url, form, page=quota_url)
    assert done.status_code == 302
    assert "1 patient named for this transfer request." in regional.get(done.location).get_data(
        as_text=True
    )
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.quota_id.is_not(None)))
        assert case.destination_region.code == "NN" and case.patient.family_name == "Bakker"
    # Another region's centre sees neither the quota nor the patient.
    other = app.test_client()
    login(other, make.user("regional", region="ZWN"))
    assert other.get(quota_url).status_code == 404
    assert other.get(f"/cases/{case.reference}").status_code == 404
    assert case.reference not in other.get("/cases/?q=Bakker").get_data(as_text=True)


def test_a_region_escalates_a_request_from_the_case_page(app, client, make):
    rcps = make.user("regional", region="BRA")
    ref = make.case(source="domestic", sending_hospital="CZE", sending_country=None)
    login(client, rcps)
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Escalate to the national centre" in page and "regional centre of BRA" in page
    response = post_form(client, f"/cases/{ref}/escalate", {"reason": "No bed in Brabant"},
                         page=f"/cases/{ref}")  # fmt: skip
    assert response.status_code == 302
    national = app.test_client()
    login(national, make.user("coordinator"))
    assert ref in national.get("/triage/").get_data(as_text=True)
    assert "No bed in Brabant" in national.get(f"/cases/{ref}").get_data(as_text=True)


def test_the_board_of_the_national_centre_leaves_out_what_regions_hold(app, client, make):
    make.user("regional", region="BRA")
    ref = make.case(source="domestic", sending_hospital="CZE", sending_country=None)
    login(client, make.user("coordinator"))
    assert ref not in client.get("/cases/").get_data(as_text=True)
    assert ref in client.get("/cases/?held=region").get_data(as_text=True)


def test_back_home_page_lists_nobody_when_nobody_is_away(client, make):
    login(client, make.user("coordinator"))
    assert "Nobody to bring back now" in client.get("/spreading/back-home").get_data(as_text=True)
