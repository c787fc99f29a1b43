"""The exact solver: a mixed-integer programme solved by HiGHS (through scipy.optimize.milp).

Most of the problem is a transportation problem with convex costs, and the model keeps that
shape: identical patients share one integer variable per hospital (so 1000 patients of a few
kinds make a few thousand variables, not 88 000), and the convex regional load term becomes
unit increments s[r,c,k] in [0,1] with increasing cost, which an optimum fills in order, so no
integer variable is needed for it. Only groups need binaries (one hospital for all, or none).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from evac.placement import greedy
from evac.placement.explain import explain
from evac.placement.instance import Instance
from evac.placement.model import Model, build
from evac.placement.objective import objective
from evac.placement.result import Result


def solve(instance: Instance, time_limit: float | None = None) -> Result:
    """The optimal assignment, proven (status `optimal`); with a time limit, the best found
    (status `feasible`)."""
    started = time.perf_counter()
    model = build(instance)
    program = _Program(model)
    options = {"disp": False, "mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = max(0.05, time_limit - (time.perf_counter() - started))
    res = milp(
        program.cost,
        constraints=LinearConstraint(program.matrix(), program.lower, program.upper),
        integrality=program.integrality,
        bounds=Bounds(program.lb, program.ub),
        options=options,
    )
    if res.x is None:
        # No solution within the limit: fall back on the baseline, honestly labelled.
        fallback = greedy.solve_greedy(instance)
        fallback.seconds = time.perf_counter() - started
        return fallback
    assignment = program.assignment(np.round(res.x).astype(int))
    status = "optimal" if res.status == 0 else "feasible"
    return Result(
        assignment=assignment,
        objective=objective(instance, assignment),
        status=status,
        seconds=time.perf_counter() - started,
        details=explain(model, assignment),
    )


class _Program:
    """min cost·v subject to lower <= A v <= upper, lb <= v <= ub, some v integer."""

    def __init__(self, model: Model):
        self.model = model
        inst = model.instance
        hospitals = inst.hospitals
        self.cost: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integrality: list[int] = []
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

        def var(cost: float, lb: float, ub: float, integer: bool) -> int:
            self.cost.append(cost)
            self.lb.append(lb)
            self.ub.append(ub)
            self.integrality.append(1 if integer else 0)
            return len(self.cost) - 1

        def row(lower: float, upper: float) -> int:
            self.lower.append(lower)
            self.upper.append(upper)
            return len(self.lower) - 1

        def put(r: int, c: int, v: float) -> None:
            rows.append(r)
            cols.append(c)
            vals.append(v)

        self.placements: list[list[tuple[int, int]]] = []  # per unit: (hospital, variable)
        beds: dict[tuple[int, str], list[tuple[int, int]]] = {}
        isolation: dict[int, list[tuple[int, int]]] = {}
        airborne: dict[int, list[tuple[int, int]]] = {}
        in_region: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for u, unit in enumerate(model.units):
            r = row(unit.size, unit.size)  # every placement is made or left
            put(r, var(unit.penalty, 0, unit.size, True), 1)
            mine = []
            for j in model.candidates[u]:
                h = hospitals[j]
                cap = (
                    unit.size
                    if unit.is_group
                    else min(unit.size, h.free(unit.patients[0].category))
                )
                if not unit.is_group and unit.isolation:
                    cap = min(cap, h.isolation_free)
                if not unit.is_group and unit.airborne:
                    cap = min(cap, h.airborne_free)
                v = var(model.distance[u][j], 0, 1 if unit.is_group else cap, True)
                put(r, v, 1)
                mine.append((j, v))
                for c, n in unit.categories.items():
                    beds.setdefault((j, c), []).append((v, n))
                    in_region.setdefault((h.region, c), []).append((v, n))
                if unit.isolation:
                    isolation.setdefault(j, []).append((v, unit.isolation))
                if unit.airborne:
                    airborne.setdefault(j, []).append((v, unit.airborne))
            self.placements.append(mine)
        for (j, c), terms in beds.items():
            r = row(-np.inf, hospitals[j].free(c))
            for v, n in terms:
                put(r, v, n)
        for j, terms in isolation.items():
            r = row(-np.inf, hospitals[j].isolation_free)
            for v, n in terms:
                put(r, v, n)
        for j, terms in airborne.items():
            r = row(-np.inf, hospitals[j].airborne_free)
            for v, n in terms:
                put(r, v, n)
        load = inst.weights.load
        free_in: dict[tuple[str, str], int] = {}
        for h in hospitals:
            for c in h.capacity:
                free_in[(h.region, c)] = free_in.get((h.region, c), 0) + h.free(c)
        demand: dict[str, int] = {}
        for unit in model.units:
            for c, n in unit.categories.items():
                demand[c] = demand.get(c, 0) + n * (unit.size if not unit.is_group else 1)
        for (region, c), terms in in_region.items():
            r = row(0, 0)  # patients placed in the region = increments used
            for v, n in terms:
                put(r, v, n)
            occupied, capacity = (
                model.occupied.get((region, c), 0),
                model.capacity.get((region, c), 0),
            )
            for k in range(1, min(demand[c], free_in.get((region, c), 0)) + 1):
                put(r, var(load * (occupied + k) / capacity, 0, 1, False), -1)
        self.rows, self.cols, self.vals = rows, cols, vals

    def matrix(self):
        shape = (len(self.lower), len(self.cost))
        return coo_matrix((self.vals, (self.rows, self.cols)), shape=shape).tocsr()

    def assignment(self, values: np.ndarray) -> dict[str, str | None]:
        hospitals = self.model.instance.hospitals
        out: dict[str, str | None] = {p.id: None for p in self.model.instance.patients}
        for unit, mine in zip(self.model.units, self.placements, strict=True):
            queue = list(unit.patients)
            for j, v in sorted(mine, key=lambda jv: hospitals[jv[0]].id):
                count = int(values[v])
                if unit.is_group and count:
                    for p in unit.patients:
                        out[p.id] = hospitals[j].id
                elif not unit.is_group:
                    for p in queue[:count]:
                        out[p.id] = hospitals[j].id
                    queue = queue[count:]
        return out
