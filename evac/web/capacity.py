"""Capacity pages: occupancy per region at a glance (table, map, trends), a hospital's report
form, a CSV upload for many hospitals, transport crews per region, and the daily export."""

from __future__ import annotations

import math

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from evac.models.types import utcnow
from evac.services import capacity as capacity_service
from evac.services import registry
from evac.services.errors import InvalidInput
from evac.terms import BedCategory, Role, label
from evac.web import page_cache
from evac.web.access import COORDINATING, EVERYONE, OVERSIGHT, roles_required
from evac.web.transport import local_time

bp = Blueprint("capacity", __name__, url_prefix="/capacity")

# The categories shown as columns, in the order a coordinator scans them.
COLUMNS = tuple(c.value for c in BedCategory if c != BedCategory.OTHER)


class UploadForm(FlaskForm):
    file = FileField(_l("Capacity file (.csv)"), validators=[FileRequired()])


@bp.get("/")
@roles_required(*EVERYONE)
def overview():
    return render_template(
        "capacity/index.html", body=page_cache.drawn("capacity.overview", _draw_overview)
    )


def _draw_overview() -> str:
    regions = capacity_service.with_trends(capacity_service.current_capacity())
    return render_template(
        "capacity/_index.html",
        regions=regions,
        columns=COLUMNS,
        dots=map_dots(regions),
        outline=NL_OUTLINE_PATH,
        spark=sparkline,
        full_line=spark_y(1.0),
        upload_form=UploadForm(),
        region_choices=registry.regions(),
        now=utcnow(),
        national=_national_pictures(),
        chart=_chart,
    )


def _national_pictures():
    from evac.services import outlook

    return [p for p in outlook.pictures() if p.category in ("ic", "clinical")]


def _chart(picture):
    from evac.web.charts import forecast_chart

    return forecast_chart(picture)


@bp.get("/regions/<code>")
@roles_required(*EVERYONE)
def region(code: str):
    """A region's last four weeks per bed category and the forecast for the coming week."""
    from evac.services import outlook
    from evac.web.charts import forecast_chart

    region = next((r for r in registry.regions() if r.code == code.upper()), None)
    if region is None:
        from flask import abort

        abort(404)
    return render_template(
        "capacity/region.html",
        region=region,
        body=page_cache.drawn(
            "capacity.region",
            lambda: render_template(
                "capacity/_region.html",
                region=region,
                pictures=outlook.pictures(region.code),
                chart=forecast_chart,
            ),
        ),
    )


