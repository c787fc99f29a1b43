"""The placement problem of ../shared/specs/placement.md: reading and checking an instance.

Unknown keys are ignored; a missing or ill-typed required key is an InstanceError whose message
names where it is (`hospitals[3].lat: expected a number`). Two compatible extensions: a patient
may carry `exclude_regions`, regions it must not be placed in (a domestic transfer leaves its
own region; a return goes back to one region only), and `exclude_hospitals`, hospitals it must
not be placed in (they declined it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

DEFAULT_WEIGHTS = {
    "distance_per_km": 1.0,
    "load": 100.0,
    "unplaced": {1: 10000.0, 2: 5000.0, 3: 2000.0},
}


class InstanceError(ValueError):
    """The instance does not follow the spec."""


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Weights:
    distance_per_km: float = 1.0
    load: float = 100.0
    unplaced: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS["unplaced"]))


# A patient's `isolation`: what room it takes. "droplet" is evac's compatible extension (a
# single room, like contact); "none" reads as false.
ISOLATION_VALUES = {
    False: None, "none": None, True: "room", "contact": "room", "droplet": "room",
    "airborne": "airborne",
}  # fmt: skip


@dataclass(frozen=True)
class Hospital:
    id: str
    region: str
    location: Point
    capacity: dict[str, int]
    occupied: dict[str, int]
    isolation_free: int = 0
    # Negative-pressure rooms free, for airborne isolation ("Isolation kinds" in the spec).
    airborne_free: int = 0

    def free(self, category: str) -> int:
        return max(0, self.capacity.get(category, 0) - self.occupied.get(category, 0))


@dataclass(frozen=True)
class Patient:
    id: str
    category: str
    priority: int = 3
    isolation: bool = False  # a single room (contact or droplet isolation)
    airborne: bool = False  # a negative-pressure room
    group: str | None = None
    origin: Point | None = None
    exclude_regions: frozenset[str] = frozenset()
    exclude_hospitals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Instance:
    origin: Point | None
    weights: Weights
    hospitals: tuple[Hospital, ...]
    patients: tuple[Patient, ...]

    def origin_of(self, patient: Patient) -> Point:
        return patient.origin or self.origin  # type: ignore[return-value]  (checked on parse)

    def regions(self) -> dict[str, list[Hospital]]:
        out: dict[str, list[Hospital]] = {}
        for h in self.hospitals:
            out.setdefault(h.region, []).append(h)
        return out


# ---------------------------------------------------------------------------------------------


def _fail(path: str, message: str) -> InstanceError:
    return InstanceError(f"{path}: {message}")


def _obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "expected an object")
    return value


def _num(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, "expected a number")
    return float(value)


def _int(value: Any, path: str, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _fail(path, "expected a whole number")
    n = int(value)
    if n < low or (high is not None and n > high):
        raise _fail(
            path, f"expected a whole number from {low}" + (f" to {high}" if high else " up")
        )
    return n


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(path, "expected a non-empty string")
    return value


def _point(value: Any, path: str) -> Point:
    obj = _obj(value, path)
    for key in ("lat", "lon"):
        if key not in obj:
            raise _fail(f"{path}.{key}", "missing")
    lat, lon = _num(obj["lat"], f"{path}.lat"), _num(obj["lon"], f"{path}.lon")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise _fail(path, "latitude or longitude out of range")
    return Point(lat, lon)


def _counts(value: Any, path: str) -> dict[str, int]:
    obj = _obj(value, path)
    return {str(k): _int(v, f"{path}.{k}") for k, v in obj.items()}


def _required(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise _fail(f"{path}.{key}" if path else key, "missing")
    return obj[key]


def parse_instance(data: Any) -> Instance:
    """An Instance from decoded JSON, or InstanceError."""
    root = _obj(data, "instance")
    origin = _point(root["origin"], "origin") if "origin" in root else None
    weights = _weights(root.get("weights", {}))
    raw_hospitals = _required(root, "hospitals", "")
    if not isinstance(raw_hospitals, list):
        raise _fail("hospitals", "expected a list")
    hospitals, seen = [], set()
    for i, raw in enumerate(raw_hospitals):
        path = f"hospitals[{i}]"
        obj = _obj(raw, path)
        hid = _str(_required(obj, "id", path), f"{path}.id")
        if hid in seen:
            raise _fail(f"{path}.id", f"duplicate id {hid}")
        seen.add(hid)
        for key in ("lat", "lon"):
            _required(obj, key, path)
        location = _point({"lat": obj["lat"], "lon": obj["lon"]}, path)
        hospitals.append(
            Hospital(
                id=hid,
                region=_str(_required(obj, "region", path), f"{path}.region"),
                location=location,
                capacity=_counts(obj.get("capacity", {}), f"{path}.capacity"),
                occupied=_counts(obj.get("occupied", {}), f"{path}.occupied"),
                isolation_free=_int(obj.get("isolation_free", 0), f"{path}.isolation_free"),
                airborne_free=_int(obj.get("airborne_free", 0), f"{path}.airborne_free"),
            )
        )
    raw_patients = _required(root, "patients", "")
    if not isinstance(raw_patients, list):
        raise _fail("patients", "expected a list")
    patients, seen = [], set()
    for i, raw in enumerate(raw_patients):
        path = f"patients[{i}]"
        obj = _obj(raw, path)
        pid = _str(_required(obj, "id", path), f"{path}.id")
        if pid in seen:
            raise _fail(f"{path}.id", f"duplicate id {pid}")
        seen.add(pid)
        isolation = obj.get("isolation", False)
        if not isinstance(isolation, bool) and not (
            isinstance(isolation, str) and isolation in ISOLATION_VALUES
        ):
            raise _fail(f"{path}.isolation", 'expected true, false, "contact" or "airborne"')
        group = obj.get("group")
        if group is not None and not isinstance(group, str | int):
            raise _fail(f"{path}.group", "expected a string")
        excluded = obj.get("exclude_regions", [])
        if not isinstance(excluded, list) or not all(isinstance(r, str) for r in excluded):
            raise _fail(f"{path}.exclude_regions", "expected a list of region names")
        declined = obj.get("exclude_hospitals", [])
        if not isinstance(declined, list) or not all(isinstance(h, str) for h in declined):
            raise _fail(f"{path}.exclude_hospitals", "expected a list of hospital ids")
        own_origin = _point(obj["origin"], f"{path}.origin") if "origin" in obj else None
        if own_origin is None and origin is None:
            raise _fail(f"{path}.origin", "missing, and the instance has no origin")
        patients.append(
            Patient(
                id=pid,
                category=_str(_required(obj, "category", path), f"{path}.category"),
                priority=_int(obj.get("priority", 3), f"{path}.priority", 1, 3),
                isolation=ISOLATION_VALUES[isolation] == "room",
                airborne=ISOLATION_VALUES[isolation] == "airborne",
                group=None if group is None else str(group),
                origin=own_origin,
                exclude_regions=frozenset(excluded),
                exclude_hospitals=frozenset(declined),
            )
        )
    return Instance(origin, weights, tuple(hospitals), tuple(patients))


def _weights(raw: Any) -> Weights:
    obj = _obj(raw, "weights")
    unplaced = dict(DEFAULT_WEIGHTS["unplaced"])
    for key, value in _obj(obj.get("unplaced", {}), "weights.unplaced").items():
        priority = _int(int(key) if str(key).isdigit() else key, f"weights.unplaced.{key}", 1, 3)
        unplaced[priority] = _num(value, f"weights.unplaced.{key}")
    return Weights(
        distance_per_km=_num(obj.get("distance_per_km", 1.0), "weights.distance_per_km"),
        load=_num(obj.get("load", 100.0), "weights.load"),
        unplaced=unplaced,
    )
