"""The history CSV of ../shared/specs/forecast.md: one series per (region, category), days in
any order, unknown days allowed. A line that does not follow the spec is a HistoryError naming
its line and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

REQUIRED = ("date", "region", "category", "occupied")
UNKNOWN = {"", "na", "nan"}


class HistoryError(ValueError):
    """The history does not follow the spec; the message names the line and column."""


@dataclass
class Series:
    region: str
    category: str
    # day -> occupied (None: unknown)
    occupied: dict[date, float | None] = field(default_factory=dict)
    capacity: dict[date, float] = field(default_factory=dict)
    admissions: dict[date, float] = field(default_factory=dict)

    @property
    def known(self) -> list[tuple[date, float]]:
        return sorted((d, v) for d, v in self.occupied.items() if v is not None)

    @property
    def last_date(self) -> date:
        return max(self.occupied)


def _count(raw: str, line: int, column: str, optional_unknown: bool) -> float | None:
    text = (raw or "").strip()
    if text.lower() in UNKNOWN:
        if optional_unknown:
            return None
        raise HistoryError(f"line {line}, column {column}: expected a number")
    try:
        value = float(text)
    except ValueError:
        raise HistoryError(
            f"line {line}, column {column}: expected a number, got {text!r}"
        ) from None
    if value < 0 or value != value or value == float("inf"):
        raise HistoryError(f"line {line}, column {column}: expected a number >= 0")
    if not value.is_integer():
        raise HistoryError(f"line {line}, column {column}: expected a whole number of beds")
    return value


def parse_history(content: bytes | str) -> list[Series]:
    """The series of a history file, sorted by region and category."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HistoryError(f"line 1, column -: not UTF-8 ({exc.reason})") from None
    elif content.startswith("\ufeff"):
        content = content[1:]
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise HistoryError("line 1, column -: the file is empty") from None
    except csv.Error as exc:
        raise HistoryError(f"line 1, column -: {exc}") from None
    for name in REQUIRED:
        if name not in header:
            raise HistoryError(f"line 1, column {name}: the header lacks this column")
    index = {name: header.index(name) for name in header}
    series: dict[tuple[str, str], Series] = {}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                missing = header[len(row)]
                raise HistoryError(f"line {line}, column {missing}: the row has too few columns")

            def cell(name: str, row=row) -> str:
                return row[index[name]] if name in index else ""

            try:
                day = date.fromisoformat(cell("date").strip())
            except ValueError:
                raise HistoryError(f"line {line}, column date: expected YYYY-MM-DD") from None
            region, category = cell("region").strip(), cell("category").strip()
            if not region:
                raise HistoryError(f"line {line}, column region: empty")
            if not category:
                raise HistoryError(f"line {line}, column category: empty")
            s = series.setdefault((region, category), Series(region, category))
            if day in s.occupied:
                raise HistoryError(
                    f"line {line}, column date: {day} appears twice for {region} {category}"
                )
            s.occupied[day] = _count(cell("occupied"), line, "occupied", True)
            if (
                "capacity" in index
                and (cap := _count(cell("capacity"), line, "capacity", True)) is not None
            ):
                s.capacity[day] = cap
            if (
                "admissions" in index
                and (adm := _count(cell("admissions"), line, "admissions", True)) is not None
            ):
                s.admissions[day] = adm
    except csv.Error as exc:
        raise HistoryError(f"line {line + 1}, column -: {exc}") from None
    if not series:
        raise HistoryError("line 2, column -: the file holds no rows")
    return [series[k] for k in sorted(series)]