@bp.route("/hospitals/<code>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def report(code: str):
    current = capacity_service.hospital_capacity(current_user, code)
    form = FlaskForm()
    problems = []
    status = 200
    categories = [c for c in COLUMNS if c in current.hospital.capabilities or c in current.beds]
    if form.validate_on_submit():
        figures, problems = _figures_from(request.form, categories)
        if not problems:
            try:
                capacity_service.report_capacity(current_user, code, figures, channel="portal")
            except InvalidInput as exc:
                problems = exc.problems
            else:
                flash(
                    _("Capacity of %(hospital)s is reported.", hospital=current.hospital.name),
                    "success",
                )
                for category, (beds, patients) in figures.over_full().items():
                    flash(_("%(category)s: %(patients)d patients in %(beds)d staffed beds. If a "
                            "figure is mistyped, report again.", category=label(BedCategory(category)),
                            patients=patients, beds=beds), "error")  # fmt: skip
                return redirect(url_for("capacity.report", code=code))
        status = 422
    return (
        render_template(
            "capacity/report.html",
            current=current,
            categories=categories,
            form=form,
            problems=problems,
            values=request.form if problems else None,
        ),
        status,
    )


def _figures_from(form, categories) -> tuple[capacity_service.Figures, list]:
    from evac.services.errors import Problem

    figures, problems = capacity_service.Figures({}), []

    def number(name: str) -> int | None:
        raw = (form.get(name) or "").strip()
        if raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            problems.append(
                Problem(
                    name, _("%(field)s is '%(value)s', not a whole number.", field=name, value=raw)
                )
            )
            return None

    for category in categories:
        capacity, occupied = number(f"capacity-{category}"), number(f"occupied-{category}")
        if capacity is None and occupied is None:
            continue
        if capacity is None or occupied is None:
            problems.append(
                Problem(category, _("Give both the beds and the occupied beds, or neither."))
            )
            continue
        figures.categories[category] = (capacity, occupied)
        surge = number(f"surge-{category}")
        if surge is not None:
            figures.surge[category] = surge
    figures.isolation_free = number("isolation_free")
    figures.airborne_free = number("airborne_free")
    return figures, problems


@bp.post("/hospitals/<code>/closure")
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def closure(code: str):
    """Close a category to new patients until a time (or reopen it)."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(
            _("The form had expired or was sent from elsewhere. Reload the page and retry."),
            "error",
        )
        return redirect(url_for("capacity.report", code=code))
    category = request.form.get("category", "")
    if request.form.get("action") == "reopen":
        capacity_service.reopen_category(current_user, code, category)
        flash(_("%(category)s is open to new patients again.",
                category=label(BedCategory(category)) if category in BedCategory._value2member_map_ else category), "success")  # fmt: skip
        return redirect(url_for("capacity.report", code=code))
    raw = (request.form.get("until") or "").strip()
    try:
        from datetime import datetime as dt

        until = local_time(dt.fromisoformat(raw)) if raw else None
    except ValueError:
        until = None
    try:
        capacity_service.close_category(current_user, code, category, until,
                                        request.form.get("reason", ""))  # fmt: skip
    except InvalidInput as exc:
        for p in exc.problems:
            flash(p.message, "error")
    else:
        flash(
            _("Closed to new patients until %(until)s.", until=format_datetime(until, "short")),
            "info",
        )
    return redirect(url_for("capacity.report", code=code))


@bp.post("/upload")
@roles_required(*COORDINATING)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            reports = capacity_service.import_capacity_csv(current_user, form.file.data.read())
        except InvalidInput as exc:
            for p in exc.problems:
                where = _("row %(row)s", row=p.row) if p.row is not None else _("file")
                flash(f"{where}, {p.field or '–'}: {p.message}", "error")
            flash(_("Nothing was imported."), "error")
        else:
            flash(_("Imported capacity reports of %(n)d hospitals.", n=len(reports)), "success")
    else:
        flash(_("Choose a file."), "error")
    return redirect(url_for("capacity.overview"))


@bp.post("/transport")
@roles_required(*COORDINATING)
def transport():
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            capacity_service.report_transport(
                current_user,
                request.form.get("region", ""),
                _int(request.form.get("ambulances")),
                _int(request.form.get("micu")),
            )
        except InvalidInput as exc:
            for p in exc.problems:
                flash(p.message, "error")
        else:
            flash(_("Transport capacity is reported."), "success")
    return redirect(url_for("capacity.overview") + "#transport")


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


@bp.get("/occupancy.csv")
@roles_required(*OVERSIGHT)
def export():
    days = max(1, min(request.args.get("days", 14, type=int), 366))
    body = capacity_service.occupancy_csv(days)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=evac-occupancy-{utcnow():%Y%m%d}.csv"
        },
    )


# ---------------------------------------------------------------------------------------------
# Drawing: a map from the hospitals' coordinates and sparklines, as inline SVG.

MAP_W, MAP_H = 300, 360
LON0, LON1, LAT0, LAT1 = 3.2, 7.3, 50.7, 53.6
_KX = math.cos(math.radians(52.2))


def project(lat: float, lon: float) -> tuple[float, float]:
    """An equirectangular projection at the country's mean latitude: good enough for NL."""
    scale = min(MAP_W / ((LON1 - LON0) * _KX), MAP_H / (LAT1 - LAT0))
    return round((lon - LON0) * _KX * scale, 1), round((LAT1 - lat) * scale, 1)


# A rough outline of the Netherlands (coast and borders, lon/lat), for orientation only.
NL_OUTLINE = [
    (3.37, 51.37), (3.57, 51.45), (3.44, 51.54), (3.70, 51.70), (3.85, 51.83), (4.12, 51.98),
    (4.27, 52.11), (4.42, 52.24), (4.55, 52.46), (4.64, 52.77), (4.75, 52.96), (5.05, 52.95),
    (5.41, 53.17), (5.90, 53.39), (6.20, 53.41), (6.83, 53.45), (6.93, 53.33), (7.21, 53.18),
    (7.07, 52.85), (6.73, 52.66), (7.00, 52.38), (6.95, 52.22), (6.72, 51.97), (6.05, 51.87),
    (5.95, 51.75), (6.20, 51.40), (6.10, 51.20), (5.90, 51.05), (6.02, 50.75), (5.68, 50.76),
    (5.65, 51.25), (5.50, 51.27), (5.25, 51.30), (4.93, 51.44), (4.75, 51.48), (4.25, 51.42),
    (4.05, 51.28), (3.40, 51.30),
]  # fmt: skip
NL_OUTLINE_PATH = (
    "M" + " L".join("{},{}".format(*project(lat, lon)) for lon, lat in NL_OUTLINE) + " Z"
)


def occupancy_class(fraction: float | None) -> str:
    if fraction is None:
        return "occ-unknown"
    if fraction >= 0.95:
        return "occ-full"
    if fraction >= 0.85:
        return "occ-high"
    return "occ-ok"


def map_dots(regions) -> list[dict]:
    dots = []
    for rc in regions:
        for hc in rc.hospitals:
            x, y = project(hc.hospital.lat, hc.hospital.lon)
            total = hc.total
            dots.append(
                {
                    "x": x, "y": y, "code": hc.hospital.code, "name": hc.hospital.name,
                    "fraction": total.fraction, "free": total.free,
                    "cls": occupancy_class(total.fraction) + (" stale" if hc.stale else ""),
                    "r": 3 + min(5, math.sqrt(total.capacity or 0) / 8),
                }
            )  # fmt: skip
    return dots


SPARK_LOW, SPARK_HIGH = 0.5, 1.05  # the band where occupancy moves; below 50% is calm anyway


def spark_y(fraction: float, height: int = 28) -> float:
    f = min(max(fraction, SPARK_LOW), SPARK_HIGH)
    return round(height - (f - SPARK_LOW) / (SPARK_HIGH - SPARK_LOW) * height, 1)


def sparkline(points, width: int = 120, height: int = 28) -> str:
    """SVG polyline points for the occupancy fractions of a trend, missing days skipped."""
    known = [(i, f) for i, (_day, f) in enumerate(points) if f is not None]
    if not known:
        return ""
    step = width / max(1, len(points) - 1)
    return " ".join(f"{round(i * step, 1)},{spark_y(f, height)}" for i, f in known)
