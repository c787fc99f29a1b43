"""Why each patient goes where the assignment puts them, or why nobody could take them.

For a placed patient: the distance, the region's occupancy of that bed category before and
after, and what moving this one patient to each of the next best hospitals would cost, holding
everyone else where they are. For an unplaced patient: the reason, as a code the web layer
translates and a sentence in English for the file interface.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from evac.placement.model import Model
from evac.placement.objective import haversine_km

REASONS = {
    "no_free_bed": "no hospital has a free {category} bed",
    "no_isolation_room": "no hospital with a free {category} bed has an isolation room free",
    "no_negative_pressure_room": "no hospital with a free {category} bed has a negative-pressure room free",
    "group_cannot_stay_together": "no hospital can take the whole group {group} together",
    "excluded_regions": "the only hospitals with room are excluded for this patient (its own region, or they declined)",
    "capacity_used_by_more_urgent": "the free beds went to more urgent patients or groups",
    "cheaper_to_leave_unplaced": "every hospital with room would cost more than leaving the patient for the next round",
}


def explain(
    model: Model, assignment: dict[str, str | None], alternatives: int = 3
) -> dict[str, dict[str, Any]]:
    inst = model.instance
    hospitals = inst.hospitals
    index = {h.id: j for j, h in enumerate(hospitals)}
    used: Counter = Counter()
    rooms: Counter = Counter()
    placed: Counter = Counter()
    for p in inst.patients:
        hid = assignment.get(p.id)
        if hid is not None:
            j = index[hid]
            used[(j, p.category)] += 1
            rooms[j] += p.isolation
            rooms[(j, "airborne")] += p.airborne
            placed[(hospitals[j].region, p.category)] += 1
    out: dict[str, dict[str, Any]] = {}
    for u, unit in enumerate(model.units):
        for p in unit.patients:
            hid = assignment.get(p.id)
            origin = inst.origin_of(p)
            if hid is None:
                out[p.id] = {"placed": False, "reason": _reason(model, u, p, used, rooms), "category": p.category,
                             "group": p.group, "penalty": inst.weights.unplaced[p.priority]}  # fmt: skip
                continue
            j = index[hid]
            h = hospitals[j]
            key = (h.region, p.category)
            n = placed[key]
            cap = model.capacity.get(key, 0)
            occ = model.occupied.get(key, 0)
            km = haversine_km(origin, h.location)
            # what this patient adds to its region's load: the last of the n placed there
            own_load = model.load(h.region, p.category, n) - model.load(h.region, p.category, n - 1)
            details: dict[str, Any] = {
                "placed": True, "hospital": h.id, "region": h.region, "category": p.category,
                "km": round(km, 1), "distance_cost": round(inst.weights.distance_per_km * km, 2),
                "load_cost": round(own_load, 2),
                "occupancy_before": round(occ / cap, 4) if cap else None,
                "occupancy_after": round((occ + n) / cap, 4) if cap else None,
                "group": p.group, "alternatives": [],
            }  # fmt: skip
            if not unit.is_group:
                details["alternatives"] = _alternatives(
                    model, u, p, j, used, rooms, placed, alternatives
                )
            out[p.id] = details
    return out


def _alternatives(model, u, p, j, used, rooms, placed, limit) -> list[dict[str, Any]]:
    """Moving this one patient elsewhere, everyone else staying: the extra cost, or full."""
    hospitals = model.instance.hospitals
    w = model.instance.weights
    h = hospitals[j]
    here = w.distance_per_km * haversine_km(model.instance.origin_of(p), h.location)
    n_here = placed[(h.region, p.category)]
    leave_here = model.load(h.region, p.category, n_here - 1) - model.load(
        h.region, p.category, n_here
    )
    options = []
    for k in model.candidates[u]:
        if k == j:
            continue
        other = hospitals[k]
        full = (
            used[(k, p.category)] + 1 > other.free(p.category)
            or (p.isolation and rooms[k] + 1 > other.isolation_free)
            or (p.airborne and rooms[(k, "airborne")] + 1 > other.airborne_free)
        )
        there = w.distance_per_km * haversine_km(model.instance.origin_of(p), other.location)
        if other.region == h.region:
            delta = there - here
        else:
            n_there = placed[(other.region, p.category)]
            delta = (
                (there - here)
                + leave_here
                + (
                    model.load(other.region, p.category, n_there + 1)
                    - model.load(other.region, p.category, n_there)
                )
            )
        options.append(
            {
                "hospital": other.id,
                "region": other.region,
                "extra_cost": round(delta, 2),
                "full": full,
            }
        )
    options.sort(key=lambda o: (o["full"], o["extra_cost"], o["hospital"]))
    return options[:limit]


def _reason(model, u, p, used, rooms) -> str:
    inst = model.instance
    unit = model.units[u]
    hospitals = inst.hospitals
    with_beds = [j for j, h in enumerate(hospitals) if h.free(p.category) >= 1]
    if not with_beds:
        return "no_free_bed"
    allowed = [
        j for j in with_beds
        if hospitals[j].region not in p.exclude_regions and hospitals[j].id not in p.exclude_hospitals
    ]  # fmt: skip
    if not allowed:
        return "excluded_regions"
    if p.isolation and not any(hospitals[j].isolation_free >= 1 for j in allowed):
        return "no_isolation_room"
    if p.airborne and not any(hospitals[j].airborne_free >= 1 for j in allowed):
        return "no_negative_pressure_room"
    if unit.is_group and not model.candidates[u]:
        return "group_cannot_stay_together"
    room_left = [
        j for j in model.candidates[u]
        if all(used[(j, c)] + n <= hospitals[j].free(c) for c, n in unit.categories.items())
        and rooms[j] + unit.isolation <= hospitals[j].isolation_free
        and rooms[(j, "airborne")] + unit.airborne <= hospitals[j].airborne_free
    ]  # fmt: skip
    return "cheaper_to_leave_unplaced" if room_left else "capacity_used_by_more_urgent"


def sentence(d: dict[str, Any]) -> str:
    """The explanation in one English sentence (the file interface's language)."""
    if not d["placed"]:
        return (
            "Not placed: "
            + REASONS[d["reason"]].format(category=d["category"], group=d.get("group"))
            + "."
        )
    text = f"{d['hospital']} in region {d['region']}: {d['km']:.0f} km"
    if d["occupancy_before"] is not None:
        text += (
            f"; {d['category']} occupancy in {d['region']} goes from {d['occupancy_before']:.0%}"
            f" to {d['occupancy_after']:.0%}"
        )
    if d.get("group"):
        text += f"; placed together with group {d['group']}"
    alternatives = [a for a in d.get("alternatives", []) if not a["full"]]
    if alternatives:
        text += "; next best: " + ", ".join(
            f"{a['hospital']} (+{a['extra_cost']:.1f})" for a in alternatives
        )
    elif d.get("alternatives"):
        text += "; the other hospitals with such beds are full"
    return text + "."
