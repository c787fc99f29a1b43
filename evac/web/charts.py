"""Charts drawn on the server as inline SVG (no script, no CDN): the last weeks of occupancy, the
forecast with its 80 % and 95 % bands, and the staffed beds as a line."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 360, 150, 4


@dataclass
class Chart:
    history: str  # polyline points
    mean: str
    band80: str  # polygon points
    band95: str
    capacity_y: float | None
    today_x: float
    top: int  # the value at the top edge
    bottom: int  # the value at the bottom edge


def forecast_chart(picture) -> Chart:
    history = picture.history
    forecast = picture.forecast
    n = len(history) + len(forecast)
    values = [occ for _d, occ, _c in history] + [f.hi95 for f in forecast] + [picture.capacity]
    top = int(max(values + [1]) * 1.05) + 1
    # Start the axis near the lowest value, not at zero: the movement is what matters.
    low = min([occ for _d, occ, _c in history] + [f.lo95 for f in forecast])
    bottom = max(0, int(low * 0.9))

    def x(i: int) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * i / max(1, n - 1), 1)

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - bottom) / max(1, top - bottom), 1)

    last = len(history) - 1
    hist = " ".join(f"{x(i)},{y(occ)}" for i, (_d, occ, _c) in enumerate(history))
    start = f"{x(last)},{y(history[-1][1])}"
    mean = start + " " + " ".join(f"{x(last + 1 + i)},{y(f.mean)}" for i, f in enumerate(forecast))

    def band(lo: str, hi: str) -> str:
        upper = [f"{x(last + 1 + i)},{y(getattr(f, hi))}" for i, f in enumerate(forecast)]
        lower = [f"{x(last + 1 + i)},{y(getattr(f, lo))}" for i, f in enumerate(forecast)]
        return " ".join([start, *upper, *reversed(lower)])

    return Chart(hist, mean, band("lo80", "hi80"), band("lo95", "hi95"),
                 y(picture.capacity) if picture.capacity else None, x(last), top, bottom)  # fmt: skip
