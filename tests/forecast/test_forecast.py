"""Forecasts (../shared/specs/forecast.md): the format and its errors, ordered intervals, a
constant series forecast as itself, short series, gaps, and a wave followed."""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
from datetime import date, timedelta

import pytest

from evac.forecast import HistoryError, Series, forecast_series, parse_history
from evac.forecast.write import HEADER, write_csv

DAY0 = date(2026, 9, 1)


def history(rows: list[str], header: str = "date,region,category,occupied,capacity") -> str:
    return "\n".join([header, *rows]) + "\n"


def series(values, region="NW", category="ic") -> Series:
    return Series(region, category, {DAY0 + timedelta(i): v for i, v in enumerate(values)})


def test_the_output_has_the_specs_columns_order_and_one_decimal():
    rows = [f"{DAY0 + timedelta(i)},{r},{c},{50 + i % 5},80" for i in range(30)
            for r, c in (("NW", "ic"), ("NN", "clinical"), ("NN", "ic"))]  # fmt: skip
    out = io.StringIO()
    write_csv(parse_history(history(rows)), 5, out)
    table = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(table[0]) == HEADER
    keys = [(r[1], r[2], r[0]) for r in table[1:]]
    assert keys == sorted(keys) and len(keys) == 15
    assert keys[0] == ("NN", "clinical", str(DAY0 + timedelta(30)))
    for r in table[1:]:
        values = [float(v) for v in r[3:8]]
        assert all(v >= 0 and v == round(v, 1) for v in values)
        mean, lo80, hi80, lo95, hi95 = values
        assert lo95 <= lo80 <= mean <= hi80 <= hi95


def test_a_constant_series_is_forecast_as_itself():
    for f in forecast_series(series([42] * 40), 7):
        assert (f.mean, f.lo80, f.hi80, f.lo95, f.hi95) == (42, 42, 42, 42, 42)


def test_a_short_series_is_its_last_value_with_a_note():
    f = forecast_series(series([10, 12, 11]), 3)
    assert [x.mean for x in f] == [11, 11, 11] and all(x.note == "too little history" for x in f)
    assert f[0].lo80 < 11 < f[0].hi80 and f[2].hi95 - f[2].lo95 > f[0].hi95 - f[0].lo95
    assert [x.day for x in f] == [DAY0 + timedelta(3 + i) for i in range(3)]


def test_a_rising_wave_is_followed_and_the_band_widens_with_the_horizon():
    values = [round(40 * math.exp(0.03 * t)) for t in range(60)]
    f = forecast_series(series(values), 7)
    assert f[0].mean > values[-1] and f[6].mean > f[0].mean  # the rise goes on
    assert f[6].hi80 - f[6].lo80 >= f[0].hi80 - f[0].lo80


def test_unknown_days_are_gaps_not_zeros():
    rows = [f"{DAY0 + timedelta(i)},NW,ic,{'NA' if i % 4 == 0 else 100},120" for i in range(40)]
    (s,) = parse_history(history(rows))
    assert len(s.known) == 30
    assert all(95 <= f.mean <= 105 for f in forecast_series(s, 7))


def test_the_forecast_starts_after_each_series_own_last_date():
    rows = [f"{DAY0 + timedelta(i)},NW,ic,10,20" for i in range(10)] + [
        f"{DAY0 + timedelta(i)},NN,ic,10,20" for i in range(12)
    ]
    by_region = {s.region: forecast_series(s, 2) for s in parse_history(history(rows))}
    assert by_region["NW"][0].day == DAY0 + timedelta(10)
    assert by_region["NN"][0].day == DAY0 + timedelta(12)


@pytest.mark.parametrize(
    "text,says",
    [
        (history(["2026-09-01,NW,ic,-3,10"]), "line 2, column occupied"),
        (history(["2026-09-01,NW,ic,3,10", "2026-09-31,NW,ic,3,10"]), "line 3, column date"),
        (history(["2026-09-01,NW,ic,abc,10"]), "line 2, column occupied"),
        (history(["2026-09-01,NW,ic,3,x"]), "line 2, column capacity"),
        (history(["2026-09-01,,ic,3,10"]), "line 2, column region"),
        (history(["2026-09-01,NW,ic,3,10", "2026-09-01,NW,ic,4,10"]), "line 3, column date"),
        ("date,region,occupied\n2026-09-01,NW,3\n", "line 1, column category"),
        (history(["2026-09-01,NW,ic,2.5,10"]), "line 2, column occupied"),
    ],
)
def test_a_bad_history_names_the_line_and_column(text, says):
    with pytest.raises(HistoryError) as err:
        parse_history(text)
    assert says in str(err.value)


def test_a_byte_order_mark_and_extra_columns_are_fine():
    text = "\ufeff" + history([f"2026-09-0{i},NW,ic,{i},9,2,x" for i in range(1, 9)],
                              header="date,region,category,occupied,capacity,admissions,extra")  # fmt: skip
    (s,) = parse_history(text.encode("utf-8"))
    assert s.admissions[DAY0] == 2 and len(s.known) == 8


def run(tmp_path, text, *args):
    path = tmp_path / "history.csv"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "evac.forecast", str(path), *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_command_prints_the_forecast_and_exits_2_on_a_bad_line(tmp_path):
    rows = [f"{DAY0 + timedelta(i)},NW,ic,{20 + i % 3},30" for i in range(30)]
    done = run(tmp_path, history(rows), "--horizon", "28")
    assert done.returncode == 0 and len(done.stdout.strip().splitlines()) == 29
    bad = run(tmp_path, history([*rows, "2026-10-31,NW,ic,lots,30"]))
    assert bad.returncode == 2 and "line 32, column occupied" in bad.stderr and bad.stdout == ""
    assert run(tmp_path, history(rows), "--horizon", "29").returncode == 2
