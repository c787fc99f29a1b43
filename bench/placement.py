"""Placement benchmark (not a test): solve time, objective and greedy's gap on instances built
on the real hospital registry, from 10 to 1000 patients, easy and tight.

    python bench/placement.py [--repeat 5] [--sizes 10,50,200,1000]

Targets on the 2-core reference machine: 200 patients proven optimal in <= 1 s; 1000 patients
within 1% of optimal in <= 10 s.
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

from evac.placement import check_feasible, parse_instance, solve, solve_greedy  # noqa: E402

REGISTRY = Path(__file__).resolve().parent.parent / "evac" / "data" / "hospitals_nl.csv"
EINDHOVEN = {"lat": 51.4501, "lon": 5.3747}
BEDS = {
    "umc": {"ic": (30, 48), "clinical": (550, 850), "paediatric": (40, 80), "oncology": (40, 60)},
    "top_clinical": {
        "ic": (16, 30),
        "clinical": (380, 650),
        "paediatric": (20, 40),
        "oncology": (20, 40),
    },
    "general": {"ic": (6, 14), "clinical": (150, 340), "paediatric": (10, 24)},
}
MIX = [
    ("clinical", 0.45),
    ("ic", 0.2),
    ("paediatric", 0.12),
    ("burns", 0.06),
    ("picu", 0.05),
    ("oncology", 0.12),
]


def build(n: int, tight: bool, seed: int) -> dict:
    rng = random.Random(seed)
    hospitals = []
    with open(REGISTRY, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        capacity = {c: rng.randint(*r) for c, r in BEDS[row["type"]].items()}
        if row["picu"] == "1":
            capacity["picu"] = rng.randint(10, 20)
        if row["burn_centre"] == "1":
            capacity["burns"] = rng.randint(12, 18)
        # tight: few free beds, so that urgent patients compete and some cannot be placed
        level = rng.uniform(0.9, 1.0) if tight else rng.uniform(0.7, 0.92)
        occupied = {
            c: min(v, round(v * min(1.0, level + rng.uniform(-0.05, 0.05))))
            for c, v in capacity.items()
        }
        hospitals.append({"id": row["code"], "region": row["region"], "lat": float(row["lat"]), "lon": float(row["lon"]),
                          "capacity": capacity, "occupied": occupied, "isolation_free": rng.randint(0, 2 if tight else 5)})  # fmt: skip
    patients = []
    i = 0
    while len(patients) < n:
        i += 1
        category = rng.choices([c for c, _ in MIX], [w for _, w in MIX])[0]
        p = {"id": f"P{i:04d}", "category": category, "priority": rng.choices([1, 2, 3], [0.15, 0.35, 0.5])[0],
             "isolation": rng.random() < 0.3}  # fmt: skip
        if (
            rng.random() < 0.12
        ):  # a domestic transfer starts at a Dutch hospital, outside its region
            origin = rng.choice(rows)
            p["origin"] = {"lat": float(origin["lat"]), "lon": float(origin["lon"])}
            p["exclude_regions"] = [origin["region"]]
        patients.append(p)
        if category in ("paediatric", "picu") and rng.random() < 0.5 and len(patients) < n:
            # a mother or sibling travelling as a patient too: the pair stays together
            p["group"] = f"family-{i}"
            patients.append({"id": f"P{i:04d}b", "category": "clinical", "priority": p["priority"],
                             "group": p["group"], **({"origin": p["origin"]} if "origin" in p else {})})  # fmt: skip
    return {"origin": EINDHOVEN, "hospitals": hospitals, "patients": patients}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="10,50,200,1000")
    args = parser.parse_args()
    print(f"{'patients':>8} {'kind':<6} {'solve s (median)':>16} {'status':<9} {'objective':>12} "
          f"{'greedy':>12} {'gap %':>6} {'greedy s':>8} {'unplaced':>8}")  # fmt: skip
    for n in (int(s) for s in args.sizes.split(",")):
        for tight in (False, True):
            inst = parse_instance(build(n, tight, seed=n * 10 + tight))
            times, result = [], None
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = solve(inst)
                times.append(time.perf_counter() - started)
            greedy = solve_greedy(inst)
            assert not check_feasible(inst, result.assignment) and not check_feasible(
                inst, greedy.assignment
            )
            gap = 100 * (greedy.objective - result.objective) / result.objective
            unplaced = sum(1 for h in result.assignment.values() if h is None)
            print(f"{n:>8} {'tight' if tight else 'easy':<6} {statistics.median(times):>16.3f} {result.status:<9} "
                  f"{result.objective:>12.1f} {greedy.objective:>12.1f} {gap:>6.2f} {greedy.seconds:>8.3f} {unplaced:>8}")  # fmt: skip
            sys.stdout.flush()


if __name__ == "__main__":
    main()
