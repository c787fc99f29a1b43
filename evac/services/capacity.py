"""Bed capacity: hospitals report beds per category (every report kept as a time series), the
centre sees occupancy per region, and regions report their ambulance and MICU crews.

HospitalBeds holds the current figures placement and acceptance work on; a report updates it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from evac.extensions import db
from evac.models import (
    CapacityFigure,
    CapacityReport,
    Hospital,
    HospitalBeds,
    Region,
    TransportCapacityReport,
    User,
)
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import Forbidden, InvalidInput, NotFound, Problem
from evac.terms import BedCategory, Role

# Categories with beds of their own ("other" is a request for something the registry lacks).
REPORTED = tuple(c.value for c in BedCategory if c != BedCategory.OTHER)
ISOLATION = "isolation"
# Negative-pressure rooms, for airborne isolation; like ISOLATION, a row of HospitalBeds whose
# capacity is the free rooms reported.
AIRBORNE = "airborne"
ROOMS = (ISOLATION, AIRBORNE)


def rooms_of(offer) -> list[str]:
    """The room an offer's patient takes beside the bed: a negative-pressure room for airborne
    isolation, a single room for other isolation, else none."""
    if getattr(offer, "airborne", False):
        return [AIRBORNE]
    return [ISOLATION] if offer.isolation else []


STALE_AFTER = timedelta(hours=24)
MAX_BEDS = 5000


@dataclass
class Figures:
    """One hospital's report: {category: (capacity, occupied)} and free isolation rooms."""

    categories: dict[str, tuple[int, int]]
    isolation_free: int | None = None
    # free negative-pressure rooms (airborne isolation)
    airborne_free: int | None = None
    # extra beds that can be opened within 24 hours, per category (optional)
    surge: dict[str, int] = field(default_factory=dict)

    def over_full(self) -> dict[str, tuple[int, int]]:
        """The categories with more patients than staffed beds. A hospital in a surge may have
        them (so they are kept), but more often a figure was mistyped: worth a second look."""
        return {c: (cap, occ) for c, (cap, occ) in self.categories.items() if occ > cap}


# ---------------------------------------------------------------------------------------------
# Reporting


def _hospital(code: str) -> Hospital:
    hospital = db.session.scalar(select(Hospital).where(Hospital.code == code.upper()))
    if hospital is None:
        raise NotFound(_("No hospital %(code)s.", code=code))
    return hospital


def may_report_for(user: User, hospital: Hospital) -> bool:
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        return True
    return user.has_role(Role.HOSPITAL) and user.hospital_id == hospital.id


