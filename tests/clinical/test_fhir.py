"""The case as an International Patient Summary (FHIR R4 document Bundle): valid by the
fhir.resources models, every value of the request in it, under the identity policy, and read
back in as a request."""

import json

from fhir.resources.R4B.bundle import Bundle

from tests.api.test_api import api
from tests.clinical.test_clinical_fields import EVERY_FIELD, V1_OPTIONAL
from tests.conftest import request_data


def bundle_of(client, token, ref):
    response = api(client, token, "GET", f"/api/v1/cases/{ref}/fhir")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    data = response.get_json()
    Bundle.model_validate(data)  # raises on anything FHIR R4B does not allow
    return data


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_value_is_in_the_bundle_and_it_validates(client, make):
    token = make.token(make.user("coordinator"))
    ref = make.case(**EVERY_FIELD, medication="Meropenem 1 g iv q8h")
    bundle = bundle_of(client, token, ref)
    assert bundle["type"] == "document"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    text = json.dumps(bundle, ensure_ascii=False)
    for value in ("Kharkivska", "chest drain", "central line", "external fixator", "ESBL",
                  "MDR-Acinetobacter", "2026-11-27", "tuberculosis", "Zwolle", "discharge_summary",
                  "SIMV", "Meropenem 1 g iv q8h", "S72.3", "Шевченко", "Shevchenko",
                  "1984-03-12", "Penicillin"):  # fmt: skip
        assert value in text, value
    patient = resources(bundle, "Patient")[0]
    assert patient["name"][0]["family"] == "Шевченко" and patient["gender"] == "female"
    vitals = {o["code"]["coding"][0]["code"]: o for o in resources(bundle, "Observation")}
    assert vitals["8867-4"]["valueQuantity"]["value"] == 96  # heart rate
    assert vitals["59408-5"]["valueQuantity"]["value"] == 94  # SpO2
    assert vitals["8310-5"]["valueQuantity"]["value"] == 37.8
    assert vitals["9269-2"]["valueQuantity"]["value"] == 14  # GCS
    bp = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"]
          for c in vitals["85354-9"]["component"]}  # fmt: skip
    assert bp == {"8480-6": 118, "8462-4": 74}
    assert vitals["8867-4"]["effectiveDateTime"].startswith("2026-11-29T06:30")
    assert vitals["49051-6"]["valueQuantity"]["value"] == 22  # weeks of pregnancy
    flags = [f["code"].get("text") for f in resources(bundle, "Flag")]
    assert "airborne isolation" in flags and "MDRO positive: ESBL, MDR-Acinetobacter" in flags
    assert "Do not resuscitate" in flags
    assert [d["deviceName"][0]["name"] for d in resources(bundle, "Device")] == [
        "chest drain", "central line", "external fixator"]  # fmt: skip
    assert resources(bundle, "MedicationStatement")[0]["medicationCodeableConcept"]["text"] == (
        "Meropenem 1 g iv q8h"
    )


def test_what_nobody_said_is_an_empty_section_unavailable_not_none(client, make):
    token = make.token(make.user("coordinator"))
    ref = make.case(**{k: None for k in V1_OPTIONAL})
    bundle = bundle_of(client, token, ref)
    sections = {
        s["code"]["coding"][0]["code"]: s for s in bundle["entry"][0]["resource"]["section"]
    }
    for code in ("48765-2", "10160-0", "46264-8", "8716-3", "42348-3"):
        assert sections[code]["emptyReason"]["coding"][0]["code"] == "unavailable", code
    said_none = make.case(allergies="none known", devices=[], code_status="full")
    sections = {s["code"]["coding"][0]["code"]: s
                for s in bundle_of(client, token, said_none)["entry"][0]["resource"]["section"]}  # fmt: skip
    assert sections["46264-8"]["emptyReason"]["coding"][0]["code"] == "nilknown"
    allergy = sections["48765-2"]["entry"]  # "no known allergy" as the sender said it
    assert len(allergy) == 1


def test_the_bundle_follows_the_identity_policy(client, make):
    ref = make.case(**EVERY_FIELD)
    viewer = make.token(make.user("viewer"))
    bundle = bundle_of(client, viewer, ref)
    text = json.dumps(bundle, ensure_ascii=False)
    for secret in ("Шевченко", "Shevchenko", "1984-03-12", "UCPM-MEDEVAC", "Zwolle"):
        assert secret not in text, secret
    assert "tuberculosis" in text  # the clinical picture a viewer may see
    as_json = json.dumps(
        api(client, viewer, "GET", f"/api/v1/cases/{ref}").json, ensure_ascii=False
    )
    assert "Zwolle" not in as_json and "Kharkivska" not in as_json
    other_hospital = make.token(make.user("hospital", hospital="MST"))
    assert api(client, other_hospital, "GET", f"/api/v1/cases/{ref}/fhir").status_code == 404


