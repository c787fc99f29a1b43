"""The spreading problem of ../shared/specs/spreading.md: reading and checking an instance.

A missing or ill-typed key is an InstanceError naming where it is
(`units[3].beds.ic.capacity: expected an integer >= 0`); unknown keys are ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

EARTH_RADIUS_KM = 6371.0


class InstanceError(ValueError):
    """The instance does not follow the spec."""


@dataclass(frozen=True)
class Weights:
    load: float = 100.0
    per_transfer: float = 5.0
    per_km: float = 0.05


@dataclass(frozen=True)
class Unit:
    code: str
    lat: float
    lon: float
    # category -> (capacity, occupied)
    beds: dict[str, tuple[int, int]]
    send: dict[str, int] = field(default_factory=dict)
    # category -> limit; absent means unlimited
    receive: dict[str, int] = field(default_factory=dict)

    def capacity(self, category: str) -> int:
        return self.beds.get(category, (0, 0))[0]

    def occupied(self, category: str) -> int:
        return self.beds.get(category, (0, 0))[1]

    def can_send(self, category: str) -> int:
        """At most this many of the category can leave today (rule 1 and rule 4)."""
        if self.capacity(category) == 0:
            return 0
        return min(self.send.get(category, 0), self.occupied(category))

    def room(self, category: str) -> int:
        """At most this many can arrive today (rules 2, 3 and 4), for a unit that sends none."""
        capacity, occupied = self.beds.get(category, (0, 0))
        if capacity == 0:
            return 0
        free = max(0, capacity - occupied)
        limit = self.receive.get(category)
        return free if limit is None else min(free, limit)


@dataclass(frozen=True)
class Instance:
    weights: Weights
    units: tuple[Unit, ...]

    @property
    def categories(self) -> list[str]:
        seen: dict[str, None] = {}
        for unit in self.units:
            for c in unit.beds:
                seen.setdefault(c, None)
        return list(seen)

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": {
                "load": self.weights.load,
                "per_transfer": self.weights.per_transfer,
                "per_km": self.weights.per_km,
            },
            "units": [
                {
                    "code": u.code,
                    "lat": u.lat,
                    "lon": u.lon,
                    "beds": {
                        c: {"capacity": cap, "occupied": occ} for c, (cap, occ) in u.beds.items()
                    },
                    "send": dict(u.send),
                    "receive": dict(u.receive),
                }
                for u in self.units
            ],
        }


def km(a: Unit, b: Unit) -> float:
    """Great-circle distance on a sphere of radius 6371.0 km (the spec's haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _number(value: Any, path: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InstanceError(f"{path}: expected a number")
    if minimum is not None and value < minimum:
        raise InstanceError(f"{path}: expected a number >= {minimum:g}")
    return float(value)


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        raise InstanceError(f"{path}: expected an integer >= 0")
    return value


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise InstanceError(f"{path}: expected an object")
    return value


def _counts(value: Any, path: str) -> dict[str, int]:
    if value is None:
        return {}
    return {str(c): _count(n, f"{path}.{c}") for c, n in _object(value, path).items()}


def parse_instance(data: Any) -> Instance:
    """The instance, or InstanceError naming the first offending path."""
    root = _object(data, "instance")
    raw_weights = _object(root.get("weights", {}), "weights")
    defaults = Weights()
    weights = Weights(
        **{
            name: _number(raw_weights.get(name, getattr(defaults, name)), f"weights.{name}", 0)
            for name in ("load", "per_transfer", "per_km")
        }
    )
    raw_units = root.get("units")
    if not isinstance(raw_units, list):
        raise InstanceError("units: expected a list")
    units = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_units):
        path = f"units[{i}]"
        raw = _object(raw, path)
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            raise InstanceError(f"{path}.code: expected a non-empty string")
        if code in seen:
            raise InstanceError(f"{path}.code: {code!r} appears twice")
        seen.add(code)
        lat = _number(raw.get("lat"), f"{path}.lat")
        lon = _number(raw.get("lon"), f"{path}.lon")
        if not -90 <= lat <= 90:
            raise InstanceError(f"{path}.lat: expected a latitude from -90 to 90")
        if not -180 <= lon <= 180:
            raise InstanceError(f"{path}.lon: expected a longitude from -180 to 180")
        beds = {}
        for c, figures in _object(raw.get("beds", {}), f"{path}.beds").items():
            fpath = f"{path}.beds.{c}"
            figures = _object(figures, fpath)
            beds[str(c)] = (
                _count(figures.get("capacity"), f"{fpath}.capacity"),
                _count(figures.get("occupied"), f"{fpath}.occupied"),
            )
        units.append(
            Unit(
                code=code,
                lat=lat,
                lon=lon,
                beds=beds,
                send=_counts(raw.get("send"), f"{path}.send"),
                receive=_counts(raw.get("receive"), f"{path}.receive"),
            )
        )
    return Instance(weights=weights, units=tuple(units))