def _check(figures: Figures, row: int | None = None) -> list[Problem]:
    problems = []
    if not figures.categories and figures.isolation_free is None and figures.airborne_free is None:
        problems.append(Problem("categories", _("Report at least one bed category."), row))
    for category, (capacity, occupied) in figures.categories.items():
        if category not in REPORTED:
            problems.append(
                Problem(
                    "category",
                    _(
                        "Unknown bed category '%(category)s'; expected one of: %(allowed)s.",
                        category=category,
                        allowed=", ".join(REPORTED),
                    ),
                    row,
                )
            )
        for name, value in (("capacity", capacity), ("occupied", occupied)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_BEDS:
                problems.append(
                    Problem(
                        f"{category}.{name}",
                        _(
                            "%(field)s must be a whole number from 0 to %(max)d.",
                            field=name,
                            max=MAX_BEDS,
                        ),
                        row,
                    )
                )
    for name in ("isolation_free", "airborne_free"):
        rooms = getattr(figures, name)
        if rooms is not None and (
            not isinstance(rooms, int) or isinstance(rooms, bool) or not 0 <= rooms <= 500
        ):
            problems.append(
                Problem(name, _("%(field)s must be a whole number from 0 to 500.", field=name), row)
            )
    return problems


def report_capacity(
    actor: User,
    hospital_code: str,
    figures: Figures,
    channel: str,
    reported_at: datetime | None = None,
) -> CapacityReport:
    """Record a hospital's report and make it the current figures."""
    hospital = _hospital(hospital_code)
    if not may_report_for(actor, hospital):
        raise Forbidden(_("You may report capacity only for your own hospital."))
    problems = _check(figures) + _surge_problems(figures)
    if problems:
        raise InvalidInput(problems)
    report = record_report(actor, hospital, figures, channel, reported_at or utcnow())
    db.session.commit()
    return report


def record_report(
    actor: User | None, hospital: Hospital, figures: Figures, channel: str, at: datetime
) -> CapacityReport:
    """Add a checked report to the transaction (the caller commits); also for system loads."""
    report = CapacityReport(
        hospital=hospital,
        reported_at=at,
        user_id=actor.id if actor else None,
        channel=channel,
        isolation_free=figures.isolation_free or 0,
        airborne_free=figures.airborne_free,
        figures=[
            CapacityFigure(category=c, capacity=cap, occupied=occ, surge=figures.surge.get(c, 0))
            for c, (cap, occ) in sorted(figures.categories.items())
        ],
    )
    db.session.add(report)
    current = {
        b.category: b
        for b in db.session.scalars(
            select(HospitalBeds).where(HospitalBeds.hospital_id == hospital.id)
        )
    }
    updates = dict(figures.categories)
    if figures.isolation_free is not None:
        updates[ISOLATION] = (figures.isolation_free, 0)
    if figures.airborne_free is not None:
        updates[AIRBORNE] = (figures.airborne_free, 0)
    for category, (capacity, occupied) in updates.items():
        beds = current.get(category)
        if beds is None:
            beds = HospitalBeds(hospital=hospital, category=category, reserved=0)
            db.session.add(beds)
        # An older report (a late CSV, say) joins the history but does not overwrite newer figures.
        if beds.reported_at is None or beds.reported_at <= at:
            beds.capacity, beds.occupied, beds.reported_at = capacity, occupied, at
            if category in figures.surge:
                beds.surge = figures.surge[category]
    audit.record(
        actor,
        "capacity.reported",
        hospital,
        channel=channel,
        categories={c: list(v) for c, v in figures.categories.items()},
        isolation_free=figures.isolation_free,
        airborne_free=figures.airborne_free,
    )
    return report


CSV_COLUMNS = ("hospital", "category", "capacity", "occupied")


def import_capacity_csv(actor: User, raw: bytes) -> list[CapacityReport]:
    """Many hospitals at once: one row per hospital and category. All or nothing.

    Columns: hospital, category, capacity, occupied, and optionally isolation_free and
    airborne_free (per hospital, on any of its rows) and reported_at (ISO 8601; now when
    absent).
    """
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only coordinators import capacity files."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            [Problem("", _("The file is not UTF-8 text. Save it as CSV UTF-8."), 1)]
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            [
                Problem(
                    "",
                    _("The header row lacks the columns %(columns)s.", columns=", ".join(missing)),
                    1,
                )
            ]
        )
    reader.fieldnames = header
    hospitals = {h.code: h for h in db.session.scalars(select(Hospital))}
    problems: list[Problem] = []
    batches: dict[tuple[str, datetime], Figures] = {}
    now = utcnow()
    for raw_row in reader:
        row = reader.line_num
        values = {k: (v or "").strip() for k, v in raw_row.items() if k}
        if not any(values.values()):
            continue
        code = values["hospital"].upper()
        if code not in hospitals:
            problems.append(
                Problem("hospital", _("Unknown hospital code: %(code)s.", code=code or "–"), row)
            )
            continue
        numbers = {}
        for name in ("capacity", "occupied", "isolation_free", "airborne_free"):
            if values.get(name, "") == "":
                continue
            try:
                numbers[name] = int(values[name])
            except ValueError:
                problems.append(
                    Problem(
                        name,
                        _(
                            "%(field)s is '%(value)s', not a whole number.",
                            field=name,
                            value=values[name],
                        ),
                        row,
                    )
                )
        at = now
        if values.get("reported_at"):
            try:
                at = datetime.fromisoformat(values["reported_at"].replace("Z", "+00:00"))
                at = at if at.tzinfo else at.replace(tzinfo=UTC)
            except ValueError:
                problems.append(
                    Problem("reported_at", _("reported_at is not a date and time (ISO 8601)."), row)
                )
        if "capacity" not in numbers or "occupied" not in numbers:
            if not any(p.row == row for p in problems):
                problems.append(Problem("capacity", _("capacity and occupied are required."), row))
            continue
        figures = batches.setdefault((code, at), Figures({}))
        category = values["category"].lower()
        if category in figures.categories:
            problems.append(
                Problem(
                    "category",
                    _("%(category)s appears twice for %(code)s.", category=category, code=code),
                    row,
                )
            )
        one = Figures(
            {category: (numbers["capacity"], numbers["occupied"])},
            numbers.get("isolation_free"),
            numbers.get("airborne_free"),
        )
        problems.extend(_check(one, row))
        figures.categories[category] = one.categories[category]
        for name in ("isolation_free", "airborne_free"):
            rooms = getattr(one, name)
            if rooms is None:
                continue
            if getattr(figures, name) not in (None, rooms):
                problems.append(
                    Problem(
                        name,
                        _("Different %(field)s values for %(code)s.", field=name, code=code),
                        row,
                    )
                )
            setattr(figures, name, rooms)
    if not batches and not problems:
        problems.append(Problem("", _("The file holds no capacity figures."), 2))
    if problems:
        raise InvalidInput(problems)
    reports = [
        record_report(actor, hospitals[code], figures, "upload", at)
        for (code, at), figures in batches.items()
    ]
    db.session.commit()
    return reports


