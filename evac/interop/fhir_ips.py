"""A case as a FHIR R4 document Bundle in the shape of the International Patient Summary (IPS),
and such a Bundle read back as an evacuation request of ../shared/specs/intake.md.

The receiving hospital loads what evac writes into its own record: a Composition with the IPS
sections (alerts, problems, allergies, medication, devices, vital signs, advance directives,
pregnancy, functional status), the Patient, Conditions, AllergyIntolerance, MedicationStatement,
Observations for the vital signs, Devices, and Flags for isolation and resistant organisms.
What the sender did not say is an empty section with the emptyReason "unavailable", never a
"no"; "none" is said only where the sender said it.

Plain dicts out, plain request dicts in: no database. The tests validate the output with the
fhir.resources models and read it back in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from markupsafe import escape

from evac.triage import NO_KNOWN_ALLERGIES

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_STATUS = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
IPS_PROFILE = "http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips"
CASE_SYSTEM = "urn:evac:case"
# The sender's reference, per source (../shared/specs/intake.md: unique per sender).
EXTERNAL_SYSTEM = "urn:evac:external-ref:"
# What an evacuation request says beyond the summary: how and how fast the patient must come.
REQUEST_EXTENSION = "urn:evac:fhir:evacuation-request"
REQUEST_FIELDS = (
    "source", "requested_at", "requested_care", "urgency", "mobility", "sending_country",
    "sending_facility", "patient_type", "region_of_origin", "place_type", "family_in_nl",
    "isolation_type", "mdro_status", "code_status", "fit_to_fly", "war_related",
    "isolation_required", "ventilated", "tracheostomy", "oxygen_l_min",
)  # fmt: skip
LIST_FIELDS = ("documents_received", "infections", "mdro_organisms", "devices")

SECTIONS = {
    # key: (LOINC code, title)
    "alerts": ("104605-1", "Alerts"),
    "problems": ("11450-4", "Problem list"),
    "allergies": ("48765-2", "Allergies and intolerances"),
    "medication": ("10160-0", "Medication summary"),
    "devices": ("46264-8", "Medical devices"),
    "vital_signs": ("8716-3", "Vital signs"),
    "advance_directives": ("42348-3", "Advance directives"),
    "pregnancy": ("10162-6", "History of pregnancies"),
    "functional_status": ("47420-5", "Functional status"),
}
# Vital signs: (request key, LOINC code, display, UCUM unit)
VITALS = (
    ("heart_rate", "8867-4", "Heart rate", "/min"),
    ("resp_rate", "9279-1", "Respiratory rate", "/min"),
    ("spo2", "59408-5", "Oxygen saturation in arterial blood by pulse oximetry", "%"),
    ("temperature_c", "8310-5", "Body temperature", "Cel"),
    ("gcs", "9269-2", "Glasgow coma score total", "{score}"),
)
BP_PANEL = ("85354-9", "Blood pressure panel")
BP_PARTS = (("systolic_bp", "8480-6", "Systolic blood pressure"),
            ("diastolic_bp", "8462-4", "Diastolic blood pressure"))  # fmt: skip
GESTATION = ("49051-6", "Gestational age in weeks")
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def _concept(system: str, code: str, display: str | None = None, text: str | None = None):
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


class _Bundle:
    """Collects resources with stable ids (urn:uuid-free: the case reference makes them unique)."""

    def __init__(self, reference: str):
        self.reference = reference
        self.entries: list[dict] = []

    def add(self, resource: dict, kind: str) -> str:
        n = sum(
            1 for e in self.entries if e["resource"]["resourceType"] == resource["resourceType"]
        )
        resource["id"] = f"{self.reference.lower()}-{kind}-{n + 1}"
        url = f"urn:evac:{resource['resourceType']}/{resource['id']}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def _narrative(text: str) -> dict:
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{escape(text)}</div>'}  # fmt: skip


def _section(key: str, entries: list[str], text: str, said: bool = True) -> dict:
    code, title = SECTIONS[key]
    section: dict[str, Any] = {
        "title": title,
        "code": _concept(LOINC, code, title),
        "text": _narrative(text),
    }
    if entries:
        section["entry"] = [{"reference": url} for url in entries]
    else:
        # Nothing said is "unavailable"; a sender who said "none" gets "nilknown".
        section["emptyReason"] = _concept(
            EMPTY_REASON, "nilknown" if said else "unavailable",
            "Nil known" if said else "Unavailable",
        )  # fmt: skip
    return section


def case_bundle(case, *, identity: bool, isolation_kind: str | None, place: str,
                made: datetime, centre: str) -> dict:  # fmt: skip
    """The case as an IPS document Bundle. `identity`: whether the reader may see who the
    patient is (names, date of birth, the sender's reference); without it the Patient is
    anonymous, as on every other view."""
    p, c, t = case.patient, case.clinical, case.triage
    b = _Bundle(case.reference)
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": CASE_SYSTEM, "value": case.reference}],
        "gender": GENDER.get(p.sex, "unknown"),
    }
    if identity:
        patient["identifier"].append(
            {"system": EXTERNAL_SYSTEM + case.source, "value": case.external_ref}
        )
        patient["name"] = [
            {"use": "official", "family": p.family_name, "given": [p.given_name]},
            {"use": "usual", "family": p.family_name_latin, "given": [p.given_name_latin],
             "text": f"{p.family_name_latin} {p.given_name_latin}"},
        ]  # fmt: skip
        if p.date_of_birth:
            patient["birthDate"] = p.date_of_birth.isoformat()
    if p.languages:
        patient["communication"] = [
            {"language": _concept("urn:ietf:bcp:47", code)} for code in p.languages
        ]
    patient_url = b.add(patient, "patient")
    subject = {"reference": patient_url}

    # Alerts: isolation and resistant organisms as Flags.
    alerts = []
    if isolation_kind and isolation_kind != "none":
        alerts.append(b.add({
            "resourceType": "Flag", "status": "active",
            "category": [_concept(FLAG_CATEGORY, "safety", "Safety")],
            "code": _concept("urn:evac:isolation-kind", isolation_kind,
                             text=f"{isolation_kind} isolation"),
            "subject": subject,
        }, "flag"))  # fmt: skip
    mdro = t.mdro_status if t else c.mdro_status
    if c.mdro_organisms or mdro == "positive":
        organisms = ", ".join(c.mdro_organisms or []) or "organism not named"
        alerts.append(b.add({
            "resourceType": "Flag", "status": "active",
            "category": [_concept(FLAG_CATEGORY, "clinical", "Clinical")],
            "code": _concept("urn:evac:mdro", "positive", text=f"MDRO positive: {organisms}"),
            "subject": subject,
        }, "flag"))  # fmt: skip
    if c.code_status == "dnr":
        alerts.append(b.add({
            "resourceType": "Flag", "status": "active",
            "category": [_concept(FLAG_CATEGORY, "clinical", "Clinical")],
            "code": _concept(SNOMED, "304253006", "Not for resuscitation", "Do not resuscitate"),
            "subject": subject,
        }, "flag"))  # fmt: skip

    # Problems: the diagnosis as the physician wrote it, one Condition per ICD-10 code.
    problems = []
    codes = list(c.icd10 or []) or [None]
    for code in codes:
        condition: dict[str, Any] = {
            "resourceType": "Condition",
            "clinicalStatus": _concept(CLINICAL_STATUS, "active", "Active"),
            "subject": subject,
            "code": (_concept(ICD10, code, text=c.diagnosis) if code else {"text": c.diagnosis}),
        }
        problems.append(b.add(condition, "condition"))
    for infection in c.infections or []:
        problems.append(b.add({
            "resourceType": "Condition",
            "clinicalStatus": _concept(CLINICAL_STATUS, "active", "Active"),
            "category": [{"text": "transmissible infection"}],
            "subject": subject, "code": {"text": infection},
        }, "condition"))  # fmt: skip

    # Allergies: "no known allergy" only when the sender said so.
    allergy_text = (c.allergies or "").strip()
    allergies = []
    if allergy_text and allergy_text.lower() in NO_KNOWN_ALLERGIES:
        allergies.append(b.add({
            "resourceType": "AllergyIntolerance", "patient": subject,
            "clinicalStatus": _concept(ALLERGY_STATUS, "active", "Active"),
            "code": _concept(SNOMED, *NO_KNOWN_ALLERGY, text=allergy_text),
        }, "allergy"))  # fmt: skip
    elif allergy_text:
        allergies.append(b.add({
            "resourceType": "AllergyIntolerance", "patient": subject,
            "clinicalStatus": _concept(ALLERGY_STATUS, "active", "Active"),
            "code": {"text": allergy_text},
        }, "allergy"))  # fmt: skip

    medication = []
    if c.medication:
        medication.append(b.add({
            "resourceType": "MedicationStatement", "status": "active", "subject": subject,
            "medicationCodeableConcept": {"text": c.medication},
        }, "medication"))  # fmt: skip

    devices = []
    for name in c.devices or []:
        devices.append(b.add({
            "resourceType": "Device", "patient": subject,
            "deviceName": [{"name": name, "type": "user-friendly-name"}],
        }, "device"))  # fmt: skip
    if c.tracheostomy:
        devices.append(b.add({
            "resourceType": "Device", "patient": subject,
            "type": _concept(SNOMED, "129121000", "Tracheostomy tube", "tracheostomy"),
            "deviceName": [{"name": "tracheostomy", "type": "user-friendly-name"}],
        }, "device"))  # fmt: skip

    vitals = []
    vs = c.vital_signs or {}
    when = vs.get("recorded_at")

    def observation(code: str, display: str, **value) -> dict:
        obs: dict[str, Any] = {
            "resourceType": "Observation", "status": "final",
            "category": [_concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
            "code": _concept(LOINC, code, display), "subject": subject, **value,
        }  # fmt: skip
        if when:
            obs["effectiveDateTime"] = when
        return obs

    for key, code, display, unit in VITALS:
        if key in vs:
            quantity = {"value": vs[key], "unit": unit, "system": UCUM, "code": unit}
            vitals.append(b.add(observation(code, display, valueQuantity=quantity), "vital"))
    if "systolic_bp" in vs or "diastolic_bp" in vs:
        components = [
            {"code": _concept(LOINC, code, display),
             "valueQuantity": {"value": vs[key], "unit": "mm[Hg]", "system": UCUM,
                               "code": "mm[Hg]"}}
            for key, code, display in BP_PARTS if key in vs
        ]  # fmt: skip
        vitals.append(b.add(observation(*BP_PANEL, component=components), "vital"))
    ventilation = c.ventilation or {}
    if ventilation:
        parts = [f"mode {ventilation['mode']}"] if ventilation.get("mode") else []
        parts += [f"FiO2 {ventilation['fio2']}"] if "fio2" in ventilation else []
        parts += [f"PEEP {ventilation['peep_cmh2o']} cmH2O"] if "peep_cmh2o" in ventilation else []
        vitals.append(b.add({**observation("ventilator-settings", "Ventilator settings",
                                           valueString="; ".join(parts)),
                             "code": _concept("urn:evac:observation", "ventilator-settings",
                                              "Ventilator settings")}, "vital"))  # fmt: skip

    pregnancy = []
    if c.pregnancy_weeks:
        pregnancy.append(b.add({
            "resourceType": "Observation", "status": "final", "subject": subject,
            "code": _concept(LOINC, *GESTATION),
            "valueQuantity": {"value": c.pregnancy_weeks, "unit": "wk", "system": UCUM,
                              "code": "wk"},
        }, "pregnancy"))  # fmt: skip

    mobility = t.mobility if t else case.mobility
    sections = [
        _section("alerts", alerts, "; ".join(
            x for x in (f"isolation: {isolation_kind or 'unknown'}",
                        f"MDRO: {mdro}" + (f" ({', '.join(c.mdro_organisms)})" if c.mdro_organisms else ""),
                        f"resuscitation: {c.code_status or 'unknown'}") if x
        ), said=isolation_kind is not None),
        _section("problems", problems, c.diagnosis),
        _section("allergies", allergies, allergy_text or "unknown", said=bool(allergy_text)),
        _section("medication", medication, c.medication or "unknown", said=False),
        _section("devices", devices, ", ".join(c.devices) if c.devices else
                 ("none" if c.devices is not None else "unknown"), said=c.devices is not None),
        _section("vital_signs", vitals, _vitals_text(vs, ventilation), said=False),
        _section("advance_directives", [], f"resuscitation policy: {c.code_status or 'unknown'}",
                 said=c.code_status not in (None, "unknown")),
        _section("pregnancy", pregnancy,
                 f"{c.pregnancy_weeks} weeks" if c.pregnancy_weeks else "unknown", said=False),
        _section("functional_status", [], f"mobility: {mobility}; place on board: {place}"),
    ]  # fmt: skip
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": _concept(LOINC, "60591-5", "Patient summary Document"),
        "subject": subject,
        "date": _iso(made),
        "author": [{"display": centre}],
        "title": f"International Patient Summary {case.reference}",
        "extension": [_request_extension(case, c, t, identity)],
        "section": sections,
    }
    b.add(composition, "composition")
    b.entries.insert(0, b.entries.pop())  # a document Bundle starts with its Composition
    bundle = {
        "resourceType": "Bundle",
        "meta": {"profile": [IPS_PROFILE]},
        "identifier": {"system": CASE_SYSTEM, "value": case.reference},
        "type": "document",
        "timestamp": _iso(made),
        "entry": b.entries,
    }
    return bundle


def _vitals_text(vs: dict, ventilation: dict) -> str:
    if not vs and not ventilation:
        return "unknown"
    parts = [f"{k} {v}" for k, v in vs.items()]
    parts += [f"ventilation {k} {v}" for k, v in ventilation.items()]
    return "; ".join(parts)


def _request_extension(case, c, t, identity: bool) -> dict:
    """The request's own fields (how and how fast the patient must come), so that a Bundle
    read back in is a complete evacuation request."""
    values = {
        "source": case.source,
        "requested_at": _iso(case.requested_at),
        "requested_care": case.requested_care,
        "urgency": case.urgency,
        "mobility": case.mobility,
        "sending_country": case.sending_country,
        "sending_facility": case.sending_facility if identity else None,
        "patient_type": case.patient_type,
        "region_of_origin": case.region_of_origin if identity else None,
        "place_type": case.place_type,
        "family_in_nl": case.family_in_nl if identity else None,
        "isolation_type": c.isolation_type,
        "mdro_status": c.mdro_status,
        "code_status": c.code_status,
        "fit_to_fly": case.fit_to_fly,
        "war_related": case.war_related,
        "isolation_required": c.isolation_required,
        "ventilated": c.ventilated,
        "tracheostomy": c.tracheostomy,
        "oxygen_l_min": c.oxygen_l_min,
    }
    parts = []
    for name in REQUEST_FIELDS:
        value = values[name]
        if value is None:
            continue
        if isinstance(value, bool):
            parts.append({"url": name, "valueBoolean": value})
        elif isinstance(value, int | float):
            parts.append({"url": name, "valueDecimal": value})
        elif name == "requested_at":
            parts.append({"url": name, "valueDateTime": value})
        else:
            parts.append({"url": name, "valueString": str(value)})
    for name in LIST_FIELDS:
        value = {
            "documents_received": case.documents_received,
            "infections": c.infections,
            "mdro_organisms": c.mdro_organisms,
            "devices": c.devices,
        }[name]
        if value is not None:
            # An empty list is said ("none"): one part with no items keeps it apart from absent.
            parts.append({"url": name, "valueString": ";".join(value) or "none"})
    if c.mdro_screened_at:
        parts.append({"url": "mdro_screened_at", "valueDate": c.mdro_screened_at.isoformat()})
    if c.ventilation:
        for key, value in c.ventilation.items():
            parts.append({"url": f"ventilation.{key}",
                          **({"valueString": value} if key == "mode" else {"valueDecimal": value})})  # fmt: skip
    return {"url": REQUEST_EXTENSION, "extension": parts}


# Reading a Bundle back in ------------------------------------------------------------------


class NotABundle(ValueError):
    """The JSON is a FHIR resource but not a document Bundle evac can read; the message says why."""


def is_fhir(data: Any) -> bool:
    """A FHIR resource, not a request of the exchange format (which may carry a field of that
    name among those evac does not read)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("resourceType"), str)
        and "external_ref" not in data
    )


