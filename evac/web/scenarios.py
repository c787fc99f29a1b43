"""Scenario pages: describe a what-if, see when each region crosses 90, 95 and 100 % and how
much transport it takes, compare scenarios side by side, share them, print them."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from evac.services import registry
from evac.services import scenarios as scenario_service
from evac.services.errors import InvalidInput
from evac.services.transport import AIRPORTS
from evac.terms import Role
from evac.web.access import COORDINATING, roles_required

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")
READERS = (Role.COORDINATOR, Role.ADMIN, Role.VIEWER, Role.PARTNER, Role.REGIONAL)


def _form_page(problems=None, values=None, status=200):
    return render_template(
        "scenarios/index.html", scenarios=scenario_service.visible(current_user),
        regions=registry.regions(), categories=scenario_service.CATEGORIES, airports=AIRPORTS,
        problems=problems or [], values=values or {},
    ), status  # fmt: skip


@bp.get("/")
@roles_required(*READERS)
def index():
    return _form_page()


@bp.post("/")
@roles_required(*COORDINATING)
def create():
    from flask_wtf.csrf import validate_csrf

    validate_csrf(request.form.get("csrf_token"))
    try:
        name, scenario = scenario_service.parse(request.form)
        record = scenario_service.run(
            current_user, name, scenario, request.form.get("shared") == "1"
        )
    except InvalidInput as exc:
        return _form_page(exc.problems, request.form, 422)
    return redirect(url_for("scenarios.show", scenario_id=record.id))


@bp.get("/<int:scenario_id>")
@roles_required(*READERS)
def show(scenario_id: int):
    record = scenario_service.get(current_user, scenario_id)
    return render_template("scenarios/show.html", s=record, rows=scenario_service.summary(record))


@bp.post("/<int:scenario_id>/share")
@roles_required(*COORDINATING)
def share(scenario_id: int):
    from flask_wtf.csrf import validate_csrf

    validate_csrf(request.form.get("csrf_token"))
    shared = request.form.get("shared") == "1"
    scenario_service.set_shared(current_user, scenario_id, shared)
    flash(_("The scenario is shared with the care chain.") if shared
          else _("The scenario is no longer shared."), "info")  # fmt: skip
    return redirect(url_for("scenarios.show", scenario_id=scenario_id))


@bp.get("/compare")
@roles_required(*READERS)
def compare():
    ids = [int(i) for i in request.args.getlist("id") if i.isdigit()][:4]
    records = [scenario_service.get(current_user, i) for i in ids]
    return render_template("scenarios/compare.html", records=records,
                           summaries=[scenario_service.summary(r) for r in records])  # fmt: skip


@bp.get("/<int:scenario_id>.pdf")
@roles_required(*READERS)
def pdf(scenario_id: int):
    from evac import documents

    record = scenario_service.get(current_user, scenario_id)
    data = documents.render_pdf("scenario.html", {"s": record, "rows": scenario_service.summary(record),
                                                  "lang": "en"})  # fmt: skip
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=scenario-{record.id}.pdf"})  # fmt: skip
