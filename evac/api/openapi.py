"""GET /api/v1/openapi.json: the API described in OpenAPI 3.1.

Each area adds its paths to PATHS where it defines its routes' shapes, so the description
cannot drift far from the code; a test checks that every API route is described.
"""

from __future__ import annotations

from flask import jsonify

from evac.api import bp
from evac.web.access import public

ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        }
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


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

CASE = {
    "type": "object",
    "properties": {
        "reference": {"type": "string", "examples": ["EV-2026-00042"]},
        "status": {"type": "string"},
        "source": {"type": "string", "enum": ["eu_medevac", "domestic"]},
        "external_ref": {"type": ["string", "null"]},
        "requested_care": {"type": "string"},
        "urgency": {"type": "string", "enum": ["immediate", "urgent", "routine"]},
        "mobility": {"type": "string", "enum": ["stretcher", "seated", "walking"]},
        "patient": {"type": "object"},
    },
}

PATHS: dict[str, dict] = {
    "/api/v1/requests": {
        "post": {
            "summary": "Register evacuation requests (one object or {\"requests\": [...]})",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "201": {"description": "Cases created"},
                "200": {"description": "All requests were duplicates"},
                "400": _error("Malformed JSON"),
                "422": _error("Invalid requests, by row and field; nothing imported"),
                **STANDARD_ERRORS,
            },
        }
    },
    "/api/v1/cases": {
        "get": {
            "summary": "Cases visible to the token's user",
            "parameters": [
                {"name": n, "in": "query", "schema": {"type": t}}
                for n, t in (("status", "string"), ("external_ref", "string"), ("page", "integer"))
            ],
            "responses": {
                "200": {
                    "description": "A page of cases",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                                    "total": {"type": "integer"},
                                    "page": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                **STANDARD_ERRORS,
            },
        }
    },
    "/api/v1/cases/{reference}": {
        "get": {
            "summary": "One case with patient, triage, status history and offers",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The case"}, **STANDARD_ERRORS},
        }
    },
    "/api/v1/capacity": {
        "get": {
            "summary": "Beds per hospital and category, and per region the sums and occupancy",
            "responses": {"200": {"description": "Regions and hospitals"}, **STANDARD_ERRORS},
        }
    },
    "/api/v1/hospitals/{code}/capacity": {
        "put": {
            "summary": "Report a hospital's beds (hospital users: their own hospital only)",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "categories": {"type": "object", "additionalProperties": {
                        "type": "object",
                        "properties": {"capacity": {"type": "integer"}, "occupied": {"type": "integer"}},
                        "required": ["capacity", "occupied"]}},
                    "isolation_free": {"type": "integer"},
                }}}}},
            "responses": {"200": {"description": "The hospital's current figures"},
                          "400": _error("Malformed JSON"), "422": _error("Invalid figures"),
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers": {
        "get": {
            "summary": "Offers: a hospital's own, or all for coordinators; most urgent first",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string",
                            "enum": ["pending", "accepted", "declined", "expired", "withdrawn"]}}],
            "responses": {"200": {"description": "Offers with a case summary (no identity)"}, **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers/{offer_id}/accept": {
        "post": {
            "summary": "Accept an offer (the hospital's own); reserves the bed",
            "parameters": [{"name": "offer_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["ward", "contact_name", "contact_phone"],
                "properties": {"ward": {"type": "string"}, "contact_name": {"type": "string"},
                               "contact_phone": {"type": "string"},
                               "admission_from": {"type": "string", "format": "date-time"},
                               "admission_until": {"type": "string", "format": "date-time"}}}}}},
            "responses": {"200": {"description": "The accepted offer"},
                          "409": _error("The offer is no longer pending, or no bed is free"),
                          "422": _error("Missing fields"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/offers/{offer_id}/decline": {
        "post": {
            "summary": "Decline an offer (the hospital's own)",
            "parameters": [{"name": "offer_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"],
                "properties": {"reason": {"type": "string", "description":
                    "no_bed, no_isolation, no_specialty, no_staff, clinical, or free text"},
                    "note": {"type": "string"}}}}}},
            "responses": {"200": {"description": "The declined offer"},
                          "409": _error("The offer is no longer pending"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/cases/{reference}/arrival": {
        "post": {
            "summary": "The receiving hospital confirms the patient arrived (optional {\"at\": ISO 8601})",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The case, now arrived"},
                          "409": _error("The case cannot arrive in its current state"),
                          "422": _error("Invalid time"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/cases/{reference}/documents/transfer.pdf": {
        "get": {
            "summary": "The current transfer document (coordinators; the receiving hospital after acceptance)",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "lang", "in": "query", "schema": {"type": "string", "examples": ["uk,nl,en"]},
                            "description": "One to three of uk, nl, en; default uk,nl,en"}],
            "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {}}},
                          "422": _error("Unknown language"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/situation": {
        "get": {
            "summary": "The day's situation: per region and category capacity, occupancy, the change in 24 h and the forecast; the evacuation pipeline; transfers between regions; stale reports. No patient, no case.",
            "parameters": [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
                            "description": "The day (default today)"}],
            "responses": {"200": {"description": "The situation"}, "422": _error("Not a date"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/situation/fhir": {
        "get": {
            "summary": "The day's beds per region as FHIR R4 MeasureReports (SANER style) in a collection Bundle",
            "parameters": [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "region", "in": "query", "schema": {"type": "string"}, "description": "One region's report only"}],
            "responses": {"200": {"description": "A FHIR Bundle", "content": {"application/fhir+json": {}}},
                          "422": _error("Not a date"), **STANDARD_ERRORS},
        }
    },
    "/api/v1/capacity/have.xml": {
        "get": {
            "summary": "Hospital availability as OASIS EDXL-HAVE 2.0 XML (baseline and available beds per category, last update)",
            "responses": {"200": {"description": "HospitalStatus XML", "content": {"application/xml": {}}}, **STANDARD_ERRORS},
        }
    },
}  # fmt: skip


def document() -> dict:
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
            "schemas": {"Errors": ERRORS, "Case": CASE},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document())
