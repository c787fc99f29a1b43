"""Offers on the pages and through the API: coordinator offers, hospital decides."""

from sqlalchemy import select

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, offers, triage
from tests.conftest import csrf_token, login, post_form


def offered_case(app, make, code="UMCG", **fields) -> tuple[str, int]:
    with app.app_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(
            coordinator, code, capacity.Figures({"clinical": (100, 90)}, 3), "phone"
        )
        ref = make.case(**fields)
        triage.triage_case(
            coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref))
        )
        return ref, offers.make_offer(coordinator, ref, code).id


def test_the_coordinator_offers_from_the_case_page(app, as_user, make):
    with app.app_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(
            coordinator, "MST2", capacity.Figures({"clinical": (50, 40)}), "phone"
        )
        ref = make.case()
        triage.triage_case(
            coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref))
        )
    client = as_user("coordinator")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    # by name and code: some groups have two hospitals of one name (NWZA, NWZD)
    assert "Maasstad Ziekenhuis (MST2) · 10 free" in html
    response = post_form(client, f"/cases/{ref}/offers", {"hospital": "MST2"}, page=f"/cases/{ref}")
    assert response.status_code == 302
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "status-offered" in html and "Withdraw offer" in html


def test_the_portal_lists_pending_offers_with_a_summary_and_no_name(app, client, make):
    ref, offer_id = offered_case(app, make, family_name="Бойко", allergies="Latex")
    login(client, make.user("hospital", "UMCG"))
    portal = client.get("/hospital/").get_data(as_text=True)
    assert ref in portal and "Бойко" not in portal and 'class="countdown' in portal
    page = client.get(f"/hospital/offers/{offer_id}").get_data(as_text=True)
    assert "Open femur fracture" in page and "Бойко" not in page and "Latex" not in page
    # Before accepting, the case page leads to the offer, not to the record.
    response = client.get(f"/cases/{ref}")
    assert response.status_code == 302 and response.location.endswith(
        f"/hospital/offers/{offer_id}"
    )


def test_the_hospital_accepts_and_then_sees_the_whole_case(app, client, make):
    ref, offer_id = offered_case(app, make, family_name="Бойко")
    login(client, make.user("hospital", "UMCG"))
    page = f"/hospital/offers/{offer_id}"
    response = post_form(client, f"{page}/accept", {"ward": "C4", "contact_name": "Dr. Visser",
                         "contact_phone": "050 000", "admission_from": "2026-11-26T10:00"}, page=page)  # fmt: skip
    assert response.status_code == 302 and response.location.endswith(f"/cases/{ref}")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Бойко" in html and "status-accepted" in html and "C4" in html
    assert ref in client.get("/hospital/").get_data(as_text=True)


def test_accepting_without_a_ward_is_refused_with_the_form_again(app, client, make):
    _ref, offer_id = offered_case(app, make)
    login(client, make.user("hospital", "UMCG"))
    page = f"/hospital/offers/{offer_id}"
    response = post_form(
        client, f"{page}/accept", {"ward": "", "contact_name": "x", "contact_phone": "1"}, page=page
    )
    assert response.status_code == 422 and "This field is required." in response.get_data(
        as_text=True
    )


def test_the_hospital_declines_with_a_reason(app, client, make):
    ref, offer_id = offered_case(app, make)
    login(client, make.user("hospital", "UMCG"))
    page = f"/hospital/offers/{offer_id}"
    response = post_form(client, f"{page}/decline", {"reason": "no_staff", "note": ""}, page=page)
    assert response.status_code == 302 and response.location.endswith("/hospital/")
    with app.app_context():
        case = cases.get_case(db.session.get(User, make.user("coordinator").id), ref)
        assert case.status == "placing"


def test_another_hospital_gets_404_for_the_offer(app, client, make):
    _ref, offer_id = offered_case(app, make)
    login(client, make.user("hospital", "MST2"))
    assert client.get(f"/hospital/offers/{offer_id}").status_code == 404
    token = csrf_token(client, "/hospital/")
    response = client.post(f"/hospital/offers/{offer_id}/accept", data={"csrf_token": token, "ward": "x",
                           "contact_name": "x", "contact_phone": "1"})  # fmt: skip
    assert response.status_code == 404


def api(client, token, method, url, body=None):
    return client.open(url, method=method, headers={"Authorization": f"Bearer {token}"}, json=body)


def test_api_offers_accept_and_409_when_no_longer_pending(app, client, make):
    ref, offer_id = offered_case(app, make)
    token = make.token(make.user("hospital", "UMCG"))
    listing = api(client, token, "GET", "/api/v1/offers?status=pending").json["offers"]
    assert [o["id"] for o in listing] == [offer_id] and "family_name" not in str(listing)
    body = {
        "ward": "IC",
        "contact_name": "Dr. V",
        "contact_phone": "050 361 1111",
        "admission_from": "2026-11-26T10:00:00+01:00",
    }
    accepted = api(client, token, "POST", f"/api/v1/offers/{offer_id}/accept", body)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert accepted.json["acceptance"]["admission_from"].startswith("2026-11-26T09:00")
    again = api(client, token, "POST", f"/api/v1/offers/{offer_id}/decline", {"reason": "no_bed"})
    assert again.status_code == 409
    case = api(client, token, "GET", f"/api/v1/cases/{ref}").json
    assert (
        case["patient"]["family_name"] == "Шевченко" and case["offers"][0]["status"] == "accepted"
    )


def test_api_decline_with_free_text_and_errors(app, client, make):
    _ref, offer_id = offered_case(app, make)
    token = make.token(make.user("hospital", "UMCG"))
    assert api(client, token, "POST", f"/api/v1/offers/{offer_id}/decline", {}).status_code == 422
    assert (
        api(client, token, "POST", f"/api/v1/offers/{offer_id}/accept", {"ward": "x"}).status_code
        == 422
    )
    other = make.token(make.user("hospital", "MST2"))
    assert (
        api(
            client, other, "POST", f"/api/v1/offers/{offer_id}/decline", {"reason": "x"}
        ).status_code
        == 404
    )
    declined = api(
        client,
        token,
        "POST",
        f"/api/v1/offers/{offer_id}/decline",
        {"reason": "Ward closed for norovirus"},
    )
    assert declined.status_code == 200
    assert declined.json["decline"] == {"reason": "other", "note": "Ward closed for norovirus"}
    coordinator = make.token(make.user("coordinator"))
    assert (
        api(client, coordinator, "GET", "/api/v1/offers?status=declined").json["offers"][0]["id"]
        == offer_id
    )
    assert api(client, coordinator, "GET", "/api/v1/offers?status=lost").status_code == 422


def test_expire_offers_command(app, runner, make):
    from datetime import timedelta

    from evac.models import Offer
    from evac.models.types import utcnow

    _ref, offer_id = offered_case(app, make)
    with app.app_context():
        db.session.get(Offer, offer_id).deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = runner.invoke(args=["expire-offers"])
    assert result.output.strip() == "expired 1"
    with app.app_context():
        assert db.session.scalar(select(Offer.status).where(Offer.id == offer_id)) == "expired"


def test_an_empty_acceptance_says_why_at_the_top(app, client, make):
    ref, offer_id = offered_case(app, make)
    login(client, make.user("hospital", "UMCG"))
    page = f"/hospital/offers/{offer_id}"
    response = post_form(client, f"{page}/accept",
                         {"ward": "", "contact_name": "", "contact_phone": ""}, page=page)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.index("error-summary") < html.index("What you need to decide")
    assert 'href="#ward"' in html and "The answer was not saved" in html
