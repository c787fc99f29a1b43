"""POST /api/v1/cases/REFERENCE/arrival: the receiving hospital confirms the patient arrived."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request
from flask_babel import gettext as _

from evac.api import api_roles, bp, params
from evac.interop.requests import read_moment
from evac.services import transport as transport_service
from evac.services.errors import InvalidInput, Problem
from evac.terms import Role


@bp.post("/cases/<reference>/arrival")
@api_roles(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def confirm_arrival(reference: str):
    body = request.get_json(silent=True) or {}
    at = None
    if isinstance(body, dict):
        params.known_fields(body, ("at",))
    if isinstance(body, dict) and body.get("at") is not None:
        at = read_moment(body["at"], date.today())
        if at is None:
            raise InvalidInput([Problem("at", _(
                "at must be a date and time with a time zone (ISO 8601), not in the future."))])  # fmt: skip
    case = transport_service.confirm_arrival(g.api_user, reference, at)
    arrived = next(s.at for s in reversed(case.status_changes) if s.to_status == "arrived")
    return jsonify(
        {"reference": case.reference, "status": case.status, "arrived_at": arrived.isoformat()}
    )
