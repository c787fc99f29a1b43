"""The JSON Schema of POST /api/v1/requests: one evacuation request, or {"requests": [...]}.

The choices come from the same enums the importer (evac.interop.requests) checks against, so
the description cannot name a value the importer refuses. Kept apart so that it can grow into
a schema generated from the importer's own rules.
"""

from __future__ import annotations

from evac.interop.requests import (
    BCP47,
    COUNTRIES,
    ICD10,
    INTAKE_SOURCES,
    MAX_COMPANIONS,
    VENTILATION,
    VITAL_SIGNS,
)
from evac.terms import (
    BedCategory,
    CodeStatus,
    IsolationKind,
    MdroStatus,
    Mobility,
    PatientType,
    PlaceType,
    ReceivedDocument,
    Sex,
    Urgency,
)

REQUIRED = (
    "external_ref", "source", "requested_at", "family_name", "given_name", "sex", "diagnosis",
    "requested_care", "urgency", "mobility",
)  # fmt: skip

# Text the importer takes: not blank (it strips spaces), no NUL character (no database stores it)
_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _values(enum) -> list[str]:
    return [member.value for member in enum]


def _text(max_length: int = 10_000, required: bool = False) -> dict:
    schema = {"type": "string", "maxLength": max_length, "pattern": _TEXT}
    return schema if required else {"type": ["string", "null"], **_nullable(schema)}


def _nullable(schema: dict) -> dict:
    return {k: v for k, v in schema.items() if k != "type"}


def _optional(schema: dict) -> dict:
    """An optional field: the importer reads null as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def _measurements(ranges: dict[str, tuple[float, float, bool]]) -> dict:
    """Measurements with the importer's own ranges (evac.interop.requests)."""
    return {
        name: _optional(
            {"type": "integer" if integer else "number", "minimum": low, "maximum": high}
        )
        for name, (low, high, integer) in ranges.items()
    }


def _texts(max_length: int = 200) -> dict:
    """A list the sender may leave out (unknown) or send empty (none)."""
    return _optional({"type": "array", "maxItems": 50, "items": _text(max_length, required=True)})


def clinical_and_logistic_properties() -> dict:
    """Intake version 2 (../shared/specs/intake.md, "Clinical and logistic fields")."""
    return {
        "patient_type": _optional({"type": "string", "enum": _values(PatientType)}),
        "region_of_origin": _text(100),
        "place_type": _optional({"type": "string", "enum": _values(PlaceType)}),
        "tracheostomy": _optional({"type": "boolean"}),
        "devices": _texts(),
        "vital_signs": _optional({
            "type": "object",
            "properties": {
                "recorded_at": _optional({"type": "string", "format": "date-time"}),
                **_measurements(VITAL_SIGNS),
            },
        }),
        "ventilation": _optional({
            "type": "object",
            "properties": {"mode": _text(100), **_measurements(VENTILATION)},
        }),
        "mdro_organisms": _texts(100),
        "mdro_screened_at": _optional({"type": "string", "format": "date"}),
        "infections": _texts(100),
        "isolation_type": _optional({"type": "string", "enum": _values(IsolationKind)}),
        "code_status": _optional({"type": "string", "enum": _values(CodeStatus)}),
        "pregnancy_weeks": _optional({"type": "integer", "minimum": 1, "maximum": 45}),
        "documents_received": _optional({
            "type": "array",
            "items": {"type": "string", "enum": _values(ReceivedDocument)},
        }),
        "family_in_nl": _text(200),
    }  # fmt: skip


def request_item_schema() -> dict:
    """One evacuation request in the exchange format (../shared/specs/intake.md)."""
    properties = {
        "external_ref": _text(100, required=True),
        "source": {"type": "string", "enum": [s.value for s in INTAKE_SOURCES]},
        "requested_at": {"type": "string", "format": "date-time"},
        "sending_country": _optional({"type": "string", "enum": sorted(COUNTRIES)}),
        "sending_facility": _text(200),
        "sending_hospital": _text(16),
        "family_name": _text(200, required=True),
        "given_name": _text(200, required=True),
        "family_name_latin": _text(200),
        "given_name_latin": _text(200),
        "date_of_birth": _optional({"type": "string", "format": "date"}),
        "age_years": _optional({"type": "integer", "minimum": 0, "maximum": 120}),
        "sex": {"type": "string", "enum": _values(Sex)},
        "languages": {"type": "array", "items": {"type": "string", "pattern": BCP47.pattern}},
        "diagnosis": _text(required=True),
        "icd10": {"type": "array", "items": {"type": "string", "pattern": ICD10.pattern}},
        "war_related": _optional({"type": "boolean"}),
        "requested_care": {"type": "string", "enum": _values(BedCategory)},
        "urgency": {"type": "string", "enum": _values(Urgency)},
        "mobility": {"type": "string", "enum": _values(Mobility)},
        "ventilated": _optional({"type": "boolean"}),
        "oxygen_l_min": _optional({"type": "number", "minimum": 0, "maximum": 60}),
        "mdro_status": _optional({"type": "string", "enum": _values(MdroStatus)}),
        "isolation_required": _optional({"type": "boolean"}),
        "weight_kg": _optional({"type": "number", "minimum": 0.3, "maximum": 400}),
        "allergies": _text(),
        "medication": _text(),
        "companions": {
            "type": "array",
            "maxItems": MAX_COMPANIONS,
            "items": {
                "type": "object",
                "properties": {
                    "name": _text(200),
                    "relation": _text(100),
                    "age_years": _optional({"type": "integer", "minimum": 0, "maximum": 120}),
                },
            },
        },
        "fit_to_fly": _optional({"type": "boolean"}),
        "contact_name": _text(200),
        "contact_phone": _text(50),
        "contact_email": _text(254),
        "notes": _text(),
        **clinical_and_logistic_properties(),
    }
    return {
        "type": "object",
        "required": list(REQUIRED),
        "properties": properties,
    }


def request_schema() -> dict:
    """The request body: one request, {"requests": [one or more]}, or a FHIR Bundle."""
    item = {"$ref": "#/components/schemas/EvacuationRequest"}
    return {
        "oneOf": [
            {
                "type": "object",
                "required": ["requests"],
                "properties": {"requests": {"type": "array", "minItems": 1, "items": item}},
            },
            {"allOf": [item, {"not": {"required": ["requests"]}}]},
            {
                "description": "A FHIR R4 document Bundle in the shape of the International "
                "Patient Summary (as GET /api/v1/cases/{reference}/fhir answers), or a "
                "collection Bundle of them; read into the fields above and checked by the "
                "same rules",
                "type": "object",
                "required": ["resourceType", "type", "entry"],
                "properties": {
                    "resourceType": {"const": "Bundle"},
                    "type": {"enum": ["document", "collection"]},
                    "entry": {"type": "array", "minItems": 1},
                },
            },
        ]
    }
