"""Scenarios: what if a flight of 30 arrives every day for a week, a region loses beds, or more
domestic transfers are asked for? Day by day, for up to 28 days, each region's occupancy per
category: the forecast, plus the scenario's patients placed by the placement engine (regions as
the units it fills, as the spreading engine counts them), moved between regions by the spreading
engine within the transport each region has, and discharged after their stay. Pure: the caller
hands in the regions, their beds, the forecasts and the transport; no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

THRESHOLDS = (0.90, 0.95, 1.00)
MAX_DAYS = 28


@dataclass
class Region:
    code: str
    lat: float
    lon: float
    capacity: dict[str, int]
    # forecast occupied beds per category for day 1..days (day 0 is today, known)
    baseline: dict[str, list[float]]
    micu: int = 0
    ambulances: int = 0


@dataclass
class Arrivals:
    category: str
    per_day: int
    days: int
    start: int = 1  # first day (1 = tomorrow)
    lat: float = 51.45  # where they land: Eindhoven Airport by default
    lon: float = 5.37


@dataclass
class BedLoss:
    region: str
    category: str
    beds: int
    start: int = 1


@dataclass
class Domestic:
    region: str
    category: str
    per_day: int
    days: int
    start: int = 1


@dataclass
class Scenario:
    days: int = 14
    stay: int = 10  # days a scenario patient stays in hospital
    arrivals: list[Arrivals] = field(default_factory=list)
    losses: list[BedLoss] = field(default_factory=list)
    domestic: list[Domestic] = field(default_factory=list)
    spread: bool = True


@dataclass
class Projection:
    days: list[date]
    # (region, category) -> per day: occupied, capacity
    occupied: dict[tuple[str, str], list[float]]
    capacity: dict[tuple[str, str], list[int]]
    # (region, category) -> {threshold: first day index crossing it, or None}
    crossings: dict[tuple[str, str], dict[float, int | None]]
    # per day: ambulance and MICU rides the scenario needs (arrivals and moves)
    rides: list[dict[str, int]]
    unplaced: list[int]

    def to_json(self) -> dict[str, Any]:
        return {
            "days": [d.isoformat() for d in self.days],
            "series": [
                {
                    "region": r,
                    "category": c,
                    "occupied": [round(v, 1) for v in self.occupied[(r, c)]],
                    "capacity": self.capacity[(r, c)],
                    "crossings": {f"{t:.2f}": d for t, d in self.crossings[(r, c)].items()},
                }
                for r, c in sorted(self.occupied)
            ],  # fmt: skip
            "rides": self.rides,
            "unplaced": self.unplaced,
        }


def project(regions: list[Region], scenario: Scenario, today: date) -> Projection:
    from evac import placement, spreading

    days = min(MAX_DAYS, max(1, scenario.days))
    categories = sorted({c for r in regions for c in r.capacity})
    # patients the scenario put in each region, by the day they leave
    extra: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (days + scenario.stay + 2))
    occupied: dict[tuple[str, str], list[float]] = defaultdict(list)
    capacity: dict[tuple[str, str], list[int]] = defaultdict(list)
    rides, unplaced = [], []
    for d in range(1, days + 1):
        cap = {(r.code, c): max(0, r.capacity.get(c, 0) - sum(
            loss.beds for loss in scenario.losses
            if loss.region == r.code and loss.category == c and d >= loss.start))
            for r in regions for c in categories}  # fmt: skip
        base = {(r.code, c): (r.baseline.get(c) or [0.0])[min(d, len(r.baseline.get(c) or [0.0])) - 1]
                for r in regions for c in categories}  # fmt: skip

        def load(key, d=d, base=base):
            return base[key] + sum(extra[key][d:])

        # The day's new patients, placed by the placement engine over the regions.
        patients = []
        for k, a in enumerate(scenario.arrivals):
            if a.start <= d < a.start + a.days:
                patients += [{"id": f"A{k}-{i}", "category": a.category, "priority": 2,
                              "origin": {"lat": a.lat, "lon": a.lon}} for i in range(a.per_day)]  # fmt: skip
        for k, m in enumerate(scenario.domestic):
            if m.start <= d < m.start + m.days:
                home = next((r for r in regions if r.code == m.region), None)
                origin = {"lat": home.lat, "lon": home.lon} if home else None
                patients += [{"id": f"D{k}-{i}", "category": m.category, "priority": 2,
                              **({"origin": origin} if origin else {}),
                              "exclude_regions": [m.region]} for i in range(m.per_day)]  # fmt: skip
        day_rides = {"ambulance": 0, "micu": 0}
        left = 0
        if patients:
            instance = {
                "origin": {"lat": 51.45, "lon": 5.37},
                "hospitals": [
                    {
                        "id": r.code,
                        "region": r.code,
                        "lat": r.lat,
                        "lon": r.lon,
                        "capacity": {c: cap[(r.code, c)] for c in categories},
                        "occupied": {
                            c: min(cap[(r.code, c)], round(load((r.code, c)))) for c in categories
                        },
                    }
                    for r in regions
                ],  # fmt: skip
                "patients": patients,
            }
            result = placement.solve(placement.parse_instance(instance), time_limit=10)
            for p in patients:
                target = result.assignment.get(p["id"])
                if target is None:
                    left += 1
                    continue
                extra[(target, p["category"])][
                    min(d + scenario.stay, len(extra[(target, p["category"])]) - 1)
                ] += 1
                day_rides["micu" if p["category"] in ("ic", "picu") else "ambulance"] += 1
        # Then the spreading engine evens the regions out within their crews.
        if scenario.spread:
            units = [{"code": r.code, "lat": r.lat, "lon": r.lon,
                      "beds": {c: {"capacity": cap[(r.code, c)], "occupied": max(0, round(load((r.code, c))))}
                               for c in categories},
                      "send": {c: (r.micu if c in ("ic", "picu") else r.ambulances // max(1, len(categories) - 1))
                               for c in categories}} for r in regions]  # fmt: skip
            plan = spreading.solve(spreading.parse_instance({"units": units}), time_limit=10)
            for m in plan.moves:
                # a moved patient frees a bed at home and takes one elsewhere for a stay
                extra[(m.source, m.category)][min(d + scenario.stay, days + scenario.stay + 1)] -= (
                    m.patients
                )
                extra[(m.target, m.category)][min(d + scenario.stay, days + scenario.stay + 1)] += (
                    m.patients
                )
                day_rides["micu" if m.category in ("ic", "picu") else "ambulance"] += m.patients
        for key in cap:
            occupied[key].append(load(key))
            capacity[key].append(cap[key])
        rides.append(day_rides)
        unplaced.append(left)
    crossings = {
        key: {
            t: next(
                (
                    i
                    for i, (o, c) in enumerate(zip(occupied[key], capacity[key], strict=True))
                    if c and o / c >= t
                ),
                None,
            )
            for t in THRESHOLDS
        }  # fmt: skip
        for key in occupied
    }
    return Projection(
        days=[today + timedelta(days=d) for d in range(1, days + 1)],
        occupied=dict(occupied),
        capacity=dict(capacity),
        crossings=crossings,
        rides=rides,
        unplaced=unplaced,
    )
