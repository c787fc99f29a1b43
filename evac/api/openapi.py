"""GET /api/v1/openapi.json: the API described in OpenAPI 3.1.

Each area adds its paths to PATHS where it defines its routes' shapes, so the description
cannot drift far from the code; a test checks that every API route is described.
"""

from __future__ import annotations

import copy
from datetime import date

from flask import current_app, jsonify

from evac.api import bp, params, request_schema
from evac.api import capacity as capacity_api
from evac.api import cases as case_api
from evac.api import documents as document_api
from evac.api import offers as offer_api
from evac.services import registry
from evac.services.capacity import MAX_BEDS, REPORTED
from evac.terms import (
    BedCategory,
    CaseStatus,
    IsolationKind,
    MdroStatus,
    Mobility,
    OfferStatus,
    PlaceType,
    Sex,
    Source,
    Urgency,
)
from evac.web.access import public

INTAKE_RESULT = {
    "type": "object",
    "required": ["created", "duplicates", "import_id"],
    "properties": {
        "created": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
        "duplicates": {"type": "array", "items": {"type": "string"}},
        "import_id": {"type": "integer"},
        "warnings": {
            "description": "Accepted, but a person should check: e.g. an ICD-10 code shaped "
            "right but not in the WHO ICD-10 list",
            "type": "array",
            "items": {"$ref": "#/components/schemas/Errors/properties/errors/items"},
        },
    },
}

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": ["integer", "null"]},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
        "import_id": {"type": "integer", "description": "The import record that keeps the body"},
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def _ok(description: str, schema: dict, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": schema}}}


RATE_LIMITED = {
    **_error(
        "Too many requests from this client address (EVAC_RATELIMIT_API, default 300 a minute); "
        "wait the seconds in Retry-After"
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before the next request",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}

STANDARD_ERRORS = {
    "400": _error(
        "Malformed request: not JSON, not UTF-8, JSON nested too deeply, or a NUL character"
    ),
    "401": _error("No, unknown, revoked or expired bearer token"),
    "403": _error("Not allowed for this role"),
    "404": _error("Not found, or not visible to this user"),
    "429": RATE_LIMITED,
}
INVALID_QUERY = _error("A query parameter outside its type, choices, pattern or bounds")

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
INTEGER = {"type": "integer"}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_BOOLEAN = {"type": ["boolean", "null"]}
OBJECT = {"type": "object"}

REFERENCE = {"type": "string", "pattern": r"^EV-\d{4}-\d{5,}$", "examples": ["EV-2026-00042"]}
HOSPITAL_CODE = {"type": "string", "pattern": "^[A-Za-z0-9]{1,16}$", "examples": ["UMCG"]}
OFFER_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

PATIENT = {
    "type": "object",
    "required": ["age_years", "sex", "languages"],
    "properties": {
        "age_years": NULLABLE_INTEGER,
        "sex": {"type": "string", "enum": [s.value for s in Sex]},
        "languages": {"type": "array", "items": STRING},
        "family_name": STRING,
        "given_name": STRING,
        "family_name_latin": NULLABLE_STRING,
        "given_name_latin": NULLABLE_STRING,
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
    },
}

CASE = {
    "type": "object",
    "required": ["reference", "status", "source", "urgency", "mobility", "patient"],
    "properties": {
        "reference": REFERENCE,
        "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
        "source": {"type": "string", "enum": [s.value for s in Source]},
        "external_ref": {
            "type": ["string", "null"],
            "description": "Only for users who see the case in full",
        },
        "requested_at": NULLABLE_TIME,
        "received_at": NULLABLE_TIME,
        "sending_country": NULLABLE_STRING,
        "requested_care": {"type": "string", "enum": [c.value for c in BedCategory]},
        "urgency": {"type": "string", "enum": [u.value for u in Urgency]},
        "mobility": {"type": "string", "enum": [m.value for m in Mobility]},
        "bed_category": {"type": ["string", "null"]},
        "receiving_hospital": NULLABLE_STRING,
        "patient": {"$ref": "#/components/schemas/Patient"},
    },
}

# The clinical picture at the level of detail the user may see; null is what the sender did not
# say (unknown). The version-2 fields have the request's own shapes.
_V2 = request_schema.stored_properties()
CLINICAL = {
    "type": "object",
    "properties": {
        "diagnosis": STRING,
        "icd10": {"type": "array", "items": STRING},
        "ventilated": NULLABLE_BOOLEAN,
        "oxygen_l_min": {"type": ["number", "null"]},
        "mdro_status": {"type": "string", "enum": [m.value for m in MdroStatus]},
        "isolation_required": NULLABLE_BOOLEAN,
        "allergies": NULLABLE_STRING,
        "medication": NULLABLE_STRING,
        "weight_kg": {"type": ["number", "null"]},
        "fit_to_fly": NULLABLE_BOOLEAN,
        "war_related": NULLABLE_BOOLEAN,
        **{
            name: _V2[name]
            for name in (
                "tracheostomy",
                "devices",
                "vital_signs",
                "ventilation",
                "mdro_organisms",
                "mdro_screened_at",
                "infections",
                "isolation_type",
                "code_status",
                "pregnancy_weeks",
            )
        },  # fmt: skip
        "isolation_kind": {
            "type": ["string", "null"],
            "enum": [k.value for k in IsolationKind] + [None],
            "description": "The isolation the patient needs (derived); null when unknown",
        },
        "place_needed": {
            "type": "string",
            "enum": [p.value for p in PlaceType],
            "description": "The place on board the patient needs (derived)",
        },
    },
}
LOGISTICS = {
    "type": "object",
    "properties": {
        name: _V2[name]
        for name in (
            "patient_type",
            "region_of_origin",
            "place_type",
            "documents_received",
            "family_in_nl",
        )
    },  # fmt: skip
}

CASE_DETAIL = {
    "allOf": [{"$ref": "#/components/schemas/Case"}],
    "type": "object",
    "required": ["triage", "status_history", "offers"],
    "properties": {
        "clinical": CLINICAL,
        "logistics": LOGISTICS,
        "companions": {"type": "array", "items": OBJECT},
        "sending_facility": NULLABLE_STRING,
        "contact": OBJECT,
        "notes": NULLABLE_STRING,
        "triage": {"type": ["object", "null"]},
        "status_history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from": NULLABLE_STRING,
                    "to": STRING,
                    "transition": NULLABLE_STRING,
                    "at": NULLABLE_TIME,
                    "reason": NULLABLE_STRING,
                },
            },
        },
        "offers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": INTEGER,
                    "hospital": STRING,
                    "status": {"type": "string", "enum": [s.value for s in OfferStatus]},
                    "created_at": NULLABLE_TIME,
                    "deadline": NULLABLE_TIME,
                    "responded_at": NULLABLE_TIME,
                },
            },
        },
    },
}

