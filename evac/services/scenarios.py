"""Scenarios: a coordinator describes a what-if, evac projects each region's occupancy day by
day (evac.forecast.scenario) from today's beds, the forecast and the transport reported, keeps
it, and shares it with the care chain when the coordinator says so."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from evac.extensions import db
from evac.forecast import scenario as engine
from evac.models import Scenario, User
from evac.models.types import utcnow
from evac.services import audit, capacity, outlook
from evac.services.errors import Forbidden, InvalidInput, NotFound, Problem
from evac.services.transport import AIRPORTS
from evac.terms import Role

PLANNERS = (Role.COORDINATOR, Role.ADMIN)
CATEGORIES = ("ic", "clinical", "picu", "paediatric", "burns")


def _regions(days: int) -> list[engine.Region]:
    today = utcnow().date()
    daily = capacity.daily_occupancy(days=28, today=today)
    out = []
    for rc in sorted(capacity.current_capacity(), key=lambda r: r.region.code):
        hospitals = [hc.hospital for hc in rc.hospitals]
        if not hospitals:
            continue
        baseline = {}
        for p in outlook.pictures(rc.region.code, horizon=days, today=today, daily=daily):
            baseline[p.category] = [f.mean for f in p.forecast]
        for c, b in rc.beds.items():  # no history yet: today's figure stays
            baseline.setdefault(c, [float(b.occupied + b.reserved)] * days)
        out.append(engine.Region(
            code=rc.region.code,
            lat=sum(h.lat for h in hospitals) / len(hospitals),
            lon=sum(h.lon for h in hospitals) / len(hospitals),
            capacity={c: b.capacity for c, b in rc.beds.items() if c in CATEGORIES},
            baseline={c: v for c, v in baseline.items() if c in CATEGORIES},
            micu=rc.micu or 0, ambulances=rc.ambulances or 0,
        ))  # fmt: skip
    return out


def parse(form: dict) -> tuple[str, engine.Scenario]:
    """The scenario from the form's fields; InvalidInput naming each field that is wrong."""
    problems: list[Problem] = []

    def number(name: str, low: int, high: int, default: int | None = None) -> int:
        raw = str(form.get(name, "") or "").strip()
        if raw == "" and default is not None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if not low <= value <= high:
            problems.append(
                Problem(
                    name, _("Give a whole number from %(low)d to %(high)d.", low=low, high=high)
                )
            )
            return low
        return value

    name = str(form.get("name") or "").strip()[:200]
    if not name:
        problems.append(Problem("name", _("Give the scenario a name.")))
    scenario = engine.Scenario(
        days=number("days", 1, engine.MAX_DAYS, 14), stay=number("stay", 1, 60, 10),
        spread=str(form.get("spread", "1")) == "1",
    )  # fmt: skip
    for k in range(3):
        if str(form.get(f"arrivals_per_day-{k}", "") or "").strip():
            airport = form.get(f"arrivals_airport-{k}") or "EIN"
            _name, lat, lon = AIRPORTS.get(airport, AIRPORTS["EIN"])
            category = form.get(f"arrivals_category-{k}") or "clinical"
            if category not in CATEGORIES:
                problems.append(Problem(f"arrivals_category-{k}", _("Choose a bed category.")))
            scenario.arrivals.append(engine.Arrivals(
                category=category, per_day=number(f"arrivals_per_day-{k}", 1, 500),
                days=number(f"arrivals_days-{k}", 1, engine.MAX_DAYS, 7),
                start=number(f"arrivals_start-{k}", 1, engine.MAX_DAYS, 1), lat=lat, lon=lon))  # fmt: skip
        if str(form.get(f"loss_beds-{k}", "") or "").strip():
            scenario.losses.append(engine.BedLoss(
                region=str(form.get(f"loss_region-{k}") or ""), category=form.get(f"loss_category-{k}") or "ic",
                beds=number(f"loss_beds-{k}", 1, 5000), start=number(f"loss_start-{k}", 1, engine.MAX_DAYS, 1)))  # fmt: skip
        if str(form.get(f"domestic_per_day-{k}", "") or "").strip():
            scenario.domestic.append(engine.Domestic(
                region=str(form.get(f"domestic_region-{k}") or ""), category=form.get(f"domestic_category-{k}") or "ic",
                per_day=number(f"domestic_per_day-{k}", 1, 200), days=number(f"domestic_days-{k}", 1, engine.MAX_DAYS, 7),
                start=number(f"domestic_start-{k}", 1, engine.MAX_DAYS, 1)))  # fmt: skip
    if problems:
        raise InvalidInput(problems)
    return name, scenario


def run(actor: User, name: str, scenario: engine.Scenario, shared: bool = False) -> Scenario:
    if not actor.has_role(*PLANNERS):
        raise Forbidden(_("Only coordinators make scenarios."))
    regions = _regions(scenario.days)
    codes = {r.code for r in regions}
    bad = [x for x in [*scenario.losses, *scenario.domestic] if x.region not in codes]
    if bad:
        raise InvalidInput([Problem("region", _("Choose a region."))])
    projection = engine.project(regions, scenario, utcnow().date())
    record = Scenario(name=name, user_id=actor.id, shared=shared, params=asdict(scenario),
                      result=projection.to_json())  # fmt: skip
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "scenario.made", record, name=name)
    db.session.commit()
    return record


def visible(user: User) -> list[Scenario]:
    query = select(Scenario).order_by(Scenario.created_at.desc(), Scenario.id.desc())
    if not user.has_role(*PLANNERS, Role.VIEWER):
        query = query.where(Scenario.shared)
    return list(db.session.scalars(query.limit(50)))


def get(user: User, scenario_id: int) -> Scenario:
    record = db.session.get(Scenario, scenario_id)
    if record is None or (not record.shared and not user.has_role(*PLANNERS, Role.VIEWER)):
        raise NotFound(_("No scenario %(id)s.", id=scenario_id))
    return record


def set_shared(actor: User, scenario_id: int, shared: bool) -> Scenario:
    if not actor.has_role(*PLANNERS):
        raise Forbidden(_("Only coordinators share scenarios."))
    record = get(actor, scenario_id)
    record.shared = shared
    audit.record(actor, "scenario.shared" if shared else "scenario.unshared", record)
    db.session.commit()
    return record


def summary(record: Scenario) -> list[dict]:
    """Per region and category: peak occupancy and the first day above 90, 95 and 100 %."""
    days = [date.fromisoformat(d) for d in record.result["days"]]
    rows = []
    for s in record.result["series"]:
        fractions = [
            o / c if c else None for o, c in zip(s["occupied"], s["capacity"], strict=True)
        ]
        known = [f for f in fractions if f is not None]
        if not known:
            continue
        crossing = {t: (days[d] if d is not None else None) for t, d in s["crossings"].items()}
        rows.append({"region": s["region"], "category": s["category"], "peak": max(known),
                     "crossing": crossing})  # fmt: skip
    return sorted(rows, key=lambda r: (-r["peak"], r["region"], r["category"]))
