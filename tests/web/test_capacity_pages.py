"""Capacity pages and API: reporting, the overview, upload, export, and who may do what."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.conftest import csrf_token, now, post_form


def test_a_hospital_reports_its_beds_and_the_region_changes(as_user):
    client = as_user("hospital", "UMCG")
    page = "/capacity/hospitals/UMCG"
    response = post_form(
        client, page, {"capacity-ic": "40", "occupied-ic": "30", "isolation_free": "2"}, page=page
    )
    assert response.status_code == 302
    html = client.get("/capacity/").get_data(as_text=True)
    assert "75%" in html and "10 free" in html


def test_more_patients_than_staffed_beds_is_kept_and_questioned(as_user):
    """A hospital in a surge may have more patients than staffed beds; more often a figure
    was mistyped (60 for 6). The report is kept, and the hospital is asked to look again."""
    client = as_user("hospital", "UMCG")
    page = "/capacity/hospitals/UMCG"
    for occupied, questioned in (("30", False), ("60", True)):
        response = post_form(client, page, {"capacity-ic": "46", "occupied-ic": occupied},
                             page=page, follow_redirects=True)  # fmt: skip
        html = response.get_data(as_text=True)
        assert "Capacity of Universitair Medisch Centrum Groningen is reported." in html
        assert ("60 patients in 46 staffed beds" in html) is questioned
    assert "130%" in client.get("/capacity/").get_data(as_text=True)  # kept as reported


def test_a_hospital_cannot_report_for_another(as_user):
    client = as_user("hospital", "UMCG")
    assert client.get("/capacity/hospitals/MST2").status_code == 403
    response = post_form(
        client, "/capacity/hospitals/MST2", {"capacity-ic": "1", "occupied-ic": "0"}
    )
    assert response.status_code == 403


def test_a_half_filled_row_is_refused_with_the_values_kept(as_user):
    client = as_user("coordinator")
    page = "/capacity/hospitals/UMCG"
    response = post_form(
        client, page, {"capacity-ic": "40", "occupied-ic": "", "capacity-clinical": "x"}, page=page
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422
        and "Give both the beds" in html
        and "not a whole number" in html
    )
    assert 'value="40"' in html


def test_upload_and_export(as_user):
    client = as_user("coordinator")
    token = csrf_token(client, "/capacity/")
    data = {
        "csrf_token": token,
        "file": (io.BytesIO(b"hospital,category,capacity,occupied\nUMCG,ic,40,20\n"), "c.csv"),
    }
    response = client.post(
        "/capacity/upload", data=data, content_type="multipart/form-data", follow_redirects=True
    )
    assert "Imported capacity reports of 1 hospitals." in response.get_data(as_text=True)
    bad = {
        "csrf_token": token,
        "file": (io.BytesIO(b"hospital,category,capacity,occupied\nXX,ic,1,1\n"), "c.csv"),
    }
    response = client.post(
        "/capacity/upload", data=bad, content_type="multipart/form-data", follow_redirects=True
    )
    assert "Unknown hospital code: XX." in response.get_data(as_text=True)
    export = client.get("/capacity/occupancy.csv?days=2")
    assert export.mimetype == "text/csv" and ",NN,ic,40,20,20,0.500" in export.get_data(
        as_text=True
    )


def test_the_overview_has_a_map_and_flags_stale_hospitals(as_user):
    html = as_user("viewer").get("/capacity/").get_data(as_text=True)
    assert '<svg class="nlmap"' in html and html.count("<circle") >= 70
    assert "no report" in html


def test_transport_crews_are_shown_beside_beds(as_user):
    client = as_user("coordinator")
    response = post_form(
        client,
        "/capacity/transport",
        {"region": "LIM", "ambulances": "5", "micu": "1"},
        page="/capacity/",
    )
    assert response.status_code == 302
    assert "5 / 1" in client.get("/capacity/").get_data(as_text=True)


def api(client, token, method, url, body=None):
    return client.open(url, method=method, headers={"Authorization": f"Bearer {token}"}, json=body)


def test_api_put_and_get_capacity(client, make):
    token = make.token(make.user("hospital", "UMCG"))
    body = {
        "categories": {"ic": {"capacity": 30, "occupied": 27, "surge": 4}},
        "isolation_free": 2,
        "unknown": 1,
    }
    response = api(client, token, "PUT", "/api/v1/hospitals/UMCG/capacity", body)
    assert response.status_code == 200 and response.json["categories"]["ic"]["free"] == 3
    data = api(client, make.token(make.user("viewer")), "GET", "/api/v1/capacity").json
    nn = next(r for r in data["regions"] if r["code"] == "NN")
    assert nn["categories"]["ic"] == {
        "capacity": 30,
        "occupied": 27,
        "reserved": 0,
        "free": 3,
        "occupancy": 0.9,
        "surge": 4,
    }
    umcg = next(h for h in data["hospitals"] if h["code"] == "UMCG")
    assert umcg["isolation_free"] == 2 and umcg["stale"] is False


def test_api_a_hospital_may_not_put_another_hospitals_capacity(client, make):
    token = make.token(make.user("hospital", "UMCG"))
    response = api(client, token, "PUT", "/api/v1/hospitals/MST2/capacity",
                   {"categories": {"ic": {"capacity": 1, "occupied": 1}}})  # fmt: skip
    assert response.status_code == 403
    assert (
        api(client, token, "PUT", "/api/v1/hospitals/NOPE/capacity", {"categories": {}}).status_code
        == 404
    )


def test_api_invalid_capacity_is_422(client, make):
    token = make.token(make.user("coordinator"))
    for body in ({"categories": {"ic": {"capacity": 5}}}, {"categories": {"ic": {"capacity": -1, "occupied": 0}}},
                 {"categories": []}):  # fmt: skip
        assert api(client, token, "PUT", "/api/v1/hospitals/UMCG/capacity", body).status_code == 422
    assert client.put("/api/v1/hospitals/UMCG/capacity", data="x",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 400  # fmt: skip


def test_a_hospital_closes_a_category_from_its_report_page_and_opens_it_again(as_user):
    client = as_user("hospital", "UMCG")
    page = "/capacity/hospitals/UMCG"
    post_form(client, page, {"capacity-ic": "20", "occupied-ic": "10"}, page=page)
    until = (
        (now() + timedelta(hours=6))
        .astimezone(ZoneInfo("Europe/Amsterdam"))
        .strftime("%Y-%m-%dT%H:%M")
    )
    post_form(client, f"{page}/closure", {"category": "ic", "until": until,
              "reason": "Ventilators in repair"}, page=page)  # fmt: skip
    html = client.get(page).get_data(as_text=True)
    assert "Ventilators in repair" in html and "closed until" in html
    assert "closed until" in client.get("/capacity/").get_data(as_text=True)
    post_form(client, f"{page}/closure", {"category": "ic", "action": "reopen"}, page=page)
    assert "Ventilators in repair" not in client.get(page).get_data(as_text=True)
    bad = post_form(client, f"{page}/closure", {"category": "ic", "until": "", "reason": "x"},
                    page=page, follow_redirects=True)  # fmt: skip
    assert "next 14 days" in bad.get_data(as_text=True)
