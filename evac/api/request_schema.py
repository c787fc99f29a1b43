"""The JSON Schema of POST /api/v1/requests, generated from the importer's own table of field
rules (evac.interop.requests.FIELDS) and the rules between fields, so that a request the schema
allows is one the importer takes, and one it forbids is one the importer refuses.

Some rules depend on the day and the registry: a date of birth is not after today, and a
sending hospital is one of the hospital codes. The description is made when it is asked for.
"""

from __future__ import annotations

from datetime import date

from evac.interop.requests import (
    COMPANION,
    COUNTRIES,
    FIELDS,
    LAST_DATE,
    MAX_COMPANIONS,
    ONE_DAY,
    VENTILATION,
    VENTILATION_MODE,
    VITAL_SIGNS,
    Rule,
    date_pattern,
    moment_pattern,
    timestamp_pattern,
)
from evac.terms import MdroStatus, Source

# Text the importer takes as given: it holds no NUL character (no database stores it), and a
# required text holds more than spaces (a blank optional text reads as left out).
_ANY_TEXT = r"^[^\x00]*$"
# Spaces as the importer trims them (Python's str.strip), named one by one: regular-expression
# dialects disagree on what \s holds.
_SPACES = "".join(f"\\u{c:04x}" for c in range(0x10000) if chr(c).isspace())
_SOME_TEXT = rf"^[^\x00]*[^\x00{_SPACES}][^\x00]*$"
_TIMESTAMP = (
    "An ISO 8601 date (YYYY-MM-DD) or date and time (RFC 3339); a time without zone is read as UTC"  # noqa: E501
)


# Fields evac does not read are let through, but no text in a body holds a NUL character,
# not even in a field's name (see evac.web: refused with 400 before any view).
JSON_WITHOUT_NUL = {"$ref": "#/components/schemas/JsonWithoutNul"}


def json_without_nul() -> dict:
    """Any JSON value in which no text (names of fields included) holds a NUL character."""
    return {
        "anyOf": [
            {"type": ["number", "boolean", "null"]},
            {"type": "string", "pattern": _ANY_TEXT},
            {"type": "array", "items": JSON_WITHOUT_NUL},
            open_object({"type": "object"}),
        ]
    }


def open_object(schema: dict) -> dict:
    """An object that may hold fields evac does not read (ignored), NUL-free like the rest."""
    return {
        **schema,
        "propertyNames": {"pattern": _ANY_TEXT},
        "additionalProperties": JSON_WITHOUT_NUL,
    }


def _null() -> dict:
    return {"type": "null"}


def _optional(schema: dict) -> dict:
    """An optional field: the importer reads null as left out."""
    return {"anyOf": [schema, _null()]}


def _text(rule: Rule) -> dict:
    if rule.required:
        return {"type": "string", "maxLength": rule.max_length, "pattern": _SOME_TEXT}
    return {"type": ["string", "null"], "maxLength": rule.max_length, "pattern": _ANY_TEXT}


def _number(rule: Rule) -> dict:
    kind = "integer" if rule.integer else "number"
    return _optional({"type": kind, "minimum": rule.low, "maximum": rule.high})


