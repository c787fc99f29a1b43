"""The landing page: what needs attention now."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from evac.models.types import utcnow
from evac.services import dashboard as dashboard_service
from evac.terms import Role
from evac.web import page_cache
from evac.web.access import EVERYONE, roles_required

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles_required(*EVERYONE)
def index():
    if current_user.has_role(Role.HOSPITAL) and "hospital.portal" in _endpoints():
        return redirect(url_for("hospital.portal"))
    if current_user.has_role(Role.PARTNER):
        return redirect(url_for("situation.report"))  # the care chain reads the situation
    from datetime import UTC, datetime

    from flask import request, session

    # "Since my last visit": the marker moves only when the coordinator looks, not when the
    # page refreshes itself. With it, the cases' version then: while it is the same, no case
    # has come in or changed since, and nothing need be asked.
    cases_now = list(page_cache.versions_of(NEW_SINCE_READS))
    last, cases_then = session.get("overview_seen_at"), session.get("overview_seen_cases")
    since = datetime.fromtimestamp(last, UTC) if last else None
    if not request.headers.get("X-Evac-Live"):
        session["overview_seen_at"] = utcnow().timestamp()
        session["overview_since"] = last
        session["overview_seen_cases"] = cases_now
        session["overview_since_cases"] = cases_then
    elif session.get("overview_since"):
        since = datetime.fromtimestamp(session["overview_since"], UTC)
        cases_then = session.get("overview_since_cases")
    cockpit, body = page_cache.kept("dashboard.index", _draw_overview)
    unchanged = since is not None and cases_then == cases_now
    return render_template(
        "dashboard/index.html",
        cockpit=cockpit,
        body=body,
        new_since=[] if unchanged else dashboard_service.new_since(current_user, since),
    )


# What new_since reads that may change: the cases (and what changes everything).
NEW_SINCE_READS = frozenset({"case", "*"})


def _draw_overview() -> tuple[Markup, Markup]:
    """The cockpit and the rest of the overview, from one reading of the data."""
    from evac.services import handover

    context = {
        "now": utcnow(),
        "overview": dashboard_service.overview(current_user),
        "notes": handover.pinned_notes()
        if current_user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER)
        else [],
    }
    cockpit = (
        render_template("dashboard/_cockpit.html", **context)
        if current_user.is_coordinating
        else ""
    )
    return Markup(cockpit), Markup(render_template("dashboard/_overview.html", **context))


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.post("/handover")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def add_note():
    from flask import flash, request
    from flask_babel import gettext as _
    from flask_wtf.csrf import validate_csrf

    from evac.services import handover

    validate_csrf(request.form.get("csrf_token"))
    handover.add_note(current_user, request.form.get("text", ""))
    flash(_("The note is pinned for the next shift."), "success")
    return redirect(url_for("dashboard.index"))


@bp.post("/handover/<int:note_id>/resolve")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def resolve_note(note_id: int):
    from flask import request
    from flask_wtf.csrf import validate_csrf

    from evac.services import handover

    validate_csrf(request.form.get("csrf_token"))
    handover.resolve(current_user, note_id)
    return redirect(url_for("dashboard.index"))
