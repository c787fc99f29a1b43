"""The result of ../shared/specs/placement.md, with per-patient details as an extension."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    assignment: dict[str, str | None]
    objective: float
    status: str  # optimal (proven) or feasible
    seconds: float
    # patient id -> structured explanation (see evac.placement.explain)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def explanations(self) -> dict[str, str]:
        from evac.placement.explain import sentence

        return {pid: sentence(d) for pid, d in self.details.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "objective": round(self.objective, 6),
            "status": self.status,
            "seconds": round(self.seconds, 4),
            "explanations": self.explanations,
            "details": self.details,
        }