def _surge_problems(figures: Figures, row: int | None = None) -> list[Problem]:
    return [
        Problem(
            f"surge-{c}", _("Extra beds must be a whole number from 0 to %(n)d.", n=MAX_BEDS), row
        )
        for c, n in figures.surge.items()
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_BEDS
    ]


MAX_CLOSURE = timedelta(days=14)


def close_category(
    actor: User, hospital_code: str, category: str, until: datetime | None, reason: str
) -> HospitalBeds:
    """Close a bed category to new patients until a time, with a reason: placement leaves it
    out and no offer is made for it meanwhile; the closure ends by itself."""
    hospital = _hospital(hospital_code)
    if not may_report_for(actor, hospital):
        raise Forbidden(_("You may report capacity only for your own hospital."))
    now = utcnow()
    problems = []
    if category not in REPORTED:
        problems.append(Problem("category", _("Choose a bed category.")))
    if until is None or until <= now or until > now + MAX_CLOSURE:
        problems.append(Problem("until", _("The end of a closure lies in the next 14 days.")))
    reason = (reason or "").strip()
    if not reason:
        problems.append(Problem("reason", _("Say why the category is closed.")))
    if problems:
        raise InvalidInput(problems)
    beds = db.session.scalar(
        select(HospitalBeds).where(
            HospitalBeds.hospital_id == hospital.id, HospitalBeds.category == category
        )
    )
    if beds is None:
        beds = HospitalBeds(hospital=hospital, category=category, reserved=0)
        db.session.add(beds)
    beds.closed_until, beds.closed_reason = until, reason[:500]
    audit.record(actor, "capacity.closed", hospital, category=category, until=until, reason=reason)
    db.session.commit()
    return beds


def reopen_category(actor: User, hospital_code: str, category: str) -> None:
    hospital = _hospital(hospital_code)
    if not may_report_for(actor, hospital):
        raise Forbidden(_("You may report capacity only for your own hospital."))
    beds = db.session.scalar(
        select(HospitalBeds).where(
            HospitalBeds.hospital_id == hospital.id, HospitalBeds.category == category
        )
    )
    if beds is not None and beds.closed_until is not None:
        beds.closed_until, beds.closed_reason = None, None
        audit.record(actor, "capacity.reopened", hospital, category=category)
        db.session.commit()


def closed_categories(now: datetime | None = None) -> dict[int, set[str]]:
    """Per hospital id: the categories closed to new patients now."""
    now = now or utcnow()
    out: dict[int, set[str]] = defaultdict(set)
    for hospital_id, category in db.session.execute(
        select(HospitalBeds.hospital_id, HospitalBeds.category).where(
            HospitalBeds.closed_until > now
        )
    ):
        out[hospital_id].add(category)
    return out