def _given(name: dict) -> str | None:
    given = name.get("given")
    if isinstance(given, str):  # one name sent as text instead of a list
        return given or None
    return " ".join(str(g) for g in given or [] if g) or None


def requests_from(data: dict) -> list[dict]:
    """One document Bundle, or a collection Bundle of them, as requests of the exchange format."""
    if data.get("resourceType") == "Bundle" and data.get("type") in ("collection", "batch"):
        inner = [e.get("resource") for e in data.get("entry") or [] if isinstance(e, dict)]
        if not inner:
            raise NotABundle(_("The collection Bundle holds no patient summaries."))
        return [request_from_bundle(r if isinstance(r, dict) else {}) for r in inner]
    return [request_from_bundle(data)]


def request_from_bundle(data: dict) -> dict:
    """An IPS document Bundle (as evac writes it, or a sender who follows the same shape) as
    one evacuation request of the exchange format; the importer then checks it by the same
    rules as any other request, so nothing here decides what is valid."""
    if data.get("resourceType") != "Bundle" or data.get("type") != "document":
        raise NotABundle(
            _("Expected a FHIR Bundle of type document (an International Patient Summary).")
        )
    resources = [e.get("resource") for e in data.get("entry") or [] if isinstance(e, dict)]
    resources = [r for r in resources if isinstance(r, dict)]

    def of(kind: str) -> list[dict]:
        return [r for r in resources if r.get("resourceType") == kind]

    compositions, patients = of("Composition"), of("Patient")
    if len(compositions) != 1 or len(patients) != 1:
        raise NotABundle(_("The Bundle must hold one Composition and one Patient."))
    composition, patient = compositions[0], patients[0]
    request: dict[str, Any] = {}
    for ext in composition.get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == REQUEST_EXTENSION:
            for part in ext.get("extension") or []:
                if not isinstance(part, dict) or not isinstance(part.get("url"), str):
                    continue
                value = next((v for k, v in part.items() if k.startswith("value")), None)
                name = part["url"]
                if value is None:
                    continue
                if name.startswith("ventilation."):
                    request.setdefault("ventilation", {})[name.split(".", 1)[1]] = value
                elif name in LIST_FIELDS:
                    request[name] = [] if value == "none" else str(value).split(";")
                else:
                    request[name] = value
    for identifier in patient.get("identifier") or []:
        system = identifier.get("system") or "" if isinstance(identifier, dict) else ""
        if system.startswith(EXTERNAL_SYSTEM):
            request["external_ref"] = identifier.get("value")
            request.setdefault("source", system[len(EXTERNAL_SYSTEM) :])
    if "external_ref" not in request and isinstance(data.get("identifier"), dict):
        request["external_ref"] = data["identifier"].get("value")
    names = [n for n in patient.get("name") or [] if isinstance(n, dict)]
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    usual = next((n for n in names if n.get("use") == "usual"), None)
    request["family_name"] = official.get("family")
    request["given_name"] = _given(official)
    if usual is not None:
        request["family_name_latin"] = usual.get("family")
        request["given_name_latin"] = _given(usual)
    request["date_of_birth"] = patient.get("birthDate")
    request["sex"] = patient.get("gender")
    request["languages"] = [
        coding.get("code")
        for comm in patient.get("communication") or [] if isinstance(comm, dict)
        for coding in (comm.get("language") or {}).get("coding") or [] if isinstance(coding, dict)
    ]  # fmt: skip
    conditions = [r for r in of("Condition") if not r.get("category")]
    request["diagnosis"] = next(
        (
            (r.get("code") or {}).get("text")
            for r in conditions
            if (r.get("code") or {}).get("text")
        ),
        None,
    )
    request["icd10"] = [
        coding.get("code")
        for r in conditions
        for coding in (r.get("code") or {}).get("coding") or []
        if isinstance(coding, dict) and coding.get("system") == ICD10
    ]
    allergy = next(iter(of("AllergyIntolerance")), None)
    if allergy is not None:
        request["allergies"] = (allergy.get("code") or {}).get("text")
    statements = of("MedicationStatement")
    if statements:
        request["medication"] = (
            "; ".join(
                (s.get("medicationCodeableConcept") or {}).get("text") or "" for s in statements
            )
            or None
        )
    vitals: dict[str, Any] = {}
    codes = {code: key for key, code, _display, _unit in VITALS}
    for obs in of("Observation"):
        coding = ((obs.get("code") or {}).get("coding") or [{}])[0]
        code = coding.get("code") if isinstance(coding, dict) else None
        if code in codes:
            vitals[codes[code]] = (obs.get("valueQuantity") or {}).get("value")
        elif code == BP_PANEL[0]:
            for comp in obs.get("component") or []:
                part = ((comp.get("code") or {}).get("coding") or [{}])[0].get("code")
                for key, part_code, _display in BP_PARTS:
                    if part == part_code:
                        vitals[key] = (comp.get("valueQuantity") or {}).get("value")
        elif code == GESTATION[0]:
            request["pregnancy_weeks"] = (obs.get("valueQuantity") or {}).get("value")
        else:
            continue
        if obs.get("effectiveDateTime") and code != GESTATION[0]:
            vitals["recorded_at"] = obs["effectiveDateTime"]
    if vitals:
        request["vital_signs"] = vitals
    return {k: v for k, v in request.items() if v is not None}
