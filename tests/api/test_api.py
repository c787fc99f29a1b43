"""The JSON API of ../shared/specs/api.md: tokens, the error envelope, intake and cases."""

import json

from tests.conftest import request_data


def api(client, token, method, url, body=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"}
    if raw is not None:
        return client.open(url, method=method, headers=headers, data=raw,
                           content_type="application/json")  # fmt: skip
    return client.open(url, method=method, headers=headers, json=body)


def test_no_or_a_bad_token_is_401_with_the_error_envelope(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/cases", headers=headers)
        assert response.status_code == 401
        assert response.json["errors"][0]["field"] == "Authorization"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_post_requests_creates_cases_then_reports_duplicates(client, make):
    token = make.token(make.user("coordinator"))
    body = {"requests": [request_data(external_ref="API-1"), request_data(external_ref="API-2")]}
    first = api(client, token, "POST", "/api/v1/requests", body)
    assert first.status_code == 201
    assert [c["external_ref"] for c in first.json["created"]] == ["API-1", "API-2"]
    assert first.json["created"][0]["patient"]["family_name"] == "Шевченко"
    again = api(client, token, "POST", "/api/v1/requests", body)
    assert again.status_code == 200 and again.json["created"] == []
    assert again.json["duplicates"] == [c["reference"] for c in first.json["created"]]


def test_a_single_request_object_is_accepted(client, make):
    token = make.token(make.user("coordinator"))
    response = api(client, token, "POST", "/api/v1/requests", request_data())
    assert response.status_code == 201 and len(response.json["created"]) == 1


def test_invalid_requests_are_422_by_row_and_field_and_nothing_is_created(client, make):
    token = make.token(make.user("coordinator"))
    body = {
        "requests": [
            request_data(external_ref="OK-1"),
            request_data(external_ref="BAD", sex="x", urgency=None),
        ]
    }
    response = api(client, token, "POST", "/api/v1/requests", body)
    assert response.status_code == 422
    assert {(e["row"], e["field"]) for e in response.json["errors"]} == {(1, "sex"), (1, "urgency")}
    assert api(client, token, "GET", "/api/v1/cases").json["total"] == 0


def test_malformed_json_is_400(client, make):
    token = make.token(make.user("coordinator"))
    response = api(client, token, "POST", "/api/v1/requests", raw=b"{not json")
    assert response.status_code == 400 and "Not valid JSON" in response.json["errors"][0]["message"]
    assert response.json["import_id"]  # what came is kept all the same


def test_a_hospital_token_may_not_register_requests(client, make):
    token = make.token(make.user("hospital", "UMCG"))
    response = api(client, token, "POST", "/api/v1/requests", request_data())
    assert response.status_code == 403


def test_cases_list_filters_and_pages(client, make):
    refs = [make.case(external_ref=f"L-{i}") for i in range(3)]
    token = make.token(make.user("coordinator"))
    listing = api(client, token, "GET", "/api/v1/cases").json
    assert listing["total"] == 3 and listing["page"] == 1
    assert {c["reference"] for c in listing["cases"]} == set(refs)
    one = api(client, token, "GET", "/api/v1/cases?external_ref=L-1").json
    assert [c["reference"] for c in one["cases"]] == [refs[1]]
    assert api(client, token, "GET", "/api/v1/cases?status=closed").json["total"] == 0
    bad = api(client, token, "GET", "/api/v1/cases?status=lost")
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "status"


def test_viewers_get_cases_de_identified(client, make):
    ref = make.case(contact_name="Dr. Hnatiuk", notes="Call Ivan Petrenko")
    token = make.token(make.user("viewer"))
    case = api(client, token, "GET", f"/api/v1/cases/{ref}").json
    text = json.dumps(case, ensure_ascii=False)
    assert case["reference"] == ref and "Шевченко" not in text and "family_name" not in text
    assert "Hnatiuk" not in text and "Petrenko" not in text and "date_of_birth" not in text
    # The clinical summary is there: the picture without the person.
    assert case["clinical"]["icd10"] == ["S72.3"] and case["external_ref"] is None


def test_a_case_in_full_for_a_coordinator(client, make):
    ref = make.case(companions=[{"name": "Марія", "relation": "mother", "age_years": 60}])
    token = make.token(make.user("coordinator"))
    case = api(client, token, "GET", f"/api/v1/cases/{ref}").json
    assert case["patient"]["given_name_latin"] == "Olena"
    assert case["clinical"]["icd10"] == ["S72.3"]
    assert case["companions"][0]["relation"] == "mother"
    assert [s["to"] for s in case["status_history"]] == ["received"]


def test_hospitals_see_only_their_cases_and_others_are_404(client, make):
    mine, theirs = make.case(), make.case()
    make.place_at(mine, "UMCG")
    make.place_at(theirs, "MST2")
    token = make.token(make.user("hospital", "UMCG"))
    assert [c["reference"] for c in api(client, token, "GET", "/api/v1/cases").json["cases"]] == [
        mine
    ]
    assert api(client, token, "GET", f"/api/v1/cases/{mine}").status_code == 200
    response = api(client, token, "GET", f"/api/v1/cases/{theirs}")
    assert response.status_code == 404 and theirs in response.json["errors"][0]["message"]


def test_unknown_api_paths_and_methods_answer_in_json(client, make):
    token = make.token(make.user("coordinator"))
    assert api(client, token, "GET", "/api/v1/nothing").json["errors"]
    response = api(client, token, "DELETE", "/api/v1/cases")
    assert response.status_code == 405 and response.json["errors"]


def test_the_openapi_description_covers_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, (path, method)


def test_a_request_sent_again_with_other_content_is_a_conflict_409_unless_another_is_invalid(
    client, make
):
    token = make.token(make.user("coordinator"))
    assert (
        api(client, token, "POST", "/api/v1/requests", request_data(external_ref="C-1")).status_code
        == 201
    )
    changed = request_data(external_ref="C-1", urgency="immediate")
    conflict = api(client, token, "POST", "/api/v1/requests", changed)
    assert conflict.status_code == 409
    assert "urgency" in conflict.json["errors"][0]["message"]
    # With an invalid request beside it, the batch is invalid (422), and both are named.
    both = {"requests": [changed, request_data(external_ref="C-2", sex="x")]}
    answer = api(client, token, "POST", "/api/v1/requests", both)
    assert answer.status_code == 422
    assert {e["row"] for e in answer.json["errors"]} == {0, 1}
