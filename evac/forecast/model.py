"""One series' forecast: damped-trend exponential smoothing on the log scale with a weekday
profile, its smoothing chosen for the horizons that matter, and intervals from its own errors.

Why this model. Bed occupancy moves in waves (rise, peak, fall) with a weekly rhythm (fewer
planned admissions at weekends) and day-to-day noise. A damped trend follows a wave without
running away with it; the log scale keeps forecasts positive and makes noise proportional to the
level. What statsmodels does by maximum likelihood of one-step errors, this does by the absolute
error over horizons 1 to 7 at every earlier day of the series (rolling origins), the measure the
forecast is judged by; the grid of smoothing constants is searched for all of them at once with
numpy, so 22 series of 90 days take milliseconds. Intervals come from the same rolling errors,
per horizon, as empirical quantiles (widened a little for being measured in-sample), so they are
as wide as this series has shown it needs.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from evac.forecast.history import Series

MIN_HISTORY = 7  # fewer known days: the last value, with a note
# Fewer known days than this: too few rolling origins to choose a trend; a level only.
SHORT_HISTORY = 21
# How many of the best smoothing settings are averaged.
ENSEMBLE = 5
FIT_HORIZON = 7
ALPHAS = np.array([0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0])
BETAS = np.array([0.0, 0.03, 0.08, 0.15, 0.3])
PHIS = np.array([0.7, 0.85, 0.93, 0.98])
# In-sample errors flatter a model (its settings were chosen on them): intervals are widened
# by this much, measured on bench/forecast.py for 80 % of actual values inside the 80 % band.
WIDEN = 1.4
Z80, Z95 = 1.2816, 1.96
TOO_LITTLE = "too little history"


@dataclass(frozen=True)
class Forecast:
    day: date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    note: str = ""


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, p = np.meshgrid(ALPHAS, BETAS, PHIS, indexing="ij")
    return a.ravel(), b.ravel(), p.ravel()


_ALPHA, _BETA, _PHI = _grid()


def _daily(series: Series) -> tuple[date, np.ndarray, np.ndarray]:
    """Every day from the first to the last known one: values (unknown days interpolated on
    the log scale, for the smoothing to run through) and whether each was known."""
    known = series.known
    first, last = known[0][0], known[-1][0]
    n = (last - first).days + 1
    days = np.array([(d - first).days for d, _ in known])
    logs = np.log1p(np.array([v for _, v in known], dtype=float))
    filled = np.interp(np.arange(n), days, logs)
    mask = np.zeros(n, dtype=bool)
    mask[days] = True
    return first, filled, mask


def _weekday_profile(first: date, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A weekly profile on the log scale (mean zero), from four weeks of history or more, shrunk
    towards none when the weeks are few."""
    n = len(y)
    if n < 28:
        return np.zeros(7)
    kernel = np.ones(7) / 7
    trend = np.convolve(y, kernel, mode="same")
    usable = np.zeros(n, dtype=bool)
    usable[3 : n - 3] = True
    usable &= mask
    weekday = (np.arange(n) + first.weekday()) % 7
    profile = np.zeros(7)
    for w in range(7):
        r = (y - trend)[usable & (weekday == w)]
        if len(r):
            profile[w] = np.median(r)
    profile -= profile.mean()
    weeks = n / 7
    return profile * weeks / (weeks + 3)


