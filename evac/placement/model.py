"""What both solvers share: patients gathered into units (a group, or identical patients),
the hospitals each unit may go to, distances, and the regional totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from evac.placement.instance import Hospital, Instance, Patient
from evac.placement.objective import haversine_km, load_cost, region_totals


@dataclass
class Unit:
    """Patients placed together: a group (all in one hospital or none), or identical patients
    without a group (each placed on its own, interchangeable)."""

    patients: list[Patient]
    is_group: bool
    categories: Counter = field(default_factory=Counter)  # category -> patients per placement
    isolation: int = 0  # isolation patients per placement (single rooms)
    penalty: float = 0.0  # cost of leaving one placement's worth unplaced
    priority: int = 3
    airborne: int = 0  # airborne-isolation patients per placement (negative-pressure rooms)

    @property
    def size(self) -> int:
        """How many placements: 1 for a group, the number of patients otherwise."""
        return 1 if self.is_group else len(self.patients)


@dataclass
class Model:
    instance: Instance
    units: list[Unit]
    candidates: list[list[int]]  # per unit: hospital indices it may go to
    distance: list[dict[int, float]]  # per unit: hospital index -> distance cost per placement
    capacity: dict[tuple[str, str], int]
    occupied: dict[tuple[str, str], int]

    def load(self, region: str, category: str, n: int) -> float:
        key = (region, category)
        return load_cost(
            self.instance.weights.load, self.occupied.get(key, 0), self.capacity.get(key, 0), n
        )


def build(instance: Instance) -> Model:
    w = instance.weights
    units: list[Unit] = []
    groups: dict[str, list[Patient]] = {}
    singles: dict[tuple, list[Patient]] = {}
    for p in instance.patients:
        if p.group is not None:
            groups.setdefault(p.group, []).append(p)
        else:
            origin = instance.origin_of(p)
            key = (p.category, p.priority, p.isolation, p.airborne, origin.lat, origin.lon, p.exclude_regions,
                   p.exclude_hospitals)  # fmt: skip
            singles.setdefault(key, []).append(p)
    for members in groups.values():
        members.sort(key=lambda p: p.id)
        units.append(
            Unit(members, True, Counter(p.category for p in members), sum(p.isolation for p in members),
                 sum(w.unplaced[p.priority] for p in members), min(p.priority for p in members),
                 sum(p.airborne for p in members))
        )  # fmt: skip
    for members in singles.values():
        members.sort(key=lambda p: p.id)
        p = members[0]
        units.append(
            Unit(
                members,
                False,
                Counter({p.category: 1}),
                int(p.isolation),
                w.unplaced[p.priority],
                p.priority,
                int(p.airborne),
            )
        )
    units.sort(key=lambda u: (u.priority, u.patients[0].id))
    hospitals = instance.hospitals
    candidates, distance = [], []
    for unit in units:
        excluded = frozenset().union(*(p.exclude_regions for p in unit.patients))
        declined = frozenset().union(*(p.exclude_hospitals for p in unit.patients))
        fits = [
            j for j, h in enumerate(hospitals)
            if h.region not in excluded and h.id not in declined
            and all(h.free(c) >= n for c, n in unit.categories.items())
            and h.isolation_free >= unit.isolation
            and h.airborne_free >= unit.airborne
        ]  # fmt: skip
        candidates.append(fits)
        distance.append({j: _distance_cost(instance, unit, hospitals[j]) for j in fits})
    capacity, occupied = region_totals(instance)
    return Model(instance, units, candidates, distance, dict(capacity), dict(occupied))


def _distance_cost(instance: Instance, unit: Unit, hospital: Hospital) -> float:
    w = instance.weights.distance_per_km
    members = unit.patients if unit.is_group else unit.patients[:1]
    return sum(w * haversine_km(instance.origin_of(p), hospital.location) for p in members)
