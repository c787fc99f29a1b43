"""Intake version 2: clinical and logistic fields, from the request to the case page and the
transfer document, with what nobody said shown as unknown, never as no."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from evac.extensions import db
from evac.interop import requests as request_format
from evac.models import User
from evac.services import cases, documents
from tests.conftest import request_data

TODAY = date(2026, 11, 30)

# Every version-2 field, with values that can be found again in what evac prints.
EVERY_FIELD = {
    "patient_type": "military",
    "region_of_origin": "Kharkivska",
    "place_type": "stretcher",
    "tracheostomy": False,
    "devices": ["chest drain", "central line", "external fixator"],
    "vital_signs": {
        "recorded_at": "2026-11-29T06:30:00+00:00", "gcs": 14, "heart_rate": 96,
        "systolic_bp": 118, "diastolic_bp": 74, "resp_rate": 19, "spo2": 94, "temperature_c": 37.8,
    },
    "ventilation": {"mode": "SIMV", "fio2": 0.4, "peep_cmh2o": 6},
    "mdro_organisms": ["ESBL", "MDR-Acinetobacter"],
    "mdro_screened_at": "2026-11-27",
    "infections": ["tuberculosis"],
    "isolation_type": "contact",
    "code_status": "dnr",
    "pregnancy_weeks": 22,
    "documents_received": ["discharge_summary", "imaging"],
    "family_in_nl": "Zwolle",
}  # fmt: skip

# The same request with every optional answer "no" or "none".
EVERY_NO = {
    "war_related": False, "ventilated": False, "isolation_required": False, "fit_to_fly": False,
    "tracheostomy": False, "devices": [], "mdro_organisms": [], "infections": [],
    "isolation_type": "none", "code_status": "full", "documents_received": [],
    "allergies": "none known",
}  # fmt: skip

V1_OPTIONAL = ("war_related", "ventilated", "isolation_required", "fit_to_fly", "allergies",
               "medication", "weight_kg", "oxygen_l_min", "languages", "sending_facility")  # fmt: skip


def parse(**fields):
    return request_format.validate(request_data(**fields), 0, False, TODAY)


def test_every_new_field_is_read_and_normalised(app):
    with app.test_request_context():
        result = parse(**EVERY_FIELD)
    assert result.problems == []
    d = result.requests[0].data
    assert d["vital_signs"]["spo2"] == 94 and d["vital_signs"]["temperature_c"] == 37.8
    assert d["ventilation"] == {"mode": "SIMV", "fio2": 0.4, "peep_cmh2o": 6}
    assert d["devices"] == ["chest drain", "central line", "external fixator"]
    assert d["tracheostomy"] is False and d["pregnancy_weeks"] == 22


def test_a_version_1_request_keeps_its_fingerprint(app):
    """Fields the sender left out are not stored, so a request re-sent after the upgrade is
    still a duplicate of itself, not a conflict."""
    with app.test_request_context():
        d = parse().requests[0].data
    assert not set(EVERY_FIELD) & set(d)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"vital_signs": {"spo2": 101}}, "vital_signs.spo2"),
        ({"vital_signs": {"gcs": 2}}, "vital_signs.gcs"),
        ({"vital_signs": {"heart_rate": "fast"}}, "vital_signs.heart_rate"),
        ({"vital_signs": {"recorded_at": "yesterday", "gcs": 10}}, "vital_signs.recorded_at"),
        ({"ventilation": {"fio2": 0.1}}, "ventilation.fio2"),
        ({"ventilation": {"peep_cmh2o": 31}}, "ventilation.peep_cmh2o"),
        ({"pregnancy_weeks": 46}, "pregnancy_weeks"),
        ({"code_status": "maybe"}, "code_status"),
        ({"isolation_type": "strict"}, "isolation_type"),
        ({"place_type": "cargo"}, "place_type"),
        ({"documents_received": ["passport photo"]}, "documents_received"),
        ({"mdro_screened_at": "last week"}, "mdro_screened_at"),
        ({"devices": [{"kind": "drain"}]}, "devices"),
        ({"mdro_status": "negative", "mdro_organisms": ["MRSA"]}, "mdro_organisms"),
    ],
)
def test_a_value_out_of_its_range_is_a_problem_on_its_field(app, fields, field):
    with app.test_request_context():
        result = parse(**fields)
    assert result.requests == []
    assert [p.field for p in result.problems] == [field]


def test_csv_columns_of_version_2(app):
    header = ("external_ref,source,requested_at,sending_country,family_name,given_name,age_years,"
              "sex,diagnosis,requested_care,urgency,mobility,vs_recorded_at,gcs,heart_rate,bp,"
              "resp_rate,spo2,temperature_c,vent_mode,fio2,peep_cmh2o,devices,tracheostomy,"
              "code_status,documents_received\n")  # fmt: skip
    row = ("R-1,eu_medevac,2026-11-20,UA,Шевченко,Олена,40,F,Sepsis,ic,urgent,stretcher,"
           "2026-11-29T06:30,9,120,95/60,28,91,\"38,5\",PC-AC,0.6,8,chest drain;central line,так,"
           "full,discharge_summary;lab_results\n")  # fmt: skip
    with app.test_request_context():
        result = request_format.parse_csv((header + row).encode(), TODAY)
        bad = request_format.parse_csv((header + row.replace("95/60", "95-60")).encode(), TODAY)
    assert result.problems == []
    d = result.requests[0].data
    assert d["vital_signs"]["systolic_bp"] == 95 and d["vital_signs"]["diastolic_bp"] == 60
    assert d["vital_signs"]["temperature_c"] == 38.5 and d["ventilation"]["mode"] == "PC-AC"
    assert d["tracheostomy"] is True and d["devices"] == ["chest drain", "central line"]
    assert [(p.row, p.field) for p in bad.problems] == [(2, "bp")]


def pdf_text(app, make, **fields) -> str:
    ref = make.case(**fields)
    with app.test_request_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        doc = documents.transfer_document(coordinator, ref, ("en",))
        return " ".join(
            "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.pdf)).pages).split()
        )


def test_every_value_is_in_the_transfer_document(app, make):
    text = pdf_text(app, make, **EVERY_FIELD)
    for value in ("Military", "Kharkivska", "chest drain, central line, external fixator",
                  "GCS 14", "HR 96/min", "BP 118/74 mmHg", "RR 19/min", "SpO2 94 %", "T 37.8 °C",
                  "SIMV", "FiO2 0.4", "PEEP 6 cmH2O", "ESBL, MDR-Acinetobacter", "27-11-2026",
                  "tuberculosis", "Do not resuscitate (DNR)", "22 weeks", "Zwolle",
                  "Discharge summary (form 027/o)", "Imaging"):  # fmt: skip
        assert value in text, value
    # Tuberculosis asks for a negative-pressure room, whatever the sender's kind said.
    assert "Airborne isolation: negative-pressure room" in text
    assert "MDRO positive: ESBL, MDR-Acinetobacter" in text
    assert "Pregnant, 22 weeks" in text


def test_what_nobody_said_reads_unknown_and_what_was_denied_reads_no(app, make):
    absent = pdf_text(app, make, **{k: None for k in V1_OPTIONAL})
    denied = pdf_text(app, make, **EVERY_NO)
    rows = ("Tracheostomy", "Ventilated", "War-related", "Medical devices",
            "Resistant organisms \\(MDRO\\)", "Transmissible infections", "Documents received")  # fmt: skip
    for row in rows:
        assert re.search(rf"{row} unknown", absent), row
        assert re.search(rf"{row} (No|none)\b", denied), row
    assert "Allergies not known" in absent and "No known allergies" in denied
    assert "Resuscitation policy Unknown" in absent
    assert "Resuscitation policy Full resuscitation" in denied
    assert "Isolation unknown" in absent and "Isolation None" in denied


def test_the_case_page_shows_every_value(as_user, make):
    ref = make.case(**EVERY_FIELD)
    client = as_user("coordinator")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    for value in ("Military", "Kharkivska", "chest drain, central line, external fixator",
                  "GCS 14", "BP 118/74 mmHg", "SpO2 94 %", "SIMV", "PEEP 6 cmH2O",
                  "ESBL, MDR-Acinetobacter", "tuberculosis", "Do not resuscitate (DNR)",
                  "22 weeks", "Zwolle", "Discharge summary (form 027/o)",
                  "Airborne isolation (negative-pressure room)", "Stretcher"):  # fmt: skip
        assert value in html, value


def test_a_tracheostomy_takes_an_intensive_care_stretcher(app, make):
    ref = make.case(tracheostomy=True, place_type="seat", mobility="seated")
    with app.test_request_context():
        case = cases.get_case(db.session.get(User, make.user("coordinator").id), ref)
        assert case.place_needed == "ic_stretcher"
        assert "Tracheostomy" in [a.text for a in cases.case_alerts(case)]


def test_the_form_takes_every_new_field_and_leaves_unknown_unknown(as_user):
    from tests.conftest import csrf_token

    client = as_user("coordinator")
    form = {
        "csrf_token": csrf_token(client, "/intake/new"), "external_ref": "PHONE-V2-1",
        "source": "eu_medevac", "requested_at": "2026-11-25", "sending_country": "UA",
        "family_name": "Коваленко", "given_name": "Ірина", "age_years": "34", "sex": "female",
        "diagnosis": "Sepsis", "requested_care": "ic", "urgency": "urgent",
        "mobility": "stretcher", "mdro_status": "positive", "patient_type": "civilian",
        "region_of_origin": "Sumska", "family_in_nl": "Assen", "tracheostomy": "yes",
        "devices": "urinary catheter", "vs_recorded_at": "2026-11-25T07:45", "gcs": "11",
        "heart_rate": "110", "bp": "100/60", "resp_rate": "22", "spo2": "93",
        "temperature_c": "38,4", "vent_mode": "CPAP", "fio2": "0.35", "peep_cmh2o": "5",
        "mdro_organisms": "CPE", "mdro_screened_at": "2026-11-20", "infections": "",
        "isolation_type": "droplet", "code_status": "full", "pregnancy_weeks": "12",
        "documents_received": ["lab_results", "consent_transfer"],
    }  # fmt: skip
    response = client.post("/intake/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(response.location).get_data(as_text=True)
    for value in ("Civilian", "Sumska", "Assen", "urinary catheter", "GCS 11", "BP 100/60 mmHg",
                  "T 38.4 °C", "CPAP", "FiO2 0.35", "PEEP 5 cmH2O", "CPE", "Droplet isolation",
                  "Full resuscitation", "12 weeks", "Laboratory results", "Consent to transfer",
                  "Intensive care stretcher"):  # fmt: skip
        assert value in html, value
    # Left open on the form: unknown, not "no" (war-related, ventilated, infections).
    assert re.search(r"War-related</dt><dd><span class=\"muted\">unknown", html)
    assert re.search(r"Transmissible infections</dt><dd><span class=\"muted\">unknown", html)


def test_an_icd10_code_not_in_the_who_list_is_accepted_with_a_warning(client, as_user, make):
    from tests.api.test_api import api

    token = make.token(make.user("coordinator"))
    body = request_data(external_ref="ICD-1", icd10=["S72.001A", "S72.0"])
    created = api(client, token, "POST", "/api/v1/requests", body)
    assert created.status_code == 201
    assert [(w["row"], w["field"]) for w in created.json["warnings"]] == [(0, "icd10")]
    assert "S72.001A" in created.json["warnings"][0]["message"]
    # Not shaped like ICD-10 at all: refused, as before.
    refused = api(client, token, "POST", "/api/v1/requests", request_data(icd10=["femur"]))
    assert refused.status_code == 422
    ref = created.json["created"][0]["reference"]
    import_id = created.json["import_id"]
    browser = as_user("coordinator")
    case_page = browser.get(f"/cases/{ref}").get_data(as_text=True)
    record_page = browser.get(f"/intake/imports/{import_id}").get_data(as_text=True)
    for html in (case_page, record_page):
        assert "S72.001A is shaped like an ICD-10 code but is not in the WHO ICD-10 list" in html
        assert "S72.0 is shaped" not in html


def test_the_document_names_icd10_codes_by_their_who_title(app, make):
    text = pdf_text(app, make, icd10=["T31.2", "J96.0"])
    assert "T31.2 Burns involving 20-29% of body surface" in text
    assert "J96.0 Acute respiratory failure" in text
