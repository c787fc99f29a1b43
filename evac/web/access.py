"""Who may use a route: decorators that read like a sentence.

    @bp.get("/cases")
    @roles_required(Role.COORDINATOR, Role.ADMIN, Role.VIEWER)
    def board(): ...

Each decorated view carries `allowed_roles`, so that a test can walk `app.url_map` and check every
route against the roles that may and may not use it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from evac.terms import Role

COORDINATING = (Role.COORDINATOR, Role.ADMIN)
OVERSIGHT = (Role.COORDINATOR, Role.ADMIN, Role.VIEWER)
# Who triages, places and offers: the national centre, and a region's centre for the requests
# on its desk (the services check which).
PLACING = (Role.COORDINATOR, Role.ADMIN, Role.REGIONAL)
EVERYONE = tuple(Role)
# Everyone who may know that single cases exist: all but the care chain's partners.
CASE_READERS = tuple(r for r in Role if r != Role.PARTNER)


def roles_required(*roles: Role) -> Callable:
    """Signed in, and with one of these roles; otherwise 403 (or the login page)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Usable without signing in (the login page, the language switch)."""
    view.allowed_roles = None
    return view
