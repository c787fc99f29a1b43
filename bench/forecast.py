"""Forecast benchmark (not a test): on generated epidemic-like waves (rise, peak, fall, weekday
effect, noise) and on the demo's capacity history, over many rolling origins, the mean absolute
error over horizons 1..7 as a ratio to persistence (tomorrow = today) and the share of actual
values inside the 80 % interval, for evac's forecast and, in the same run, for statsmodels'
damped-trend exponential smoothing (ETS, additive errors) on the log scale. Last, the time to
forecast all 22 series of 11 regions x 2 categories with 90 days of history.

    python bench/forecast.py [--series 40] [--step 3]

Targets (../shared/specs/forecast.md, issue 12): MAE <= 0.80 x persistence and below the peer;
80 % coverage between 0.75 and 0.90; the 22 series in well under a second.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evac.forecast.history import Series  # noqa: E402
from evac.forecast.model import forecast_series  # noqa: E402

H = 7
START = date(2026, 6, 1)


def wave(rng: random.Random, days: int = 150) -> list[float]:
    """An occupancy series as hospitals make one: patients are admitted (a Poisson number a day,
    following one or two epidemic waves, fewer at weekends) and stay (each discharged on a given
    day with a fixed chance, fewer discharges at weekends); occupancy is who is in bed."""
    np_rng = np.random.default_rng(rng.randrange(2**32))
    base = rng.uniform(2, 60)  # admissions a day between waves
    stay = rng.uniform(4, 12)  # mean length of stay, days
    peaks = [(rng.uniform(20, days - 20), rng.uniform(8, 25), rng.uniform(0.5, 3.0))
             for _ in range(rng.choice([1, 2]))]  # fmt: skip
    weekend_admissions = rng.uniform(0.6, 0.95)
    weekend_discharges = rng.uniform(0.5, 0.9)
    occupied = int(base * stay)
    out = []
    for t in range(-30, days):  # a month to settle
        weekend = (START + timedelta(t)).weekday() >= 5
        rate = base * (1 + sum(a * math.exp(-(((t - c) / w) ** 2)) for c, w, a in peaks))
        admitted = np_rng.poisson(rate * (weekend_admissions if weekend else 1.0))
        leave = (1 / stay) * (weekend_discharges if weekend else 1.0)
        occupied = occupied - np_rng.binomial(occupied, leave) + admitted
        if t >= 0:
            out.append(float(occupied))
    return out


def demo_series() -> list[list[float]]:
    """Per region and category, the demo's 14 days of reported occupancy."""
    import logging
    import tempfile

    logging.disable(logging.INFO)
    from evac import create_app
    from evac.cli import _seed
    from evac.services import capacity

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite"})
    with app.app_context():
        _seed(quiet=True)
        daily = capacity.daily_occupancy(days=14)
    series: dict[tuple[str, str], dict[date, float]] = {}
    for (day, region, category), beds in daily.items():
        series.setdefault((region, category), {})[day] = float(beds.occupied)
    return [[v for _d, v in sorted(s.items())] for s in series.values() if len(s) == 14]


def ours(history: list[float], h: int):
    s = Series("R", "c", {START + timedelta(t): v for t, v in enumerate(history)})
    f = forecast_series(s, h)
    return (
        np.array([x.mean for x in f]),
        np.array([x.lo80 for x in f]),
        np.array([x.hi80 for x in f]),
    )


def peer(history: list[float], h: int):
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = pd.Series(np.log1p(np.array(history, dtype=float)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
        frame = fit.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=0.2)
    return (np.expm1(frame["mean"].to_numpy()), np.expm1(frame["pi_lower"].to_numpy()),
            np.expm1(frame["pi_upper"].to_numpy()))  # fmt: skip


def evaluate(all_series: list[list[float]], first_origin: int, step: int) -> dict:
    results = {"ours": [0.0, 0, 0], "peer": [0.0, 0, 0]}  # abs error sum, inside 80 %, count
    persistence = 0.0
    seconds = {"ours": 0.0, "peer": 0.0}
    for values in all_series:
        for origin in range(first_origin, len(values) - H + 1, step):
            history, actual = values[:origin], np.array(values[origin : origin + H])
            persistence += np.abs(actual - history[-1]).sum()
            for name, fn in (("ours", ours), ("peer", peer)):
                started = time.perf_counter()
                mean, lo, hi = fn(history, H)
                seconds[name] += time.perf_counter() - started
                r = results[name]
                r[0] += np.abs(actual - mean).sum()
                r[1] += int(((actual >= lo) & (actual <= hi)).sum())
                r[2] += H
    return {name: (r[0] / persistence, r[1] / r[2], seconds[name]) for name, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=40)
    parser.add_argument("--step", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(2026)
    waves = [wave(rng) for _ in range(args.series)]
    print("| data | forecast | MAE / persistence (h 1..7) | 80 % coverage | seconds |")
    print("|---|---|---|---|---|")
    for label, data, first in (("generated waves", waves, 28), ("demo history", demo_series(), 7)):
        figures = evaluate(data, first, args.step if label == "generated waves" else 1)
        for name, text in (("ours", "evac"), ("peer", "statsmodels damped ETS (log)")):
            ratio, coverage, secs = figures[name]
            print(f"| {label} | {text} | {ratio:.3f} | {coverage:.3f} | {secs:.1f} |")
    # speed: 11 regions x 2 categories, 90 days
    series = [Series(f"R{r}", c, {START + timedelta(t): v for t, v in enumerate(wave(rng, 90))})
              for r in range(11) for c in ("ic", "clinical")]  # fmt: skip
    started = time.perf_counter()
    for s in series:
        forecast_series(s, 7)
    print(f"\n22 series of 90 days forecast in {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
