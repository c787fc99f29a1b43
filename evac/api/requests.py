"""POST /api/v1/requests: register evacuation requests (../shared/specs/intake.md)."""

from __future__ import annotations

import json

from flask import g, jsonify, request
from flask_babel import gettext as _

from evac.access import Detail
from evac.api import api_roles, bp, error
from evac.api.serialize import case_summary
from evac.services import intake as intake_service
from evac.terms import Role


@bp.post("/requests")
@api_roles(Role.COORDINATOR, Role.ADMIN)
def post_requests():
    raw = request.get_data()
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return error(400, _("The body is not valid JSON: %(error)s", error=exc))
    result = intake_service.register_api_requests(g.api_user, payload, raw)
    body = {
        "created": [case_summary(c, Detail.FULL) for c in result.created],
        "duplicates": [c.reference for c in result.duplicates],
        "import_id": result.record.id,
    }
    return jsonify(body), 201 if result.created else 200
