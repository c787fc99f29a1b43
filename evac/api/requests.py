"""POST /api/v1/requests: register evacuation requests (../shared/specs/intake.md)."""

from __future__ import annotations

from flask import g, jsonify, request

from evac.access import Detail
from evac.api import api_roles, bp
from evac.api.serialize import case_summary
from evac.services import intake as intake_service
from evac.terms import Role


@bp.post("/requests")
@api_roles(Role.COORDINATOR, Role.ADMIN)
def post_requests():
    raw = request.get_data()
    try:
        result = intake_service.register_api_requests(g.api_user, raw)
    except intake_service.IntakeRejected as exc:
        # Refused whole; the import record keeps what was sent, and the answer names it.
        body = {"errors": [p.to_dict() for p in exc.problems], "import_id": exc.record.id}
        return jsonify(body), exc.status
    body = {
        "created": [case_summary(c, Detail.FULL) for c in result.created],
        "duplicates": [c.reference for c in result.duplicates],
        "import_id": result.record.id,
        # Accepted, but a person should check (an ICD-10 code not in the WHO list).
        "warnings": [p.to_dict() for p in result.warnings],
    }
    return jsonify(body), 201 if result.created_ids else 200
