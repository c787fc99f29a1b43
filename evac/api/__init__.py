"""The JSON API v1 (../shared/specs/api.md): bearer tokens, one error envelope, the same
service functions as the pages."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from evac.services.errors import DomainError, InvalidInput
from evac.services.users import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, field: str = ""):
    return jsonify({"errors": [{"field": field, "message": message}]}), status


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    from flask_babel import gettext as _

    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        response, status = error(401, _("A valid bearer token is required."), "Authorization")
        response.headers["WWW-Authenticate"] = 'Bearer realm="evac"'
        return response, status
    g.api_user = user
    return None


@bp.errorhandler(InvalidInput)
def invalid_input(exc: InvalidInput):
    return jsonify({"errors": [p.to_dict() for p in exc.problems]}), 422


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error(exc.status, exc.message)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error(exc.code or 500, exc.description or exc.name)


from evac.api import cases, openapi, requests  # noqa: E402,F401  (routes register on bp)