def report_transport(
    actor: User, region_code: str, ambulances: int, micu: int
) -> TransportCapacityReport:
    """Ambulance and MICU crews a region has available now."""
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only coordinators report transport capacity."))
    region = db.session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise NotFound(_("No region %(code)s.", code=region_code))
    problems = [
        Problem(name, _("%(field)s must be a whole number from 0 to 500.", field=name))
        for name, value in (("ambulances", ambulances), ("micu", micu))
        if not isinstance(value, int) or not 0 <= value <= 500
    ]
    if problems:
        raise InvalidInput(problems)
    report = TransportCapacityReport(
        region=region, user_id=actor.id, ambulances=ambulances, micu=micu
    )
    db.session.add(report)
    audit.record(actor, "transport_capacity.reported", region, ambulances=ambulances, micu=micu)
    db.session.commit()
    return report


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class Beds:
    capacity: int = 0
    occupied: int = 0
    reserved: int = 0
    surge: int = 0
    closed_until: datetime | None = None
    closed_reason: str | None = None
    reported_at: datetime | None = None

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.occupied - self.reserved)

    @property
    def fraction(self) -> float | None:
        if not self.capacity:
            return None
        return (self.occupied + self.reserved) / self.capacity

    def add(self, other: Beds) -> None:
        self.capacity += other.capacity
        self.occupied += other.occupied
        self.reserved += other.reserved
        self.surge += other.surge

    @classmethod
    def sum(cls, beds) -> Beds:
        total = cls()
        for b in beds:
            total.add(b)
        return total


@dataclass
class HospitalCapacity:
    hospital: Hospital
    beds: dict[str, Beds]
    isolation_free: int
    reported_at: datetime | None
    stale: bool
    airborne_free: int = 0

    @property
    def total(self) -> Beds:
        return Beds.sum(self.beds.values())


@dataclass
class RegionCapacity:
    region: Region
    beds: dict[str, Beds] = field(default_factory=dict)
    hospitals: list[HospitalCapacity] = field(default_factory=list)
    isolation_free: int = 0
    airborne_free: int = 0
    ambulances: int | None = None
    micu: int | None = None
    transport_reported_at: datetime | None = None
    trend: list[tuple[date, float | None]] = field(default_factory=list)

    @property
    def total(self) -> Beds:
        return Beds.sum(self.beds.values())

    @property
    def stale_count(self) -> int:
        return sum(1 for h in self.hospitals if h.stale)


def _hospital_figures(hospitals: list[Hospital], now: datetime) -> list[HospitalCapacity]:
    by_hospital = {h.id: HospitalCapacity(h, {}, 0, None, True) for h in hospitals}
    rows = db.session.scalars(
        select(HospitalBeds).where(HospitalBeds.hospital_id.in_(list(by_hospital)))
    )
    for row in rows:
        hc = by_hospital[row.hospital_id]
        if row.category == ISOLATION:
            hc.isolation_free = row.capacity
        elif row.category == AIRBORNE:
            hc.airborne_free = row.capacity
        else:
            hc.beds[row.category] = Beds(
                row.capacity, row.occupied, row.reserved, row.surge,
                row.closed_until if row.closed(now) else None,
                row.closed_reason if row.closed(now) else None, row.reported_at,
            )  # fmt: skip
        if row.reported_at and (hc.reported_at is None or row.reported_at > hc.reported_at):
            hc.reported_at = row.reported_at
    for hc in by_hospital.values():
        hc.stale = hc.reported_at is None or now - hc.reported_at > STALE_AFTER
    return list(by_hospital.values())


def current_capacity(now: datetime | None = None) -> list[RegionCapacity]:
    """Every region with its sums per category and its hospitals, busiest region first."""
    now = now or utcnow()
    regions = {r.id: RegionCapacity(r) for r in db.session.scalars(select(Region))}
    hospitals = db.session.scalars(
        select(Hospital)
        .where(Hospital.active)
        .options(selectinload(Hospital.region))
        .order_by(Hospital.name)
    )
    for hc in _hospital_figures(list(hospitals), now):
        rc = regions[hc.hospital.region_id]
        rc.hospitals.append(hc)
        rc.isolation_free += hc.isolation_free
        rc.airborne_free += hc.airborne_free
        for category, beds in hc.beds.items():
            rc.beds.setdefault(category, Beds()).add(beds)
    for report in _latest_transport():
        rc = regions[report.region_id]
        rc.ambulances, rc.micu, rc.transport_reported_at = (
            report.ambulances,
            report.micu,
            report.reported_at,
        )
    return sorted(regions.values(), key=lambda r: (-(r.total.fraction or 0), r.region.code))


