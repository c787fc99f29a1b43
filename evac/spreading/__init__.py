"""Spreading: moving patients already in hospital from busy units (regions, or hospitals of one
region) to others, within the transport available (../shared/specs/spreading.md).

`parse_instance` reads an instance, `solve` returns the proven optimal plan, `evaluate` scores
any plan (a coordinator's edited one) against the same objective and constraints.
"""

from evac.spreading.instance import Instance, InstanceError, Unit, Weights, parse_instance
from evac.spreading.plan import Move, Plan, evaluate
from evac.spreading.solver import solve

__all__ = [
    "Instance", "InstanceError", "Move", "Plan", "Unit", "Weights", "evaluate",
    "parse_instance", "solve",
]  # fmt: skip
