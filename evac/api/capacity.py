"""GET /api/v1/capacity and PUT /api/v1/hospitals/CODE/capacity (../shared/specs/api.md)."""

from __future__ import annotations

import re

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evac.api import api_roles, bp, error, params
from evac.services import capacity as capacity_service
from evac.services.errors import InvalidInput, Problem
from evac.terms import Role

# A region's code (any case); an unknown one has no report
REGION = re.compile(r"^[A-Za-z]{2,10}$")
REGION_MESSAGE = _l("Choose a Dutch region or abroad.")


def _beds(beds: capacity_service.Beds) -> dict:
    return {
        "capacity": beds.capacity,
        "occupied": beds.occupied,
        "reserved": beds.reserved,
        "free": beds.free,
        "occupancy": None if beds.fraction is None else round(beds.fraction, 4),
        "surge": beds.surge,
        **(
            {"closed_until": beds.closed_until.isoformat(), "closed_reason": beds.closed_reason}
            if beds.closed_until
            else {}
        ),
    }


@bp.get("/capacity")
@api_roles(*Role)
def get_capacity():
    regions = capacity_service.current_capacity()
    hospitals, region_list = [], []
    for rc in regions:
        region_list.append(
            {
                "code": rc.region.code,
                "name": rc.region.name,
                "categories": {c: _beds(b) for c, b in sorted(rc.beds.items())},
                "total": _beds(rc.total),
                "occupancy": None if rc.total.fraction is None else round(rc.total.fraction, 4),
                "isolation_free": rc.isolation_free,
                "airborne_free": rc.airborne_free,
                "transport": {"ambulances": rc.ambulances, "micu": rc.micu,
                              "reported_at": _iso(rc.transport_reported_at)},
            }
        )  # fmt: skip
        for hc in rc.hospitals:
            hospitals.append(
                {
                    "code": hc.hospital.code,
                    "name": hc.hospital.name,
                    "region": rc.region.code,
                    "categories": {
                        c: {**_beds(b), "reported_at": _iso(hc.reported_at)}
                        for c, b in sorted(hc.beds.items())
                    },
                    "isolation_free": hc.isolation_free,
                    "airborne_free": hc.airborne_free,
                    "reported_at": _iso(hc.reported_at),
                    "stale": hc.stale,
                }
            )
    return jsonify({"regions": region_list, "hospitals": hospitals})


def _whole(value):
    """A JSON number with no fraction (12.0) is the integer JSON Schema takes it for."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.put("/hospitals/<code>/capacity")
@api_roles(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def put_capacity(code: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, _("The body must be a JSON object."))
    # Other fields of the body are ignored (a hospital system may send more than we read).
    categories = body.get("categories", {})
    problems = []
    figures = capacity_service.Figures(
        {}, _whole(body.get("isolation_free")), _whole(body.get("airborne_free"))
    )
    if not isinstance(categories, dict):
        raise InvalidInput([Problem("categories", _("categories must be an object."))])
    for name in ("isolation_free", "airborne_free"):
        if name in body and body[name] is None:  # leave it out to say nothing; null is no number
            problems.append(
                Problem(name, _("%(field)s must be a whole number from 0 to 500.", field=name))
            )
    for category, values in categories.items():
        if not isinstance(values, dict) or "capacity" not in values or "occupied" not in values:
            problems.append(
                Problem(
                    f"categories.{category}", _("Give capacity and occupied for each category.")
                )
            )
            continue
        params.known_fields(values, ("capacity", "occupied", "surge"), f"categories.{category}.")
        figures.categories[str(category)] = (_whole(values["capacity"]), _whole(values["occupied"]))
        if "surge" in values:
            figures.surge[str(category)] = _whole(values["surge"])
    if problems:
        raise InvalidInput(problems)
    report = capacity_service.report_capacity(g.api_user, code, figures, channel="api")
    hc = capacity_service.hospital_capacity(g.api_user, code)
    return jsonify(
        {
            "hospital": hc.hospital.code,
            "report_id": report.id,
            "reported_at": _iso(report.reported_at),
            "categories": {c: _beds(b) for c, b in sorted(hc.beds.items())},
            "isolation_free": hc.isolation_free,
            "airborne_free": hc.airborne_free,
        }
    )


@bp.get("/situation")
@api_roles(*Role)
def get_situation():
    """The day's situation: per region and category the figures and forecast, the evacuation
    pipeline and transfers between regions. No patient, no case."""
    from evac.services import situation as situation_service

    s = situation_service.situation(params.day("date"))
    return jsonify({
        "date": s.day.isoformat(),
        "made": s.made.isoformat(),
        "figures": situation_service.figures_rows(s),
        "pipeline": s.pipeline,
        "transfers": [{"from": a, "to": b, "category": c, "patients": n}
                      for a, b, c, n in s.transfers],
        "stale_reports": [{"hospital": code, "region": region,
                           "last_report": at.isoformat() if at else None}
                          for code, _name, region, at in s.stale],
    })  # fmt: skip


@bp.get("/situation/fhir")
@api_roles(*Role)
def get_situation_fhir():
    """Per region a FHIR R4 MeasureReport (SANER style) of the day's beds, in a Bundle."""
    from evac.services import situation as situation_service

    day = params.day("date")
    region = params.text("region", REGION, REGION_MESSAGE, 10)
    bundle = situation_service.fhir_bundle(day, region.upper() if region else None)
    return jsonify(bundle), 200, {"Content-Type": "application/fhir+json"}


@bp.get("/capacity/have.xml")
@api_roles(*Role)
def get_have():
    """Hospital availability as EDXL-HAVE 2.0 XML."""
    from flask import Response

    from evac.services import situation as situation_service

    return Response(situation_service.have_xml(), mimetype="application/xml")
