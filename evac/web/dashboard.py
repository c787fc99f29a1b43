"""The landing page: what needs attention now."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from evac.services import dashboard as dashboard_service
from evac.terms import Role
from evac.web.access import EVERYONE, roles_required

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles_required(*EVERYONE)
def index():
    if current_user.has_role(Role.HOSPITAL) and "hospital.portal" in _endpoints():
        return redirect(url_for("hospital.portal"))
    if current_user.has_role(Role.PARTNER):
        return redirect(url_for("situation.report"))  # the care chain reads the situation
    return render_template(
        "dashboard/index.html", overview=dashboard_service.overview(current_user)
    )


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)