def test_a_bundle_reads_back_in_as_the_same_request(client, make):
    from evac.interop import fhir_ips

    token = make.token(make.user("coordinator"))
    ref = make.case(**EVERY_FIELD, medication="Meropenem 1 g iv q8h")
    bundle = bundle_of(client, token, ref)
    request = fhir_ips.request_from_bundle(bundle)
    original = request_data(**EVERY_FIELD, medication="Meropenem 1 g iv q8h")
    assert request["external_ref"].startswith("UCPM-MEDEVAC-2026-")
    for name in ("source", "family_name", "given_name", "date_of_birth", "sex",
                 "diagnosis", "icd10", "requested_care", "urgency", "mobility", "allergies",
                 "medication", "devices", "mdro_organisms", "infections", "code_status",
                 "pregnancy_weeks", "documents_received", "family_in_nl", "patient_type",
                 "region_of_origin", "place_type", "tracheostomy", "isolation_type"):  # fmt: skip
        assert request[name] == original[name], name
    assert request["vital_signs"]["spo2"] == 94 and request["ventilation"]["mode"] == "SIMV"


def test_post_a_bundle_as_a_request_all_or_nothing(client, make):
    from evac.interop import fhir_ips

    token = make.token(make.user("coordinator"))
    ref = make.case(**EVERY_FIELD)
    bundle = bundle_of(client, token, ref)
    # The same patient sent again by another system under a new reference: a new request.
    patient = next(e["resource"] for e in bundle["entry"]
                   if e["resource"]["resourceType"] == "Patient")  # fmt: skip
    patient["identifier"][1]["value"] = "IPS-FROM-LVIV-1"
    created = api(client, token, "POST", "/api/v1/requests", bundle)
    assert created.status_code == 201, created.get_data(as_text=True)
    new_ref = created.json["created"][0]["reference"]
    again = bundle_of(client, token, new_ref)
    assert fhir_ips.request_from_bundle(again)["vital_signs"]["gcs"] == 14
    # A collection of two, one with a heart rate out of range: nothing is imported.
    good = json.loads(json.dumps(bundle))
    next(e["resource"] for e in good["entry"]
         if e["resource"]["resourceType"] == "Patient")["identifier"][1]["value"] = "IPS-2"  # fmt: skip
    bad = json.loads(json.dumps(good))
    next(e["resource"] for e in bad["entry"]
         if e["resource"]["resourceType"] == "Patient")["identifier"][1]["value"] = "IPS-3"  # fmt: skip
    for e in bad["entry"]:
        if e["resource"]["resourceType"] == "Observation" and \
                e["resource"]["code"]["coding"][0]["code"] == "8867-4":  # fmt: skip
            e["resource"]["valueQuantity"]["value"] = 400
    collection = {"resourceType": "Bundle", "type": "collection",
                  "entry": [{"resource": good}, {"resource": bad}]}  # fmt: skip
    refused = api(client, token, "POST", "/api/v1/requests", collection)
    assert refused.status_code == 422
    assert [(e["row"], e["field"]) for e in refused.json["errors"]] == [
        (1, "vital_signs.heart_rate")]  # fmt: skip
    assert api(client, token, "GET", "/api/v1/cases?external_ref=IPS-2").json["total"] == 0
    # A resource of the wrong shape is refused (never a 500), and what was sent is kept.
    broken = json.loads(json.dumps(good))
    for e in broken["entry"]:
        if e["resource"]["resourceType"] == "Patient":
            e["resource"]["communication"] = [{"language": "uk"}]
    answer = api(client, token, "POST", "/api/v1/requests", broken)
    assert answer.status_code == 422 and answer.json["import_id"]
    # Another FHIR resource is refused with words a coordinator understands.
    patient_only = api(client, token, "POST", "/api/v1/requests", {"resourceType": "Patient"})
    assert patient_only.status_code == 422
    assert "Bundle of type document" in patient_only.json["errors"][0]["message"]


def test_a_senders_reference_finds_a_case_only_for_those_who_may_identify_it(client, make):
    ref = make.case(external_ref="UCPM-SECRET-0042")
    coordinator = make.token(make.user("coordinator"))
    viewer = make.token(make.user("viewer"))
    for token, expected in ((coordinator, [ref]), (viewer, [])):
        found = api(client, token, "GET", "/api/v1/cases?external_ref=UCPM-SECRET-0042").json
        assert [c["reference"] for c in found["cases"]] == expected
