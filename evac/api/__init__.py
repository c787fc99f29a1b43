"""The JSON API v1 (../shared/specs/api.md): bearer tokens, one error envelope, the same
service functions as the pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, g, has_request_context, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from evac.extensions import db, limiter
from evac.services.errors import DomainError, Forbidden, InvalidInput
from evac.terms import Role
from evac.web import page_cache
from evac.web.limits import api_limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, field: str = ""):
    return jsonify({"errors": [{"field": field, "message": message}]}), status


def api_roles(*roles: Role) -> Callable:
    """The token's user must have one of these roles (403 otherwise); marks the route for the
    routes x roles test like the pages' roles_required."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not g.api_user.has_role(*roles):
                raise Forbidden(_("Your role may not use this endpoint."))
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    user = page_cache.token_user(token.strip()) if scheme.lower() == "bearer" and token else None
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


@bp.errorhandler(StaleDataError)
def changed_meanwhile(exc: StaleDataError):
    db.session.rollback()
    return error(409, _("Someone changed this at the same moment. Reload and try again."))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error(exc.code or 500, exc.description or exc.name)


@bp.after_app_request
def allow_header(response):
    """A 405 from the API names the methods the resource has (RFC 9110), as werkzeug's own
    answer would; the app's JSON error page for /api/ paths leaves the header out."""
    exc = request.routing_exception
    if (
        response.status_code == 405
        and isinstance(exc, MethodNotAllowed)
        and exc.valid_methods
        and request.path.startswith(bp.url_prefix + "/")
    ):
        response.headers.setdefault("Allow", ", ".join(sorted(exc.valid_methods)))
    return response


def api_locale() -> str | None:
    """For API requests: English unless Accept-Language asks for another language of ours, not
    the default locale of the pages (a partner's client asks for nothing and reads English).
    None for other requests."""
    from evac.config import LOCALE_FORMATS, LOCALES

    if not has_request_context() or not request.path.startswith(bp.url_prefix + "/"):
        return None
    language = request.accept_languages.best_match(LOCALES) or "en"
    return LOCALE_FORMATS.get(language, language)


# Every API route counts against EVAC_RATELIMIT_API per client address; past it, 429 with
# Retry-After (and X-RateLimit-* headers on every answer).
limiter.limit(api_limit)(bp)

from evac.api import (  # noqa: E402,F401  (routes register on bp)
    capacity,
    cases,
    documents,
    offers,
    openapi,
    requests,
    transport,
)
