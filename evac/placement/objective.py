"""The objective of ../shared/specs/placement.md, computed from an assignment: the checker that
every solver's answer is measured by, and the feasibility rules."""

from __future__ import annotations

import math
from collections import Counter

from evac.placement.instance import Instance, Point

EARTH_RADIUS_KM = 6371.0


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance on a sphere of radius 6371.0 km."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def region_totals(instance: Instance) -> tuple[dict, dict]:
    """capacity(r, c) and occupied(r, c): sums over the hospitals of each region."""
    capacity: Counter = Counter()
    occupied: Counter = Counter()
    for h in instance.hospitals:
        for c, n in h.capacity.items():
            capacity[(h.region, c)] += n
        for c, n in h.occupied.items():
            occupied[(h.region, c)] += n
    return capacity, occupied


def load_cost(load: float, occupied: int, capacity: int, n: int) -> float:
    """load × Σ_{k=1..n} (occupied + k) / capacity."""
    if n == 0:
        return 0.0
    if capacity <= 0:
        return math.inf
    return load * (n * occupied + n * (n + 1) / 2) / capacity


def objective(instance: Instance, assignment: dict[str, str | None]) -> float:
    """The spec's objective for an assignment (patient id -> hospital id or None)."""
    w = instance.weights
    hospitals = {h.id: h for h in instance.hospitals}
    capacity, occupied = region_totals(instance)
    total = 0.0
    placed: Counter = Counter()
    for p in instance.patients:
        hid = assignment.get(p.id)
        if hid is None:
            total += w.unplaced[p.priority]
            continue
        h = hospitals[hid]
        total += w.distance_per_km * haversine_km(instance.origin_of(p), h.location)
        placed[(h.region, p.category)] += 1
    for key, n in placed.items():
        total += load_cost(w.load, occupied[key], capacity[key], n)
    return total


def check_feasible(instance: Instance, assignment: dict[str, str | None]) -> list[str]:
    """Every constraint the assignment breaks, in words; empty when feasible."""
    problems = []
    hospitals = {h.id: h for h in instance.hospitals}
    ids = {p.id for p in instance.patients}
    if set(assignment) != ids:
        problems.append("the assignment does not name every patient exactly once")
    used: Counter = Counter()
    isolation: Counter = Counter()
    airborne: Counter = Counter()
    groups: dict[str, set] = {}
    for p in instance.patients:
        hid = assignment.get(p.id)
        if p.group is not None:
            groups.setdefault(p.group, set()).add(hid)
        if hid is None:
            continue
        if hid not in hospitals:
            problems.append(f"{p.id}: unknown hospital {hid}")
            continue
        if hospitals[hid].region in p.exclude_regions:
            problems.append(f"{p.id}: placed in excluded region {hospitals[hid].region}")
        if hid in p.exclude_hospitals:
            problems.append(f"{p.id}: placed at {hid}, which it must not go to")
        used[(hid, p.category)] += 1
        if p.isolation:
            isolation[hid] += 1
        if p.airborne:
            airborne[hid] += 1
    for (hid, c), n in used.items():
        if n > hospitals[hid].free(c):
            problems.append(f"{hid}: {n} patients of {c} for {hospitals[hid].free(c)} free beds")
    for hid, n in isolation.items():
        if n > hospitals[hid].isolation_free:
            problems.append(
                f"{hid}: {n} isolation patients for {hospitals[hid].isolation_free} rooms"
            )
    for hid, n in airborne.items():
        if n > hospitals[hid].airborne_free:
            problems.append(
                f"{hid}: {n} airborne-isolation patients for "
                f"{hospitals[hid].airborne_free} negative-pressure rooms"
            )
    for g, where in groups.items():
        if len(where) > 1:
            problems.append(f"group {g} is split over {sorted(map(str, where))}")
    return problems
