"""Why each move is worth its transport, and why busy units could not be relieved: structured
details (the web layer puts them in the coordinator's language) and English sentences for the
file interface."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evac.spreading.instance import Instance, km
from evac.spreading.plan import Move, after

# A unit this full after the plan, that still holds more than it could, gets a reason.
BUSY = 0.90


def explain(instance: Instance, moves: list[Move]) -> list[dict[str, Any]]:
    w = instance.weights
    codes = {u.code: u for u in instance.units}
    occupied = after(instance, moves)
    details: list[dict[str, Any]] = []
    sent: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        a, b = codes[m.source], codes[m.target]
        distance = km(a, b)
        cap_a, occ_a = a.beds[m.category]
        cap_b, occ_b = b.beds[m.category]
        sent[(m.source, m.category)] += m.patients
        details.append({
            "kind": "move", "from": m.source, "to": m.target, "category": m.category,
            "patients": m.patients, "km": round(distance, 1),
            "from_before": round(occ_a / cap_a, 4),
            "from_after": round(occupied[(m.source, m.category)] / cap_a, 4),
            "to_before": round(occ_b / cap_b, 4),
            "to_after": round(occupied[(m.target, m.category)] / cap_b, 4),
            # what the first patient of this move saves, net of its transport
            "gain": round(w.load * (occ_a / cap_a - (occ_b + 1) / cap_b)
                          - w.per_transfer - w.per_km * distance, 2),
        })  # fmt: skip
    for u in instance.units:
        for c, (cap, _occ) in u.beds.items():
            if cap == 0 or occupied[(u.code, c)] / cap < BUSY:
                continue
            if u.send.get(c, 0) == 0:
                reason = "no_transport"
            elif sent[(u.code, c)] >= u.can_send(c):
                reason = "transport_used"
            else:
                reason = "no_room_nearby"
            details.append({"kind": "not_relieved", "unit": u.code, "category": c,
                            "occupancy": round(occupied[(u.code, c)] / cap, 4), "reason": reason,
                            "sent": sent[(u.code, c)], "send": u.send.get(c, 0)})  # fmt: skip
    return details


REASONS = {
    "no_transport": "it reported no transport for {category} today",
    "transport_used": "all {send} transports it has for {category} are used in this plan",
    "no_room_nearby": "no unit with room is enough emptier to be worth the journey",
}


def sentence(d: dict[str, Any]) -> str:
    if d["kind"] == "move":
        return (
            f"Move {d['patients']} {d['category']} patient(s) from {d['from']} to {d['to']} "
            f"({d['km']:.0f} km): {d['from']} goes from {d['from_before']:.0%} to "
            f"{d['from_after']:.0%}, {d['to']} from {d['to_before']:.0%} to {d['to_after']:.0%}; "
            f"the difference in occupancy is worth more than the journey."
        )
    reason = REASONS[d["reason"]].format(**d)
    return f"{d['unit']} stays at {d['occupancy']:.0%} {d['category']}: {reason}."
