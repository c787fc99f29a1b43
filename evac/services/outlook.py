"""What lies ahead: the last weeks of occupancy per region (or the whole country) and bed
category, and the forecast for the coming days (evac.forecast) with its bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from evac.forecast import Forecast, Series, forecast_series
from evac.services import capacity

NATIONAL = "NL"
# Categories drawn first; the specialised ones follow when a region has them.
ORDER = ("ic", "clinical", "picu", "paediatric", "burns", "oncology", "rehabilitation")


@dataclass
class Picture:
    region: str
    category: str
    history: list[tuple[date, int, int]] = field(default_factory=list)  # day, occupied, capacity
    forecast: list[Forecast] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return self.history[-1][2] if self.history else 0


def pictures(region: str | None = None, days: int = 28, horizon: int = 7,
             today: date | None = None, daily: dict | None = None) -> list[Picture]:  # fmt: skip
    """Per bed category: the last `days` days of a region (None: the whole country) and the
    forecast for `horizon` days. `daily` (capacity.daily_occupancy) may be passed in when
    several regions are drawn from one reading."""
    if daily is None:
        # Every reader of a page draws the same picture until a new report arrives.
        today = today or capacity.centre_today()
        return _drawn(region, days, horizon, today, capacity.history_version())
    return _pictures(region, horizon, daily)


@lru_cache(maxsize=64)
def _drawn(region: str | None, days: int, horizon: int, today: date,
           version: tuple[int, int]) -> list[Picture]:  # fmt: skip
    """The pictures as every reader sees them (read-only for callers); `version` is the key."""
    return _pictures(region, horizon, capacity.daily_occupancy(days, today))


def _pictures(region: str | None, horizon: int, daily: dict) -> list[Picture]:
    sums: dict[str, dict[date, list[int]]] = {}
    for (day, code, category), beds in daily.items():
        if region is not None and code != region:
            continue
        row = sums.setdefault(category, {}).setdefault(day, [0, 0])
        row[0] += beds.occupied
        row[1] += beds.capacity
    out = []
    for category in sorted(sums, key=lambda c: (ORDER.index(c) if c in ORDER else 99, c)):
        points = sorted((d, occ, cap) for d, (occ, cap) in sums[category].items())
        if not points or not any(cap for _d, _o, cap in points):
            continue
        series = Series(region or NATIONAL, category, {d: float(occ) for d, occ, _ in points})
        out.append(Picture(region or NATIONAL, category, points, forecast_series(series, horizon)))
    return out
