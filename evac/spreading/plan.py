"""A spreading plan: moves, the objective any checker can recompute from them, feasibility, and
the JSON of ../shared/specs/spreading.md."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from evac.spreading.instance import Instance, km


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    category: str
    patients: int

    def to_json(self, instance: Instance) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "category": self.category,
            "patients": self.patients,
            "km": round(km(instance.unit(self.source), instance.unit(self.target)), 1),
        }


@dataclass
class Plan:
    status: str  # optimal (proven) or feasible
    objective: float
    seconds: float
    moves: list[Move]
    units: list[dict[str, Any]]
    # structured reasons (see evac.spreading.explain); sentences from them
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def explanations(self) -> list[str]:
        from evac.spreading.explain import sentence

        return [sentence(d) for d in self.details]

    def to_json(self, instance: Instance) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": round(self.objective, 6),
            "seconds": round(self.seconds, 4),
            "moves": [m.to_json(instance) for m in self.moves],
            "units": self.units,
            "explanations": self.explanations,
            "details": self.details,
        }


def after(instance: Instance, moves: list[Move]) -> dict[tuple[str, str], int]:
    """Occupied beds per (unit, category) once the moves are made."""
    occupied = {(u.code, c): occ for u in instance.units for c, (_cap, occ) in u.beds.items()}
    for m in moves:
        occupied[(m.source, m.category)] = occupied.get((m.source, m.category), 0) - m.patients
        occupied[(m.target, m.category)] = occupied.get((m.target, m.category), 0) + m.patients
    return occupied


def load_cost(n: int, capacity: int) -> float:
    """L(n, cap) = Σ_{k=1..n} k / cap."""
    return n * (n + 1) / (2 * capacity) if n > 0 else 0.0


def objective(instance: Instance, moves: list[Move]) -> float:
    """The spec's objective, recomputed from the moves alone."""
    w = instance.weights
    occupied = after(instance, moves)
    total = 0.0
    for u in instance.units:
        for c, (capacity, _occ) in u.beds.items():
            if capacity > 0:
                total += w.load * load_cost(occupied[(u.code, c)], capacity)
    codes = {u.code: u for u in instance.units}
    for m in moves:
        total += m.patients * (w.per_transfer + w.per_km * km(codes[m.source], codes[m.target]))
    return total


def problems(instance: Instance, moves: list[Move]) -> list[dict[str, Any]]:
    """Where the moves break the spec's constraints (empty: the plan is feasible), as codes with
    their figures, for the web layer to put in words."""
    codes = {u.code: u for u in instance.units}
    found: list[dict[str, Any]] = []
    out: dict[tuple[str, str], int] = defaultdict(int)
    into: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        if m.source not in codes or m.target not in codes or m.source == m.target:
            found.append({"code": "unknown_unit", "from": m.source, "to": m.target})
            continue
        if m.patients < 0:
            found.append({"code": "negative", "from": m.source, "to": m.target})
        out[(m.source, m.category)] += m.patients
        into[(m.target, m.category)] += m.patients
    occupied = after(instance, [m for m in moves if m.source in codes and m.target in codes])
    for (code, c), n in out.items():
        u = codes[code]
        if u.capacity(c) == 0 and n:
            found.append({"code": "no_beds", "unit": code, "category": c})
        elif n > min(u.send.get(c, 0), u.occupied(c)):
            found.append({"code": "send_limit", "unit": code, "category": c, "patients": n,
                          "limit": min(u.send.get(c, 0), u.occupied(c))})  # fmt: skip
    for (code, c), n in into.items():
        u = codes[code]
        if u.capacity(c) == 0 and n:
            found.append({"code": "no_beds", "unit": code, "category": c})
            continue
        limit = u.receive.get(c)
        if limit is not None and n > limit:
            found.append({"code": "receive_limit", "unit": code, "category": c, "patients": n,
                          "limit": limit})  # fmt: skip
        if occupied[(code, c)] > max(u.capacity(c), u.occupied(c)):
            found.append({"code": "over_capacity", "unit": code, "category": c,
                          "after": occupied[(code, c)], "capacity": u.capacity(c)})  # fmt: skip
    return found


def unit_rows(instance: Instance, moves: list[Move]) -> list[dict[str, Any]]:
    """Every unit and category it lists, with occupancy before and after (omitted at capacity 0)."""
    occupied = after(instance, moves)
    rows = []
    for u in instance.units:
        for c, (capacity, occ) in u.beds.items():
            row: dict[str, Any] = {"code": u.code, "category": c}
            if capacity > 0:
                row["before"] = round(occ / capacity, 4)
                row["after"] = round(occupied[(u.code, c)] / capacity, 4)
            rows.append(row)
    return rows


@dataclass
class Evaluation:
    objective: float
    problems: list[dict[str, Any]]
    units: list[dict[str, Any]]

    @property
    def feasible(self) -> bool:
        return not self.problems


def evaluate(instance: Instance, moves: list[Move]) -> Evaluation:
    """Score a plan a coordinator changed by hand: the objective, what it breaks, occupancy."""
    moves = [m for m in moves if m.patients]
    return Evaluation(
        objective(instance, moves), problems(instance, moves), unit_rows(instance, moves)
    )
