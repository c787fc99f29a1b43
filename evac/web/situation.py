"""The daily situation report as a page, a PDF (Dutch or English) and per-region figures as CSV,
for the centre and the organisations of the care chain."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from evac.services import situation as situation_service
from evac.services.errors import InvalidInput, Problem
from evac.web.access import EVERYONE, roles_required

bp = Blueprint("situation", __name__, url_prefix="/situation")


def day_from(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([Problem("date", _("Give the day as YYYY-MM-DD."))]) from None


@bp.get("/")
@roles_required(*EVERYONE)
def report():
    try:
        day = day_from(request.args.get("date"))
    except InvalidInput as exc:  # a day mistyped in the address: today's report, and why
        flash(exc.problems[0].message, "error")
        return redirect(url_for("situation.report"))
    return render_template("situation/report.html", s=situation_service.situation(day))


@bp.get("/report.pdf")
@roles_required(*EVERYONE)
def pdf():
    lang = request.args.get("lang", "nl")
    if lang not in ("nl", "en"):
        raise InvalidInput([Problem("lang", _("The report is written in nl or en."))])
    s = situation_service.situation(day_from(request.args.get("date")))
    data = situation_service.render_pdf(s, lang)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=situation-{s.day.isoformat()}-{lang}.pdf"})  # fmt: skip


@bp.get("/figures.csv")
@roles_required(*EVERYONE)
def figures():
    s = situation_service.situation(day_from(request.args.get("date")))
    rows = situation_service.figures_rows(s)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(situation_service.FIGURE_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=situation-{s.day.isoformat()}.csv"})  # fmt: skip


@bp.get("/have.xml")
@roles_required(*EVERYONE)
def have():
    """Hospital availability as EDXL-HAVE 2.0, for partners' systems."""
    return Response(situation_service.have_xml(), mimetype="application/xml", headers={
        "Content-Disposition": "attachment; filename=evac-have.xml"})  # fmt: skip


@bp.get("/fhir.json")
@roles_required(*EVERYONE)
def fhir():
    """The day's beds per region as FHIR R4 MeasureReports in a Bundle."""
    import json

    bundle = situation_service.fhir_bundle(day_from(request.args.get("date")))
    return Response(json.dumps(bundle, ensure_ascii=False, indent=1), mimetype="application/fhir+json",
                    headers={"Content-Disposition": "attachment; filename=evac-capacity-fhir.json"})  # fmt: skip