OFFER = {
    "type": "object",
    "required": ["id", "status", "hospital", "case", "created_at", "deadline", "summary"],
    "properties": {
        "id": INTEGER,
        "status": {"type": "string", "enum": [s.value for s in OfferStatus]},
        "hospital": STRING,
        "case": REFERENCE,
        "bed_category": NULLABLE_STRING,
        "isolation": NULLABLE_BOOLEAN,
        "created_at": TIME,
        "deadline": TIME,
        "responded_at": NULLABLE_TIME,
        "summary": OBJECT,
        "acceptance": OBJECT,
        "decline": OBJECT,
    },
}

BEDS = {
    "type": "object",
    "required": ["capacity", "occupied", "reserved", "free"],
    "properties": {
        "capacity": INTEGER,
        "occupied": INTEGER,
        "reserved": INTEGER,
        "free": INTEGER,
        "occupancy": NULLABLE_NUMBER,
        "surge": NULLABLE_INTEGER,
        "closed_until": TIME,
        "closed_reason": NULLABLE_STRING,
    },
}
BEDS_BY_CATEGORY = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Beds"}}

CAPACITY_FIGURES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["capacity", "occupied"],
    "properties": {
        "capacity": {"type": "integer", "minimum": 0, "maximum": MAX_BEDS},
        "occupied": {"type": "integer", "minimum": 0, "maximum": MAX_BEDS},
        "surge": {"type": "integer", "minimum": 0, "maximum": MAX_BEDS},
    },
}
CAPACITY_REPORT = {
    "type": "object",
    "description": "At least one category, or isolation_free, or airborne_free",
    "properties": {
        "categories": {
            "type": "object",
            "propertyNames": {"enum": list(REPORTED)},
            "additionalProperties": CAPACITY_FIGURES,
        },
        "isolation_free": {"type": "integer", "minimum": 0, "maximum": 500},
        "airborne_free": {
            "type": "integer",
            "minimum": 0,
            "maximum": 500,
            "description": "Free negative-pressure rooms, for airborne isolation",
        },
    },
    "anyOf": [
        {"required": ["categories"], "properties": {"categories": {"minProperties": 1}}},
        {"required": ["isolation_free"]},
        {"required": ["airborne_free"]},
    ],
}


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, dict] = {
    "/api/v1/requests": {
        "post": {
            "summary": "Register evacuation requests (one object or {\"requests\": [...]})",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/EvacuationRequests"}
                    },
                    # Also taken as application/json: the importer knows a Bundle when it sees one
                    "application/fhir+json": {"schema": request_schema.fhir_request_schema()},
                },
            },
            "responses": {
                "201": _ok("Cases created", {"$ref": "#/components/schemas/IntakeResult"}),
                "200": _ok("All requests were duplicates", {"$ref": "#/components/schemas/IntakeResult"}),
                "409": _error("A request conflicts with one received before; nothing imported"),
                "422": _error("Invalid requests, by row and field; nothing imported"),
                **STANDARD_ERRORS,
            },
        }
    },
    "/api/v1/cases": {
        "get": {
            "summary": "Cases visible to the token's user",
            "parameters": [
                _query("status", params.choice_schema(case_api.STATUSES)),
                _query("external_ref", params.text_schema(case_api.NO_NUL, 100)),
                _query("page", params.integer_schema(*case_api.PAGE)),
                _query("per_page", params.integer_schema(*case_api.PER_PAGE)),
            ],
            "responses": {
                "200": _ok("A page of cases", {
                    "type": "object",
                    "required": ["cases", "total", "page"],
                    "properties": {
                        "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                    },
                }),
                "422": INVALID_QUERY,
                **STANDARD_ERRORS,
            },
        }
    },
    "/api/v1/cases/{reference}": {
        "get": {
            "summary": "One case with patient, triage, status history and offers",
            "parameters": [_path("reference", REFERENCE)],
            "responses": {"200": _ok("The case", {"$ref": "#/components/schemas/CaseDetail"}),
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/cases/{reference}/fhir": {
        "get": {
            "summary": "The case as a FHIR R4 document Bundle in the shape of the International "
                       "Patient Summary (Composition, Patient, Condition, AllergyIntolerance, "
                       "MedicationStatement, Observation, Device, Flag); anonymous for users "
                       "who may not see who the patient is",
            "parameters": [_path("reference", REFERENCE)],
            "responses": {"200": _ok("A FHIR document Bundle", {
                              "type": "object", "required": ["resourceType", "type", "entry"],
                              "properties": {"resourceType": {"const": "Bundle"},
                                             "type": {"const": "document"},
                                             "entry": {"type": "array", "minItems": 2}}},
                              "application/fhir+json"),
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/capacity": {
        "get": {
            "summary": "Beds per hospital and category, and per region the sums and occupancy",
            "responses": {"200": _ok("Regions and hospitals", {
                "type": "object",
                "required": ["regions", "hospitals"],
                "properties": {
                    "regions": {"type": "array", "items": {
                        "type": "object",
                        "required": ["code", "name", "categories", "total"],
                        "properties": {"code": STRING, "name": STRING,
                                       "categories": BEDS_BY_CATEGORY,
                                       "total": {"$ref": "#/components/schemas/Beds"},
                                       "occupancy": NULLABLE_NUMBER,
                                       "isolation_free": NULLABLE_INTEGER,
                                       "airborne_free": NULLABLE_INTEGER,
                                       "transport": OBJECT}}},
                    "hospitals": {"type": "array", "items": {
                        "type": "object",
                        "required": ["code", "name", "region", "categories"],
                        "properties": {"code": STRING, "name": STRING, "region": STRING,
                                       "categories": OBJECT,
                                       "isolation_free": NULLABLE_INTEGER,
                                       "airborne_free": NULLABLE_INTEGER,
                                       "reported_at": NULLABLE_TIME,
                                       "stale": {"type": "boolean"}}}},
                },
            }), **STANDARD_ERRORS},
        }
    },
    "/api/v1/hospitals/{code}/capacity": {
        "put": {
            "summary": "Report a hospital's beds (hospital users: their own hospital only)",
            "parameters": [_path("code", HOSPITAL_CODE)],
            "requestBody": _body(CAPACITY_REPORT),
            "responses": {"200": _ok("The hospital's current figures", {
                              "type": "object",
                              "required": ["hospital", "report_id", "reported_at", "categories"],
                              "properties": {"hospital": STRING, "report_id": INTEGER,
                                             "reported_at": NULLABLE_TIME,
                                             "categories": BEDS_BY_CATEGORY,
                                             "isolation_free": NULLABLE_INTEGER,
                                             "airborne_free": NULLABLE_INTEGER}}),
                          "422": _error("Invalid figures"),
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers": {
        "get": {
            "summary": "Offers: a hospital's own, or all for coordinators; most urgent first",
            "parameters": [_query("status", params.choice_schema(offer_api.STATUSES))],
            "responses": {"200": _ok("Offers with a case summary (no identity)", {
                              "type": "object", "required": ["offers"],
                              "properties": {"offers": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Offer"}}}}),
                          "422": INVALID_QUERY, **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers/{offer_id}/accept": {
        "post": {
            "summary": "Accept an offer (the hospital's own); reserves the bed",
            "parameters": [_path("offer_id", OFFER_ID)],
            "requestBody": _body({
                "type": "object", "required": ["ward", "contact_name", "contact_phone"],
                "additionalProperties": False,
                "properties": {"ward": params.body_text(1),
                               "contact_name": params.body_text(1),
                               "contact_phone": params.body_text(1),
                               "admission_from": {"type": ["string", "null"], "format": "date-time"},
                               "admission_until": {"type": ["string", "null"], "format": "date-time"}}}),
            "responses": {"200": _ok("The accepted offer", {"$ref": "#/components/schemas/Offer"}),
                          "409": _error("The offer is no longer pending, or no bed is free"),
                          "422": _error("Missing fields"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers/{offer_id}/decline": {
        "post": {
            "summary": "Decline an offer (the hospital's own)",
            "parameters": [_path("offer_id", OFFER_ID)],
            "requestBody": _body({
                "type": "object", "required": ["reason"], "additionalProperties": False,
                "properties": {"reason": {**params.body_text(1), "description":
                    "no_bed, no_isolation, no_specialty, no_staff, clinical, or free text"},
                    "note": params.body_text(nullable=True)}}),
            "responses": {"200": _ok("The declined offer", {"$ref": "#/components/schemas/Offer"}),
                          "409": _error("The offer is no longer pending"),
                          "422": _error("No reason"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/cases/{reference}/arrival": {
        "post": {
            "summary": "The receiving hospital confirms the patient arrived (optional {\"at\": ISO 8601})",
            "parameters": [_path("reference", REFERENCE)],
            # "at" is stated as of the day the description is asked for (see document())
            "requestBody": _body({"type": "object", "additionalProperties": False,
                                  "properties": {"at": {}}}, required=False),
            "responses": {"200": _ok("The case, now arrived", {
                              "type": "object", "required": ["reference", "status", "arrived_at"],
                              "properties": {"reference": REFERENCE, "status": STRING,
                                             "arrived_at": TIME}}),
                          "409": _error("The case cannot arrive in its current state"),
                          "422": _error("Invalid time"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/cases/{reference}/documents/transfer.pdf": {
        "get": {
            "summary": "The current transfer document (coordinators; the receiving hospital after acceptance)",
            "parameters": [_path("reference", REFERENCE),
                           _query("lang", params.text_schema(document_api.LANGUAGES, 20),
                                  "One to three of uk, nl, en; default uk,nl,en")],
            "responses": {"200": _ok("The PDF", {"type": "string", "contentMediaType": "application/pdf"},
                                     "application/pdf"),
                          "409": _error("The case has no transfer document yet"),
                          "422": _error("Unknown language"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/situation": {
        "get": {
            "summary": "The day's situation: per region and category capacity, occupancy, the change in 24 h and the forecast; the evacuation pipeline; transfers between regions; stale reports. No patient, no case.",
            "parameters": [_query("date", params.DAY_SCHEMA, "The day (default today)")],
            "responses": {"200": _ok("The situation", {
                              "type": "object",
                              "required": ["date", "made", "figures", "pipeline", "transfers", "stale_reports"],
                              "properties": {"date": {"type": "string", "format": "date"},
                                             "made": TIME, "figures": {"type": "array"},
                                             "pipeline": {}, "transfers": {"type": "array"},
                                             "stale_reports": {"type": "array"}}}),
                          "422": _error("Not a date"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/situation/fhir": {
        "get": {
            "summary": "The day's beds per region as FHIR R4 MeasureReports (SANER style) in a collection Bundle",
            "parameters": [_query("date", params.DAY_SCHEMA, "The day (default today)"),
                           _query("region", params.text_schema(capacity_api.REGION, 10),
                                  "One region's report only")],
            "responses": {"200": _ok("A FHIR Bundle", {
                              "type": "object", "required": ["resourceType"],
                              "properties": {"resourceType": {"const": "Bundle"}}},
                              "application/fhir+json"),
                          "422": _error("Not a date, or not a region's code"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/capacity/have.xml": {
        "get": {
            "summary": "Hospital availability as OASIS EDXL-HAVE 2.0 XML (baseline and available beds per category, last update)",
            "responses": {"200": _ok("HospitalStatus XML", {"type": "string"}, "application/xml"),
                          **STANDARD_ERRORS},
        }
    },
}  # fmt: skip

# Every operation acts with the bearer token's user.
for _operations in PATHS.values():
    for _operation in _operations.values():
        _operation.setdefault("security", [{"bearer": []}])


def document(today: date, hospitals: dict[str, str], max_batch: int) -> dict:
    """The description as of today: the request schema names today's bounds on dates and the
    codes of the hospital registry (code -> name)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "evac API",
            "version": "1",
            "description": (
                "Bearer tokens (Authorization: Bearer TOKEN) belong to a user and act with that "
                "user's role; they expire (90 days by default) and can be revoked. Every "
                "operation is rate-limited per client address: past the limit it answers 429 "
                "with Retry-After, and every answer carries X-RateLimit-Limit, "
                "X-RateLimit-Remaining and X-RateLimit-Reset."
            ),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Errors": ERRORS,
                "Case": CASE,
                "CaseDetail": CASE_DETAIL,
                "Patient": PATIENT,
                "Offer": OFFER,
                "Beds": BEDS,
                "EvacuationRequest": request_schema.request_item_schema(today, hospitals),
                "EvacuationRequests": request_schema.request_schema(max_batch),
                "IntakeResult": INTAKE_RESULT,
                "JsonWithoutNul": request_schema.json_without_nul(),
            },
        },
        "security": [{"bearer": []}],
        "paths": _as_of(_bodies_let_unread_fields_through(PATHS), today),
    }


def _as_of(paths: dict, today: date) -> dict:
    """The rules that depend on the day: an arrival does not lie in the future."""
    body = paths["/api/v1/cases/{reference}/arrival"]["post"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["at"] = request_schema.arrival_time(
        today
    )
    return paths


def _bodies_let_unread_fields_through(paths: dict) -> dict:
    """Request bodies' objects that do not refuse unknown fields say what such fields may hold
    (anything without NUL), as the API behaves."""

    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        node = {k: walk(v) for k, v in node.items()}
        if node.get("type") == "object" and "additionalProperties" not in node:
            node = request_schema.open_object(node)
        return node

    out = copy.deepcopy(paths)
    for operations in out.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"] = walk(operation["requestBody"])
    return out


@bp.get("/openapi.json")
@public
def openapi():
    hospitals = {h.code: h.name for h in registry.hospitals()}
    return jsonify(document(date.today(), hospitals, current_app.config["EVAC_MAX_BATCH"]))
