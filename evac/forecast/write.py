"""The forecast CSV of ../shared/specs/forecast.md."""

from __future__ import annotations

import csv
from typing import TextIO

from evac.forecast.history import Series
from evac.forecast.model import forecast_series

HEADER = ("date", "region", "category", "mean", "lo80", "hi80", "lo95", "hi95", "note")


def write_csv(series: list[Series], horizon: int, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for s in sorted(series, key=lambda s: (s.region, s.category)):
        for f in forecast_series(s, horizon):
            writer.writerow((f.day.isoformat(), s.region, s.category, f"{f.mean:.1f}",
                             f"{f.lo80:.1f}", f"{f.hi80:.1f}", f"{f.lo95:.1f}", f"{f.hi95:.1f}",
                             f.note))  # fmt: skip