def _item_text(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": _SOME_TEXT}


def field_schema(rule: Rule, today: date, hospitals: dict[str, str]) -> dict:
    """What one rule of the importer allows, as JSON Schema."""
    kind = rule.kind
    if kind == "text":
        return _text(rule)
    if kind == "choice":
        schema = {"type": "string", "enum": list(rule.choices)}
        return schema if rule.required else _optional(schema)
    if kind == "country":
        return _optional({"type": "string", "enum": sorted(COUNTRIES)})
    if kind == "hospital":
        return _optional({"type": "string", "enum": sorted(hospitals)})
    if kind == "boolean":
        return _optional({"type": "boolean"})
    if kind == "number":
        return _number(rule)
    if kind == "date":
        last = today if rule.past else LAST_DATE
        return _optional({
            "type": "string",
            "pattern": f"^{date_pattern(last)}$",
            "description": f"A date (YYYY-MM-DD) from 1900-01-01 to {last.isoformat()}",
        })  # fmt: skip
    if kind == "timestamp":
        schema = {"type": "string", "pattern": timestamp_pattern(), "description": _TIMESTAMP}
        return schema if rule.required else _optional(schema)
    if kind == "codes":
        return _optional(
            {"type": "array", "items": {"type": "string", "pattern": rule.input_pattern.pattern}}
        )
    if kind == "listing":
        items = (
            {"type": "string", "enum": list(rule.choices)}
            if rule.choices
            else _item_text(rule.max_length)
        )
        return _optional({"type": "array", "maxItems": rule.max_items, "items": items})
    if kind == "companions":
        return _optional({
            "type": "array",
            "maxItems": MAX_COMPANIONS,
            "items": open_object({
                "type": "object",
                "properties": {
                    name: field_schema(sub, today, hospitals) for name, sub in COMPANION.items()
                },
            }),
        })  # fmt: skip
    if kind == "vital_signs":
        values = _measurements(VITAL_SIGNS)
        return _optional(open_object({
            "type": "object",
            "properties": {"recorded_at": field_schema(Rule("timestamp"), today, hospitals),
                           **values},
            # A time of measuring without any value measured is refused.
            "if": {"required": ["recorded_at"], "properties": {"recorded_at": {"type": "string"}}},
            "then": {"anyOf": [_given(name, values[name]) for name in values]},
        }))  # fmt: skip
    if kind == "ventilation":
        return _optional(open_object({
            "type": "object",
            "properties": {"mode": _text(VENTILATION_MODE), **_measurements(VENTILATION)},
        }))  # fmt: skip
    raise ValueError(f"No schema for a field of kind {kind}")


def _measurements(ranges: dict[str, tuple[float, float, bool]]) -> dict:
    return {
        name: _number(Rule("number", low=low, high=high, integer=integer))
        for name, (low, high, integer) in ranges.items()
    }


def _given(name: str, schema: dict) -> dict:
    """The field is present and not null."""
    return {"required": [name], "properties": {name: {"not": _null(), **_drop_null(schema)}}}


def _drop_null(schema: dict) -> dict:
    if "anyOf" in schema:
        return {"anyOf": [s for s in schema["anyOf"] if s != _null()]}
    return schema


def request_item_schema(today: date, hospitals: dict[str, str]) -> dict:
    """One evacuation request in the exchange format (../shared/specs/intake.md). `hospitals`:
    the hospital registry, code -> name."""
    properties = {name: field_schema(rule, today, hospitals) for name, rule in FIELDS.items()}
    rules_between_fields = [
        # A date of birth, or else an age.
        {"anyOf": [_given("date_of_birth", properties["date_of_birth"]),
                   _given("age_years", properties["age_years"])]},
        # An EU MEDEVAC request comes from abroad: the country it leaves from.
        {"if": _is("source", Source.EU_MEDEVAC),
         "then": _given("sending_country", properties["sending_country"])},
        # A domestic request names its Dutch sending hospital, by code or by its exact name.
        {"if": _is("source", Source.DOMESTIC),
         "then": {"anyOf": [
             _given("sending_hospital", properties["sending_hospital"]),
             {"required": ["sending_facility"],
              "properties": {"sending_facility": {"enum": sorted(hospitals.values())}}},
         ]}},
        # Resistant organisms listed make the status positive; "negative" beside them is wrong.
        {"if": _is("mdro_status", MdroStatus.NEGATIVE),
         "then": {"properties": {"mdro_organisms": {
             "anyOf": [_null(), {"type": "array", "maxItems": 0}]}}}},
    ]  # fmt: skip
    return open_object(
        {
            "type": "object",
            "required": [name for name, rule in FIELDS.items() if rule.required],
            "properties": properties,
            "allOf": rules_between_fields,
        }
    )


def _is(name: str, value: str) -> dict:
    return {"required": [name], "properties": {name: {"const": value}}}


def request_schema(max_batch: int) -> dict:
    """The JSON request body: one request, or {"requests": [one up to max_batch]}."""
    item = {"$ref": "#/components/schemas/EvacuationRequest"}
    return {
        "oneOf": [
            {
                "type": "object",
                "required": ["requests"],
                "properties": {
                    "requests": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": max_batch,
                        "items": item,
                    }
                },
            },
            {"allOf": [item, {"not": {"required": ["requests"]}}]},
        ]
    }


def fhir_request_schema() -> dict:
    """The FHIR form of the body: its shape is FHIR R4's; only the outline is stated here."""
    return {
        "description": "A FHIR R4 document Bundle in the shape of the International Patient "
        "Summary (as GET /api/v1/cases/{reference}/fhir answers), or a collection Bundle of "
        "them; read into the fields of EvacuationRequest and checked by the same rules",
        "type": "object",
        "required": ["resourceType", "type", "entry"],
        "properties": {
            "resourceType": {"const": "Bundle"},
            "type": {"enum": ["document", "collection", "batch"]},
            "entry": {"type": "array", "minItems": 1},
        },
    }


def stored_properties() -> dict:
    """The fields as a case holds them after the importer read them (null: unknown), for the
    answers' schemas."""
    plain = {
        "text": {"type": ["string", "null"]},
        "choice": {"type": ["string", "null"]},
        "boolean": {"type": ["boolean", "null"]},
        "number": {"type": ["number", "null"]},
        "date": {"type": ["string", "null"], "format": "date"},
        "listing": {"type": ["array", "null"], "items": {"type": "string"}},
        "vital_signs": {"type": ["object", "null"]},
        "ventilation": {"type": ["object", "null"]},
    }
    out = {}
    for name, rule in FIELDS.items():
        if rule.kind in plain:
            schema = dict(plain[rule.kind])
            if rule.kind == "choice":
                schema["enum"] = [*rule.choices, None]
            out[name] = schema
    return out


def arrival_time(today: date) -> dict:
    """When a patient arrived: a date and time with its zone, its own date up to tomorrow (a
    zone east of the server's). A moment later than now is refused as well (422), which no
    pattern can state."""
    return _optional({
        "type": "string",
        "pattern": moment_pattern(today + ONE_DAY),
        "description": "A date and time with its zone (RFC 3339), not in the future; left "
        "out or null: now",
    })  # fmt: skip
