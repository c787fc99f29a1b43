"""The placement engine (../shared/specs/placement.md): which hospital each patient of a batch
goes to, spreading load evenly over the regions and preferring nearby hospitals.

Pure Python with NumPy/SciPy: no Flask, no database. `python -m evac.placement INSTANCE.json`.
"""

from evac.placement.greedy import solve_greedy
from evac.placement.instance import Instance, InstanceError, parse_instance
from evac.placement.objective import check_feasible, haversine_km, objective
from evac.placement.result import Result
from evac.placement.solver import solve

__all__ = [
    "Instance", "InstanceError", "Result", "check_feasible", "haversine_km", "objective",
    "parse_instance", "solve", "solve_greedy",
]  # fmt: skip