def _latest_transport() -> list[TransportCapacityReport]:
    latest: dict[int, TransportCapacityReport] = {}
    for report in db.session.scalars(
        select(TransportCapacityReport).order_by(TransportCapacityReport.reported_at)
    ):
        latest[report.region_id] = report
    return list(latest.values())


def history_version() -> tuple[int, int]:
    """Changes whenever reports are added (they are only ever added), also when a long import
    commits reports whose ids are lower than one committed meanwhile: the count moves too."""
    count, highest = db.session.execute(
        select(func.count(CapacityReport.id), func.max(CapacityReport.id))
    ).one()
    return count or 0, highest or 0


def daily_occupancy(days: int = 14, today: date | None = None) -> dict[tuple[date, str, str], Beds]:
    """Per day, region and category: the sums of each hospital's last report of that day (or
    before). Reserved beds are not part of reports, so the history shows reported occupancy.

    The capacity page and the region pages draw the same history for every reader, so it is
    drawn once per process and carried forward: a report about today changes only today."""
    today = today or centre_today()
    version = history_version()
    held = _held.get(days)
    if held is None or held.today != today or held.version != version:
        held = (held and held.today == today and _carried_forward(held, version)) or _drawn_anew(
            days, today, version
        )
        _held[days] = held
    # A copy per caller: callers add to the Beds they get.
    return {k: Beds(b.capacity, b.occupied) for k, b in held.sums.items()}


@dataclass(frozen=True)
class _History:
    """A drawn history, as this process holds it (read-only once made)."""

    days: int
    today: date
    version: tuple[int, int]  # history_version when drawn
    region_of: dict[int, str]
    # Each hospital's and category's last point up to the end of today: (time, capacity, occupied)
    last: dict[tuple[int, str], tuple[datetime, int, int]]
    sums: dict[tuple[date, str, str], Beds]


# Per window length: the last history drawn. Tests forget it between cases (forget_history);
# in use, reports are never deleted, so a version is never handed out twice.
_held: dict[int, _History] = {}


def forget_history() -> None:
    _held.clear()


def centre_today() -> date:
    """Today as the centre lives it (EVAC_TIMEZONE): the days of the capacity history, the
    forecasts and the situation report begin at the centre's midnight, not at UTC's."""
    return utcnow().astimezone(centre_zone()).date()


def centre_zone() -> ZoneInfo:
    """The centre's time zone (EVAC_TIMEZONE)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _end_of(day: date) -> datetime:
    """The last moment of the centre's day."""
    return datetime.combine(day, time.max, tzinfo=centre_zone())


def _regions_of_hospitals() -> dict[int, str]:
    return dict(db.session.execute(select(Hospital.id, Region.code).join(Region)).all())


def _drawn_anew(days: int, today: date, version: tuple[int, int]) -> _History:
    first = today - timedelta(days=days - 1)
    ends = [_end_of(first + timedelta(d)) for d in range(days)]
    region_of = _regions_of_hospitals()
    series: dict[tuple[int, str], list[tuple[datetime, int, int]]] = defaultdict(list)
    query = (
        select(CapacityReport.hospital_id, CapacityReport.reported_at, CapacityFigure.category,
               CapacityFigure.capacity, CapacityFigure.occupied)
        .join(CapacityFigure)
        # A point older than this is superseded or too old for every day drawn: the page reads
        # the window it draws, not the whole history.
        .where(CapacityReport.reported_at <= ends[-1],
               CapacityReport.reported_at >= ends[0] - timedelta(days=days))
        # Of two reports at the same moment the later one counts, as when carried forward.
        .order_by(CapacityReport.reported_at, CapacityReport.id)
    )  # fmt: skip
    for hospital_id, at, category, capacity, occupied in db.session.execute(query):
        series[(hospital_id, category)].append((_aware(at), capacity, occupied))
    sums: dict[tuple[date, str, str], Beds] = {}
    last_points: dict[tuple[int, str], tuple[datetime, int, int]] = {}
    for (hospital_id, category), points in series.items():
        i, last = 0, None
        for end in ends:
            while i < len(points) and points[i][0] <= end:
                last = points[i]
                i += 1
            if last is not None:
                _add_point(sums, end, region_of[hospital_id], category, last, days)
        if last is not None:
            last_points[(hospital_id, category)] = last
    return _History(days, today, version, region_of, last_points, sums)


