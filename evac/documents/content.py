"""What the documents say, as plain values: sections of (label, value) rows in the order a
receiving clinician reads them, alerts first (International Patient Summary).

Labels are printed in every chosen language side by side and come from the same catalogues as
the pages (terms through evac.terms.label), so the paper and the screen never disagree. Values
written by people (diagnosis, medication) are printed once, as written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from evac import icd10, triage
from evac.terms import (
    BedCategory,
    CodeStatus,
    IsolationKind,
    LegMode,
    MdroStatus,
    Mobility,
    PatientType,
    PlaceType,
    ReceivedDocument,
    Sex,
    Urgency,
    label,
    language_name,
)

LANGUAGES = ("uk", "nl", "en")
SEPARATOR = " / "

L = {
    "title": _l("Transfer document"),
    "alerts": _l("Alerts"),
    "no_alerts": _l("No alerts"),
    "allergies": _l("Allergies"),
    "no_known_allergies": _l("No known allergies"),
    "allergies_unknown": _l("Allergies not known"),
    "unknown": _l("unknown"),
    "identity": _l("Identity"),
    "name": _l("Name"),
    "name_latin": _l("Name (Latin script)"),
    "date_of_birth": _l("Date of birth"),
    "age": _l("Age"),
    "sex": _l("Sex"),
    "languages": _l("Languages"),
    "interpreter": _l("Interpreter needed"),
    "weight": _l("Weight"),
    "diagnosis": _l("Diagnosis"),
    "icd10": _l("ICD-10"),
    "war_related": _l("War-related"),
    "condition": _l("Current condition"),
    "bed_category": _l("Bed category"),
    "urgency": _l("Urgency"),
    "ventilated": _l("Ventilated"),
    "oxygen": _l("Oxygen"),
    "isolation": _l("Isolation required"),
    "mdro_status": _l("MDRO status"),
    "fit_to_fly": _l("Fit to fly"),
    "clinical_notes": _l("Clinical notes"),
    "medication": _l("Medication"),
    "mobility": _l("Mobility"),
    "companions": _l("Companions"),
    "no_companions": _l("No companions."),
    "sending": _l("Sending facility"),
    "sending_country": _l("Sending country"),
    "referring": _l("Referring physician"),
    "external_ref": _l("Sender's reference"),
    "receiving": _l("Receiving hospital"),
    "ward": _l("Ward"),
    "contact": _l("Contact person"),
    "admission": _l("Admission"),
    "not_yet_accepted": _l("Not yet accepted by a hospital"),
    "transport": _l("Transport"),
    "flight": _l("Flight"),
    "not_yet_planned": _l("Not yet planned"),
    "centre": _l("Coordination centre"),
    "fitness_confirmed": _l("Fitness to fly confirmed"),
    "equipment_attendants": _l("Equipment and attendants"),
    "case": _l("Case"),
    "version": _l("Version"),
    "made": _l("Made"),
    "verify": _l("Scan to check that this is the current version"),
    "page": _l("Page"),
    "of": _l("of"),
    "manifest": _l("Flight manifest"),
    "patients": _l("Patients"),
    "acceptance": _l("Acceptance confirmation"),
    "accepted_text": _l("The patient has been accepted for treatment in the Netherlands."),
    "patient": _l("Patient"),
    "hospital": _l("Hospital"),
    "patient_type": _l("Patient type"),
    "region_of_origin": _l("Region of origin"),
    "isolation_kind": _l("Isolation"),
    "mdro_organisms": _l("Resistant organisms (MDRO)"),
    "mdro_screened_at": _l("Last MDRO screening"),
    "infections": _l("Transmissible infections"),
    "code_status": _l("Resuscitation policy"),
    "pregnancy": _l("Pregnancy"),
    "weeks": _l("weeks"),
    "not_pregnant": _l("Not pregnant"),
    "none": _l("none"),
    "problems": _l("Problems"),
    "devices": _l("Medical devices"),
    "tracheostomy": _l("Tracheostomy"),
    "vital_signs": _l("Vital signs"),
    "measured_at": _l("Measured at"),
    "ventilation": _l("Ventilation"),
    "ventilation_mode": _l("Ventilator mode"),
    "functional_status": _l("Functional status"),
    "place_type": _l("Place on board"),
    "logistics": _l("Logistics"),
    "documents_received": _l("Documents received"),
    "family_in_nl": _l("Family in the Netherlands"),
}


def multi(text, languages: tuple[str, ...]) -> str:
    """The text in each language, side by side; a translation equal to the one before is not
    repeated (e.g. "ICD-10")."""
    seen: list[str] = []
    for lang in languages:
        value = _translated(text, lang)
        if value not in seen:
            seen.append(value)
    return SEPARATOR.join(seen)


# Switching the locale is the dear part of a document (a 50-patient bundle switches it tens of
# thousands of times); a fixed message in a fixed language is the same text every time.
_TRANSLATED: dict[tuple, str] = {}


def _translated(text, lang: str) -> str:
    key = None
    if isinstance(text, LazyString):
        key = (text._func, text._args, tuple(sorted(text._kwargs.items())), lang)
    elif isinstance(text, StrEnum | bool):
        key = ("term", type(text), text, lang)
    if key is not None and key in _TRANSLATED:
        return _TRANSLATED[key]
    with force_locale(lang):
        if isinstance(text, StrEnum | bool):
            value = label(text)
        else:
            value = str(text() if callable(text) else text)
    if key is not None:
        _TRANSLATED[key] = value
    return value


def local(value: datetime | None) -> str:
    if value is None:
        return "–"
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(zone).strftime("%d-%m-%Y %H:%M")


def _day(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "–"


def parse_languages(raw: str | None) -> tuple[str, ...]:
    """`uk,nl` -> ("uk", "nl"); two or three of uk, nl, en; anything else is ValueError."""
    if not raw:
        return LANGUAGES
    langs = tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    if not 1 <= len(langs) <= 3 or any(lang not in LANGUAGES for lang in langs):
        raise ValueError(raw)
    return langs


def vital_signs_line(vs: dict | None) -> str | None:
    """The vital signs in one line, with units and the abbreviations every ward reads."""
    if not vs:
        return None
    parts = []
    if "gcs" in vs:
        parts.append(f"GCS {vs['gcs']}")
    if "heart_rate" in vs:
        parts.append(f"HR {vs['heart_rate']}/min")
    if "systolic_bp" in vs or "diastolic_bp" in vs:
        parts.append(f"BP {vs.get('systolic_bp', '?')}/{vs.get('diastolic_bp', '?')} mmHg")
    if "resp_rate" in vs:
        parts.append(f"RR {vs['resp_rate']}/min")
    if "spo2" in vs:
        parts.append(f"SpO2 {vs['spo2']} %")
    if "temperature_c" in vs:
        parts.append(f"T {vs['temperature_c']:g} °C")
    return " · ".join(parts)


def ventilation_line(v: dict | None) -> str | None:
    if not v:
        return None
    parts = [v["mode"]] if v.get("mode") else []
    if "fio2" in v:
        parts.append(f"FiO2 {v['fio2']:g}")
    if "peep_cmh2o" in v:
        parts.append(f"PEEP {v['peep_cmh2o']:g} cmH2O")
    return " · ".join(parts)


def transfer_content(
    case,
    offer,
    legs,
    flight,
    languages: tuple[str, ...],
    alert_facts: dict,
    fitness=None,
) -> dict:
    """Everything the transfer document prints, as plain values, in the order of the
    International Patient Summary: alerts, problems, allergies, medication, devices, vital
    signs, ventilation, functional status, then logistics. `fitness` is the physician's current
    confirmation that the patient may fly; `alert_facts` what the alerts are made of (the
    case service's `alert_facts`)."""
    m = lambda key: multi(L[key], languages)  # noqa: E731
    term = lambda value: multi(value, languages)  # noqa: E731 (an enum member or a bool)
    # Nobody said is "unknown", never "no" and never a dash that could be read as one.
    unknown = m("unknown")
    yes_no = lambda value: unknown if value is None else term(bool(value))  # noqa: E731
    # A list the sender left out is unknown; one the sender said is empty is "none".
    listed = lambda items: unknown if items is None else (", ".join(items) or m("none"))  # noqa: E731
    p, c, t = case.patient, case.clinical, case.triage
    facts = {
        **alert_facts,
        "allergies": None,
    }  # printed with its value below, once, not in every language
    ventilated, oxygen = facts["ventilated"], facts["oxygen_l_min"]
    kind = facts.get("isolation_kind")

    # Alerts: the same rules as the case page, each alert text in every language.
    per_language = []
    for lang in languages:
        with force_locale(lang):
            per_language.append(triage.alerts(**facts))
    alerts = [
        {
            "code": items[0].code,
            "text": SEPARATOR.join(dict.fromkeys(a.text for a in items)),
            "value": None,
        }
        for items in zip(*per_language, strict=True)
    ]
    allergy_text = (c.allergies or "").strip()
    if allergy_text and allergy_text.lower() not in triage.NO_KNOWN_ALLERGIES:
        alerts.insert(sum(a["code"] in ("isolation", "mdro") for a in alerts),
                      {"code": "allergy", "text": m("allergies"), "value": allergy_text})  # fmt: skip
        allergy_row = allergy_text
    else:
        # "None known" only when the sender said so; nothing said is "not known".
        allergy_row = m("no_known_allergies") if allergy_text else m("allergies_unknown")

    age = triage.age_on(p.date_of_birth, p.age_years, date.today())
    pregnancy = (
        f"{c.pregnancy_weeks} {m('weeks')}" if c.pregnancy_weeks
        else (m("not_pregnant") if p.sex == Sex.MALE else unknown)
    )  # fmt: skip
    vs = c.vital_signs or {}
    sections = [
        {"title": m("identity"), "rows": [
            (m("name"), f"{p.family_name} {p.given_name}"),
            (m("name_latin"), f"{p.family_name_latin.upper()} {p.given_name_latin}"),
            (m("date_of_birth"), _day(p.date_of_birth)),
            (m("age"), str(age) if age is not None else unknown),
            (m("sex"), term(Sex(p.sex))),
            (m("languages"), ", ".join(multi(lambda code=code: language_name(code), languages) for code in p.languages) or unknown),
            (m("interpreter"), yes_no(t.interpreter_needed if t else None)),
            (m("weight"), f"{p.weight_kg:g} kg" if p.weight_kg else unknown),
            (m("patient_type"), term(PatientType(case.patient_type)) if case.patient_type else unknown),
            (m("region_of_origin"), case.region_of_origin or unknown),
        ]},
        {"title": m("alerts"), "rows": [
            (m("isolation_kind"), term(IsolationKind(kind)) if kind else unknown),
            (m("mdro_status"), term(MdroStatus(facts["mdro_status"]))),
            (m("mdro_organisms"), listed(c.mdro_organisms)),
            (m("mdro_screened_at"), _day(c.mdro_screened_at) if c.mdro_screened_at else unknown),
            (m("infections"), listed(c.infections)),
            (m("code_status"), term(CodeStatus(c.code_status or "unknown"))),
            (m("pregnancy"), pregnancy),
        ]},
        {"title": m("problems"), "rows": [
            (m("diagnosis"), c.diagnosis),
            (m("icd10"), "; ".join(f"{code} {icd10.title(code) or ''}".strip() for code in c.icd10 or []) or unknown),
            (m("war_related"), yes_no(case.war_related)),
            (m("bed_category"), term(BedCategory(case.bed_category))),
            (m("urgency"), term(Urgency(case.urgency))),
            (m("clinical_notes"), (t.clinical_notes if t else None) or "–"),
        ]},
        {"title": m("allergies"), "rows": [(m("allergies"), allergy_row)]},
        {"title": m("medication"), "rows": [(m("medication"), c.medication or unknown)]},
        {"title": m("devices"), "rows": [
            (m("devices"), listed(c.devices)),
            (m("tracheostomy"), yes_no(c.tracheostomy)),
        ]},
        {"title": m("vital_signs"), "rows": [
            (m("vital_signs"), vital_signs_line(vs) or unknown),
            (m("measured_at"), local(datetime.fromisoformat(vs["recorded_at"])) if vs.get("recorded_at") else unknown),
        ]},
        {"title": m("ventilation"), "rows": [
            (m("ventilated"), yes_no(ventilated)),
            (m("ventilation_mode"), ventilation_line(c.ventilation) or (unknown if ventilated is not False else "–")),
            (m("oxygen"), f"{oxygen:g} l/min" if oxygen else (unknown if oxygen is None else m("none"))),
        ]},
        {"title": m("functional_status"), "rows": [
            (m("mobility"), term(Mobility(t.mobility if t else case.mobility))),
            (m("place_type"), term(PlaceType(case.place_needed))),
            (m("fit_to_fly"), yes_no(t.fit_to_fly if t else case.fit_to_fly)),
        ]},
        {"title": m("logistics"), "rows": [
            *([(f"{m('companions')} {i}", ", ".join(x for x in (comp.name, comp.relation, f"{comp.age_years}" if comp.age_years is not None else None, comp.notes) if x))
               for i, comp in enumerate(case.companions, 1)] or [(m("companions"), m("no_companions"))]),
            (m("documents_received"), unknown if case.documents_received is None else (", ".join(multi(ReceivedDocument(d), languages) for d in case.documents_received) or m("none"))),
            (m("family_in_nl"), case.family_in_nl or unknown),
            (m("sending"), ", ".join(x for x in (case.sending_facility, case.sending_country) if x) or unknown),
            (m("referring"), ", ".join(x for x in (case.contact_name, case.contact_phone, case.contact_email) if x) or unknown),
            (m("external_ref"), case.external_ref),
        ]},
        {"title": m("receiving"), "rows": [
            (m("receiving"), f"{offer.hospital.name}, {offer.hospital.city}"),
            (m("ward"), offer.ward or "–"),
            (m("contact"), ", ".join(x for x in (offer.contact_name, offer.contact_phone) if x) or "–"),
            (m("admission"), f"{local(offer.admission_from)} – {local(offer.admission_until)}" if offer.admission_from else "–"),
        ] if offer else [(m("receiving"), m("not_yet_accepted"))]},
        {"title": m("transport"), "rows": (
            ([(m("flight"), f"{flight.code} · {flight.departure_place} → {flight.arrival_airport} · {local(flight.planned_arrival)}")] if flight else [])
            + [(multi(LegMode(leg.mode), languages), f"{leg.from_place} → {leg.to_place}" + (f" · {leg.carrier}" if leg.carrier else "") + f" · {local(leg.planned_departure)}")
               for leg in legs if leg.mode != "aircraft"]
        ) + ([
            (m("fitness_confirmed"), f"{fitness.physician} · {local(fitness.confirmed_at)}"),
            (m("equipment_attendants"), " · ".join(x for x in (fitness.equipment, fitness.attendants) if x) or "–"),
        ] if fitness else []) or [(m("transport"), m("not_yet_planned"))]},
    ]  # fmt: skip
    return {
        "languages": list(languages),
        "lang": languages[0],
        "title": m("title"),
        "reference": case.reference,
        "patient_name": f"{p.family_name} {p.given_name} ({p.family_name_latin.upper()} {p.given_name_latin})",
        "alerts": alerts,
        "no_alerts": m("no_alerts"),
        "alerts_title": m("alerts"),
        "sections": sections,
        "labels": {k: m(k) for k in ("case", "version", "made", "verify", "page", "of")},
    }


def content_hash(content: dict) -> str:
    """A hash of what a document says: equal content, equal hash; a change makes a new version."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
