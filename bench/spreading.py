"""Spreading benchmark (not a test): the exact solver (pruned convex-cost flow on HiGHS) beside
the generic LP (the same increments over every pair of units, no pruning) in the same run, on the
11 regions, the 75 hospitals of the registry and generated networks of 200 and 400 units, each
tight (busy clusters) and calm. Median of 5 runs; both objectives, which must agree.

    python bench/spreading.py [--repeat 5]

Target on the 2-core reference machine: 400 units proven optimal in <= 1 s, >= 10x faster than
the generic LP.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evac.spreading import parse_instance  # noqa: E402
from evac.spreading.solver import solve, solve_plain  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "evac" / "data"
CATEGORIES = {"ic": (8, 60), "clinical": (150, 900), "paediatric": (10, 60)}


def _occupancy(rng: random.Random, tight: bool, hot: bool) -> float:
    if not tight:
        return rng.uniform(0.68, 0.86)
    return rng.uniform(0.93, 1.04) if hot else rng.uniform(0.62, 0.88)


def _unit(rng, code, lat, lon, tight, hot, scale=1.0):
    beds, send = {}, {}
    for c, (lo, hi) in CATEGORIES.items():
        cap = int(rng.randint(lo, hi) * scale)
        beds[c] = {"capacity": cap, "occupied": int(cap * _occupancy(rng, tight, hot))}
        send[c] = rng.randint(1, 4) if c == "ic" else rng.randint(2, 12)
    return {"code": code, "lat": lat, "lon": lon, "beds": beds, "send": send}


def registry_units(rng, tight: bool, by_region: bool) -> list[dict]:
    with open(DATA / "hospitals_nl.csv", encoding="utf-8") as fh:
        hospitals = list(csv.DictReader(fh))
    hot_regions = {"NW", "ZWN", "BR"}  # the busy west and south, as in the demo
    if not by_region:
        return [_unit(rng, h["code"], float(h["lat"]), float(h["lon"]), tight,
                      h["region"] in hot_regions) for h in hospitals]  # fmt: skip
    regions: dict[str, list[dict]] = {}
    for h in hospitals:
        regions.setdefault(h["region"], []).append(h)
    return [_unit(rng, code, statistics.mean(float(h["lat"]) for h in hs),
                  statistics.mean(float(h["lon"]) for h in hs), tight, code in hot_regions,
                  scale=len(hs)) for code, hs in regions.items()]  # fmt: skip


def generated_units(rng, n: int, tight: bool) -> list[dict]:
    centres = [(rng.uniform(51.0, 53.4), rng.uniform(3.6, 7.0)) for _ in range(max(3, n // 40))]
    units = []
    for k in range(n):
        lat, lon = rng.uniform(50.8, 53.5), rng.uniform(3.4, 7.2)
        hot = any(abs(lat - a) + abs(lon - b) < 0.45 for a, b in centres)
        units.append(_unit(rng, f"U{k:03d}", lat, lon, tight, hot))
    return units


def median_seconds(fn, repeat: int):
    times, plan = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        plan = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = []
    for tight in (True, False):
        kind = "tight" if tight else "calm"
        rng = random.Random(11)
        cases.append((f"11 regions, {kind}", registry_units(rng, tight, by_region=True)))
        cases.append((f"75 hospitals, {kind}", registry_units(rng, tight, by_region=False)))
        for n in (200, 400):
            cases.append((f"{n} units, {kind}", generated_units(random.Random(n), n, tight)))
    print(
        "| network | patients moved | solver (median) | status | generic LP (median) | speed-up | objectives agree |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, units in cases:
        instance = parse_instance({"units": units})
        fast_s, fast = median_seconds(lambda i=instance: solve(i), args.repeat)
        plain_s, plain = median_seconds(lambda i=instance: solve_plain(i), args.repeat)
        agree = abs(fast.objective - plain.objective) <= 1e-6 * max(1.0, abs(plain.objective))
        moved = sum(m.patients for m in fast.moves)
        print(f"| {name} | {moved} | {fast_s:.3f} s | {fast.status} | {plain_s:.3f} s | "
              f"{plain_s / fast_s:.0f}x | {'yes' if agree else 'NO'} |")  # fmt: skip


if __name__ == "__main__":
    main()
