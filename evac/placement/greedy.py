"""The baseline: most urgent first, each (or each group) to the hospital where it adds least to
the objective right now. Fast and simple, and measurably worse than the optimum (bench/)."""

from __future__ import annotations

import time
from collections import Counter

from evac.placement.explain import explain
from evac.placement.instance import Instance
from evac.placement.model import build
from evac.placement.objective import objective
from evac.placement.result import Result


def solve_greedy(instance: Instance) -> Result:
    started = time.perf_counter()
    model = build(instance)
    hospitals = instance.hospitals
    used: Counter = Counter()  # (hospital index, category) -> beds taken
    rooms: Counter = Counter()  # hospital index -> isolation rooms taken
    negative: Counter = Counter()  # hospital index -> negative-pressure rooms taken
    placed: Counter = Counter()  # (region, category) -> patients placed
    assignment: dict[str, str | None] = {p.id: None for p in instance.patients}
    for u, unit in enumerate(model.units):
        for patient_batch in _placements(unit):
            best, best_cost = None, unit.penalty
            for j in model.candidates[u]:
                h = hospitals[j]
                if any(used[(j, c)] + n > h.free(c) for c, n in unit.categories.items()):
                    continue
                if rooms[j] + unit.isolation > h.isolation_free:
                    continue
                if negative[j] + unit.airborne > h.airborne_free:
                    continue
                cost = model.distance[u][j] + sum(
                    model.load(h.region, c, placed[(h.region, c)] + n)
                    - model.load(h.region, c, placed[(h.region, c)])
                    for c, n in unit.categories.items()
                )
                if cost < best_cost - 1e-9 or (
                    best is not None and abs(cost - best_cost) <= 1e-9 and h.id < hospitals[best].id
                ):
                    best, best_cost = j, cost
            if best is None:
                continue
            h = hospitals[best]
            for c, n in unit.categories.items():
                used[(best, c)] += n
                placed[(h.region, c)] += n
            rooms[best] += unit.isolation
            negative[best] += unit.airborne
            for p in patient_batch:
                assignment[p.id] = h.id
    return Result(
        assignment=assignment,
        objective=objective(instance, assignment),
        status="feasible",
        seconds=time.perf_counter() - started,
        details=explain(model, assignment),
    )


def _placements(unit):
    """A group is placed at once; identical patients one by one."""
    if unit.is_group:
        return [unit.patients]
    return [[p] for p in unit.patients]