def _add_point(sums, end: datetime, region: str, category: str, point, days: int) -> None:
    if end - point[0] > timedelta(days=days):
        return  # too old to stand for this day
    sums.setdefault((end.date(), region, category), Beds()).add(Beds(point[1], point[2]))


def _carried_forward(held: _History, version: tuple[int, int]) -> _History | None:
    """`held` with the reports added since, when all of them are about today (the common case:
    hospitals report their current figures). None when the history must be drawn anew: a late
    report about an earlier day, a report committed with a lower id than one already seen (its
    count gives it away), or a hospital moved to another region."""
    count, highest = version
    seen_count, seen_highest = held.version
    if count < seen_count or highest < seen_highest:
        return None
    rows = db.session.execute(
        select(CapacityReport.id, CapacityReport.hospital_id, CapacityReport.reported_at,
               CapacityFigure.category, CapacityFigure.capacity, CapacityFigure.occupied)
        .outerjoin(CapacityFigure)
        .where(CapacityReport.id > seen_highest)
        .order_by(CapacityReport.reported_at, CapacityReport.id)
    ).all()  # fmt: skip
    if len({row.id for row in rows}) != count - seen_count:
        return None
    start, end = _end_of(held.today - timedelta(days=1)), _end_of(held.today)
    if any(_aware(row.reported_at) <= start for row in rows):
        return None
    region_of = _regions_of_hospitals()
    if region_of != held.region_of:
        return None
    last = dict(held.last)
    for row in rows:
        at = _aware(row.reported_at)
        key = (row.hospital_id, row.category)
        # A report about a later day waits for that day; of two about today the later one
        # counts (at the same moment, the one added last).
        if row.category is not None and at <= end and (key not in last or at >= last[key][0]):
            last[key] = (at, row.capacity, row.occupied)
    sums = {key: beds for key, beds in held.sums.items() if key[0] != held.today}
    for (hospital_id, category), point in last.items():
        _add_point(sums, end, region_of[hospital_id], category, point, held.days)
    return replace(held, version=version, last=last, sums=sums)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def with_trends(regions: list[RegionCapacity], days: int = 14) -> list[RegionCapacity]:
    totals: dict[tuple[str, date], Beds] = defaultdict(Beds)
    for (day, region, _category), beds in daily_occupancy(days).items():
        totals[(region, day)].add(beds)
    today = centre_today()
    days_shown = [today - timedelta(days=days - 1 - d) for d in range(days)]
    for rc in regions:
        rc.trend = [(day, totals[(rc.region.code, day)].fraction) for day in days_shown]
    return regions


def occupancy_csv(days: int = 14) -> str:
    """Regional occupancy per day and category, as a national centre publishes for partners."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "region", "category", "capacity", "occupied", "free", "occupancy"])
    for (day, region, category), beds in sorted(daily_occupancy(days).items()):
        fraction = "" if beds.fraction is None else f"{beds.fraction:.3f}"
        writer.writerow([day.isoformat(), region, category, beds.capacity, beds.occupied,
                         max(0, beds.capacity - beds.occupied), fraction])  # fmt: skip
    return out.getvalue()


def hospital_capacity(user: User, code: str) -> HospitalCapacity:
    """One hospital's current figures, for those who may report for it."""
    hospital = _hospital(code)
    if not may_report_for(user, hospital):
        raise Forbidden(_("You may report capacity only for your own hospital."))
    return _hospital_figures([hospital], utcnow())[0]
