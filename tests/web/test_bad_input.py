"""Bad input gets a clear 4xx, never a 500, and nothing is lost: NUL characters anywhere, JSON
nested 100,000 deep, a CSV field over the csv module's limit, 10,000 companions, a batch over the
limit, text that is not UTF-8. A refused import keeps its record with the raw payload."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from evac.extensions import db
from evac.models import Case, ImportRecord
from tests.conftest import post_form, request_data


@pytest.fixture
def coordinator_api(client, make):
    token = make.token(make.user("coordinator"))
    return lambda method, url, **kw: client.open(
        url, method=method, headers={"Authorization": f"Bearer {token}"}, **kw
    )


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Case.id))),
                db.session.scalar(select(func.count(ImportRecord.id))))  # fmt: skip


def last_record(app) -> ImportRecord:
    with app.app_context():
        record = db.session.scalar(select(ImportRecord).order_by(ImportRecord.id.desc()))
        db.session.expunge(record)
        return record


@pytest.mark.parametrize(
    "method,url",
    [
        ("GET", "/api/v1/cases/EV%00x"),
        ("GET", "/api/v1/cases?external_ref=a%00b"),
        ("PUT", "/api/v1/hospitals/UMCG%00/capacity"),
        ("GET", "/cases/?q=Ab%00c"),
    ],
)
def test_a_nul_in_a_url_is_a_plain_400(app, client, make, coordinator_api, method, url):
    from tests.conftest import login

    login(client, make.user("coordinator"))
    response = coordinator_api(method, url, json={})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_in_a_json_body_or_a_form_is_a_plain_400(client, make, coordinator_api):
    body = {"categories": {"ic\u0000": {"capacity": 3, "occupied": 1}}}
    response = coordinator_api("PUT", "/api/v1/hospitals/UMCG/capacity", json=body)
    assert response.status_code == 400 and "NUL" in response.get_json()["errors"][0]["message"]
    from tests.conftest import login

    login(client, make.user("coordinator"))
    response = post_form(client, "/cases/EV-2026-00001/cancel", {"reason": "x\x00y"}, page="/")
    assert response.status_code == 400


def test_json_nested_100000_deep(app, coordinator_api):
    deep = "[" * 100_000 + "]" * 100_000
    cases, records = counts(app)
    response = coordinator_api("POST", "/api/v1/requests", data=deep,
                               content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["errors"][0]["message"]
    assert counts(app) == (cases, records + 1)  # the record keeps what came
    assert last_record(app).raw == deep.encode() and last_record(app).outcome == "rejected"
    other = coordinator_api("PUT", "/api/v1/hospitals/UMCG/capacity", data=deep,
                            content_type="application/json")  # fmt: skip
    assert other.status_code == 400


def test_a_body_that_is_not_utf8_or_not_json_is_kept(app, coordinator_api):
    for body, says in ((b"\xff\xfe{}", "not UTF-8"), (b"{not json", "Not valid JSON")):
        response = coordinator_api("POST", "/api/v1/requests", data=body,
                                   content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and says in response.get_json()["errors"][0]["message"]
        record = last_record(app)
        assert record.raw == body and record.id == response.get_json()["import_id"]
        assert says in record.problems[0]["message"]


def test_a_nul_in_a_request_is_a_problem_on_its_field_and_the_batch_is_kept(app, coordinator_api):
    body = {"requests": [request_data(), request_data(external_ref="UCPM-2",
                                                      family_name="Nul\u0000Name")]}  # fmt: skip
    cases, records = counts(app)
    response = coordinator_api("POST", "/api/v1/requests", json=body)
    assert response.status_code == 422
    problem = response.get_json()["errors"][0]
    assert problem == {"row": 1, "field": "family_name",
                       "message": "This field holds an invisible NUL character; remove it."}  # fmt: skip
    assert counts(app) == (cases, records + 1)


def test_ten_thousand_companions_are_refused(app, coordinator_api):
    many = [{"name": "x", "relation": "friend"}] * 10_000
    response = coordinator_api("POST", "/api/v1/requests", json=request_data(companions=many))
    assert response.status_code == 422
    assert "At most 10 companions" in response.get_json()["errors"][0]["message"]


def test_a_batch_over_the_limit_is_refused_and_kept(app, coordinator_api):
    app.config["EVAC_MAX_BATCH"] = 3
    try:
        body = {"requests": [request_data(external_ref=f"UCPM-{i}") for i in range(4)]}
        cases, records = counts(app)
        response = coordinator_api("POST", "/api/v1/requests", json=body)
        assert response.status_code == 422
        assert "at most 3 requests" in response.get_json()["errors"][0]["message"]
        assert counts(app) == (cases, records + 1)
    finally:
        app.config["EVAC_MAX_BATCH"] = 1000


def _csv(rows: list[dict]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def _upload(client, content: bytes, name: str = "requests.csv"):
    return post_form(client, "/intake/upload", {"file": (io.BytesIO(content), name)},
                     page="/intake/upload", content_type="multipart/form-data")  # fmt: skip


def _csv_row(**overrides) -> dict:
    row = {k: v for k, v in request_data(**overrides).items() if not isinstance(v, list)}
    row["languages"] = "uk"
    row["icd10"] = "S72.3"
    return row


def test_a_csv_field_over_131072_characters_is_a_problem_not_a_500(app, as_user):
    client = as_user("coordinator")
    content = _csv([_csv_row(notes="x" * 140_000)])
    cases, records = counts(app)
    response = _upload(client, content)
    assert response.status_code == 422
    assert "longer than 131072 characters" in response.get_data(as_text=True)
    assert counts(app) == (cases, records + 1) and last_record(app).raw == content


def test_a_nul_byte_in_a_csv_upload_is_a_problem_and_kept(app, as_user):
    client = as_user("coordinator")
    content = _csv([_csv_row(family_name="Nul\x00Name")])
    response = _upload(client, content)
    assert response.status_code == 422 and "NUL character" in response.get_data(as_text=True)
    assert last_record(app).raw == content


def test_a_utf16_csv_is_refused_for_its_encoding_and_kept(app, as_user):
    client = as_user("coordinator")
    content = _csv([_csv_row()]).decode().encode("utf-16")
    response = _upload(client, content)
    assert response.status_code == 422 and "not UTF-8" in response.get_data(as_text=True)
    assert last_record(app).raw == content


def test_the_command_line_refuses_a_deep_json_file_plainly(runner, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(args=["import-requests", str(path)])
    assert result.exit_code == 1 and "nested too deeply" in result.output


def test_the_request_schema_still_imports_a_good_batch(app, coordinator_api):
    body = {"requests": [request_data(external_ref=f"UCPM-OK-{i}") for i in range(3)]}
    response = coordinator_api("POST", "/api/v1/requests", data=json.dumps(body),
                               content_type="application/json")  # fmt: skip
    assert response.status_code == 201 and len(response.get_json()["created"]) == 3