def _smooth(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level and trend after each day, for every setting of the grid (settings x days)."""
    k, n = len(_ALPHA), len(y)
    level = np.empty((k, n))
    trend = np.empty((k, n))
    level[:, 0] = y[0]
    trend[:, 0] = (y[min(n - 1, 3)] - y[0]) / max(1, min(n - 1, 3))
    for t in range(1, n):
        expected = level[:, t - 1] + _PHI * trend[:, t - 1]
        level[:, t] = _ALPHA * y[t] + (1 - _ALPHA) * expected
        trend[:, t] = _BETA * (level[:, t] - level[:, t - 1]) + (1 - _BETA) * _PHI * trend[:, t - 1]
    return level, trend


def _damping_sums(phi: np.ndarray, horizon: int) -> np.ndarray:
    """Σ_{k=1..h} φ^k for h = 1..horizon (settings x horizons)."""
    powers = phi[:, None] ** np.arange(1, horizon + 1)[None, :]
    return np.cumsum(powers, axis=1)


def _errors(y, mask, season, level, trend, sums, horizon, warmup):
    """Errors (log scale) of the h-step forecasts from every origin after the warm-up:
    settings x origins x horizons, NaN where the day forecast is unknown or past the end."""
    n = len(y)
    origins = np.arange(warmup, n - 1)
    steps = np.arange(1, horizon + 1)
    target = origins[:, None] + steps[None, :]
    valid = target < n
    target_c = np.minimum(target, n - 1)
    forecast = (
        level[:, origins][:, :, None]
        + trend[:, origins][:, :, None] * sums[:, None, :]
        + season[target_c][None, :, :]
    )
    actual = (y + season)[target_c]
    err = actual[None, :, :] - forecast
    ok = valid & mask[target_c]
    return np.where(ok[None, :, :], err, np.nan)


def forecast_series(series: Series, horizon: int = 7) -> list[Forecast]:
    """The forecast for the `horizon` days after the series' last date."""
    known = series.known
    last_day = series.last_date
    days = [last_day + timedelta(days=h) for h in range(1, horizon + 1)]
    if len(known) < MIN_HISTORY:
        return _last_value(known, days, horizon)
    if len(known) < SHORT_HISTORY:
        return _level_only(known, days)
    first, y_all, mask = _daily(series)
    season = _weekday_profile(first, y_all, mask)
    weekday = (np.arange(len(y_all)) + first.weekday()) % 7
    y = y_all - season[weekday]  # the series without its weekly rhythm
    level, trend = _smooth(y)
    sums = _damping_sums(_PHI, FIT_HORIZON)
    warmup = min(5, len(y) - 2)
    season_days = season[weekday]
    err = _errors(y, mask, season_days, level, trend, sums, FIT_HORIZON, warmup)
    # Judge each setting by the absolute error in beds, over horizons 1..7, as the spec does.
    n = len(y_all)
    origins = np.arange(warmup, n - 1)
    target = np.minimum(origins[:, None] + np.arange(1, FIT_HORIZON + 1)[None, :], n - 1)
    actual_log = y_all[target][None, :, :]
    beds_err = np.abs(np.expm1(actual_log - err) - np.expm1(actual_log))
    flat = beds_err.reshape(len(_ALPHA), -1)
    counted = (~np.isnan(flat)).sum(axis=1)
    score = np.where(counted > 0, np.nansum(flat, axis=1) / np.maximum(counted, 1), np.inf)
    # The few best settings, averaged: one setting's luck on this history matters less.
    order = np.argsort(score)
    chosen = order[: min(ENSEMBLE, int(np.isfinite(score).sum()) or 1)]
    # From the last day on (the gap to the last calendar day, if any, is a forecast too).
    gap = (last_day - known[-1][0]).days
    steps = np.arange(gap + 1, gap + horizon + 1)
    sums_chosen = _damping_sums(_PHI[chosen], int(steps[-1]))
    target_weekday = (np.arange(n - 1 + gap + 1, n + gap + horizon) + first.weekday()) % 7
    log_mean = (
        level[chosen, -1][:, None] + trend[chosen, -1][:, None] * sums_chosen[:, steps - 1]
    ).mean(axis=0) + season[target_weekday]
    with warnings.catch_warnings():  # an origin with no known day ahead has no error: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        chosen_err = np.nanmean(err[chosen], axis=0)
    spread = _interval_quantiles(chosen_err, int(steps[-1]))
    out = []
    for i, day in enumerate(days):
        h = int(steps[i])
        q = spread[h - 1]
        m = log_mean[i]
        # mean, lo80, hi80, lo95, hi95
        values = np.expm1(np.array([m, m + q[1], m + q[2], m + q[0], m + q[3]]))
        out.append(_ordered(day, values))
    return out


def _interval_quantiles(err: np.ndarray, horizon: int) -> np.ndarray:
    """Per horizon 1..horizon: the log-scale offsets of the 2.5, 10, 90 and 97.5 % bounds."""
    out = np.zeros((horizon, 4))
    one_step = err[:, 0][~np.isnan(err[:, 0])]
    base_sd = float(np.std(one_step)) if len(one_step) > 1 else 0.0
    last = None
    for h in range(1, horizon + 1):
        if h <= err.shape[1]:
            e = err[:, h - 1]
            e = e[~np.isnan(e)]
        else:
            e = np.array([])
        if len(e) >= 8:
            q = np.quantile(e, [0.025, 0.10, 0.90, 0.975]) * WIDEN
            # few errors: the outer quantiles are not measured; take them from the spread
            sd = float(np.std(e)) * WIDEN
            q[0] = min(q[0], q[1] - (Z95 - Z80) * sd)
            q[3] = max(q[3], q[2] + (Z95 - Z80) * sd)
            last = (h, q)
        elif last is not None:
            h0, q0 = last
            q = q0 * math.sqrt(h / h0)
        else:
            sd = base_sd * math.sqrt(h) * WIDEN
            q = np.array([-Z95 * sd, -Z80 * sd, Z80 * sd, Z95 * sd])
        out[h - 1] = q
    return out


def _ordered(day: date, values: np.ndarray, note: str = "") -> Forecast:
    mean, lo80, hi80, lo95, hi95 = (max(0.0, float(v)) for v in values)
    lo80, hi80 = min(lo80, mean), max(hi80, mean)
    lo95, hi95 = min(lo95, lo80), max(hi95, hi80)
    r = lambda v: round(v, 1)  # noqa: E731 (monotone, so the order survives)
    return Forecast(day, r(mean), r(lo80), r(hi80), r(lo95), r(hi95), note)


def _level_only(known, days) -> list[Forecast]:
    """A short history: the mean of the last week as the level, no trend (a few days cannot
    tell a trend from noise), intervals from how much the last week varied around it (at least
    Poisson noise), growing slowly with the horizon."""
    values = np.array([v for _d, v in known[-7:]], dtype=float)
    level = float(values.mean())
    sd = max(float(values.std(ddof=1)), math.sqrt(max(level, 1.0)) * 0.25)
    out = []
    for h, day in enumerate(days, start=1):
        s = sd * math.sqrt(1 + 1 / len(values) + (h - 1) / 14)
        out.append(_ordered(day, np.array([level, level - Z80 * s, level + Z80 * s,
                                           level - Z95 * s, level + Z95 * s])))  # fmt: skip
    return out


def _last_value(known, days, horizon) -> list[Forecast]:
    """Too little history: the last known value, with Poisson-like intervals from it alone."""
    if not known:
        return [Forecast(d, 0.0, 0.0, 0.0, 0.0, 0.0, TOO_LITTLE) for d in days]
    value = known[-1][1]
    out = []
    for h, day in enumerate(days, start=1):
        sd = math.sqrt(max(value, 1.0) * h)
        out.append(_ordered(day, np.array([value, value - Z80 * sd, value + Z80 * sd,
                                           value - Z95 * sd, value + Z95 * sd]), TOO_LITTLE))  # fmt: skip
    return out
