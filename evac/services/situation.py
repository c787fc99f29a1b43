"""The daily situation report: where the country and each region stand (IC and clinical
occupancy, the change in 24 hours, the forecast), the evacuation pipeline of the day, transfers
between regions, stale capacity reports. No patient, no single case: it goes to the care chain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from evac.extensions import db
from evac.models import Case, Flight, Hospital, Region, StatusChange
from evac.services import capacity, outlook
from evac.terms import CaseStatus, Source

CATEGORIES = ("ic", "clinical")


@dataclass
class Figures:
    capacity: int = 0
    occupied: int = 0
    change: int | None = None  # occupied beds against the day before
    tomorrow: float | None = None  # the forecast for the next day
    week: float | None = None  # and for seven days on
    week_hi80: float | None = None

    @property
    def fraction(self) -> float | None:
        return self.occupied / self.capacity if self.capacity else None


@dataclass
class RegionLine:
    code: str
    name: str
    figures: dict[str, Figures] = field(default_factory=dict)


@dataclass
class Situation:
    day: date
    made: datetime
    national: dict[str, Figures]
    regions: list[RegionLine]
    pipeline: dict[str, int]
    transfers: list[tuple[str, str, str, int]]
    stale: list[tuple[str, str, str, datetime | None]]
    alerts: list
    notes: list = field(default_factory=list)


def _bounds(day: date) -> tuple[datetime, datetime]:
    """The day in the centre's time zone, as UTC instants."""
    zone = capacity.centre_zone()
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    return start, start + timedelta(days=1)


def _figures(pictures: list[outlook.Picture], day: date) -> dict[str, Figures]:
    out = {}
    for p in pictures:
        if p.category not in CATEGORIES:
            continue
        by_day = {d: (occ, cap) for d, occ, cap in p.history}
        occ, cap = by_day.get(day, (0, 0))
        before = by_day.get(day - timedelta(days=1))
        f = Figures(capacity=cap, occupied=occ, change=occ - before[0] if before else None)
        if p.forecast:
            f.tomorrow = p.forecast[0].mean
            f.week, f.week_hi80 = p.forecast[-1].mean, p.forecast[-1].hi80
        out[p.category] = f
    return out


def situation(day: date | None = None) -> Situation:
    """The situation report of a day (today when none is given)."""
    from evac.models.types import utcnow

    now = utcnow()
    zone = capacity.centre_zone()
    day = day or now.astimezone(zone).date()
    daily = capacity.daily_occupancy(days=28, today=day)
    national = _figures(outlook.pictures(None, today=day, daily=daily), day)
    regions = []
    for region in db.session.scalars(select(Region).order_by(Region.code)):
        line = RegionLine(region.code, region.name,
                          _figures(outlook.pictures(region.code, today=day, daily=daily), day))  # fmt: skip
        regions.append(line)
    regions.sort(key=lambda r: -(r.figures.get("ic", Figures()).fraction or 0))
    start, end = _bounds(day)
    return Situation(
        day=day,
        made=now,
        national=national,
        regions=regions,
        pipeline=_pipeline(start, end),
        transfers=_transfers(start, end),
        stale=_stale(min(end, now)),  # today's: by the time now, not by tonight's midnight
        alerts=_alerts(),
        notes=_notes(),
    )


def _pipeline(start: datetime, end: datetime) -> dict[str, int]:
    """How many cases reached each step of the evacuation chain that day."""
    reached = Counter(
        dict(
            db.session.execute(
                select(StatusChange.to_status, func.count())
                .where(StatusChange.at >= start, StatusChange.at < end)
                .group_by(StatusChange.to_status)
            ).all()
        )
    )
    returns = db.session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.source == Source.RETURN, Case.received_at >= start, Case.received_at < end)
    )
    landing = db.session.scalar(
        select(func.count())
        .select_from(Flight)
        .where(
            func.coalesce(Flight.actual_arrival, Flight.planned_arrival) >= start,
            func.coalesce(Flight.actual_arrival, Flight.planned_arrival) < end,
        )
    )
    return {
        "received": reached[CaseStatus.RECEIVED] - returns,
        "triaged": reached[CaseStatus.TRIAGED],
        "offered": reached[CaseStatus.OFFERED],
        "accepted": reached[CaseStatus.ACCEPTED],
        "flights": landing,
        "arrived": reached[CaseStatus.ARRIVED],
        "returns": returns,
        "cancelled": reached[CaseStatus.CANCELLED],
    }


def _transfers(start: datetime, end: datetime) -> list[tuple[str, str, str, int]]:
    """Patients accepted that day in another region than the one that sent them."""
    origin, target = aliased(Hospital), aliased(Hospital)
    origin_region, target_region = aliased(Region), aliased(Region)
    rows = db.session.execute(
        select(origin_region.code, target_region.code, Case.requested_care, func.count())
        .select_from(StatusChange)
        .join(Case, Case.id == StatusChange.case_id)
        .join(origin, origin.id == Case.origin_hospital_id)
        .join(origin_region, origin_region.id == origin.region_id)
        .join(target, target.id == Case.hospital_id)
        .join(target_region, target_region.id == target.region_id)
        .where(
            StatusChange.to_status == CaseStatus.ACCEPTED,
            StatusChange.at >= start,
            StatusChange.at < end,
            origin.region_id != target.region_id,
        )
        .group_by(origin_region.code, target_region.code, Case.requested_care)
        .order_by(origin_region.code, target_region.code)
    ).all()
    return [tuple(r) for r in rows]


def _stale(end: datetime) -> list[tuple[str, str, str, datetime | None]]:
    """Hospitals whose last capacity report before `end` is more than a day older than it (the
    day's end, or now for today)."""
    from evac.models import CapacityReport

    last = dict(
        db.session.execute(
            select(CapacityReport.hospital_id, func.max(CapacityReport.reported_at))
            .where(CapacityReport.reported_at < end)
            .group_by(CapacityReport.hospital_id)
        ).all()
    )
    out = []
    for h in db.session.scalars(
        select(Hospital).where(Hospital.active).join(Region).order_by(Region.code, Hospital.code)
    ):
        at = last.get(h.id)
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if at is None or end - at > capacity.STALE_AFTER:
            out.append((h.code, h.name, h.region.code, at))
    return out


def _notes() -> list[tuple[str, str, datetime]]:
    """The pinned handover notes: text, author, time (plain values for the PDF)."""
    from evac.services import handover

    return [
        (n.text, n.author.name if n.author else "", n.created_at) for n in handover.pinned_notes()
    ]


def _alerts() -> list:
    from evac.services import spreading

    return spreading.spread_alerts()


FIGURE_COLUMNS = ("date", "region", "category", "capacity", "occupied", "occupancy", "change_24h",
                  "forecast_tomorrow", "forecast_7d", "forecast_7d_hi80")  # fmt: skip


def render_pdf(s: Situation, lang: str) -> bytes:
    """The report as a PDF in Dutch or English."""
    from flask_babel import force_locale

    from evac import documents
    from evac.config import LOCALE_FORMATS

    with force_locale(LOCALE_FORMATS.get(lang, lang)):
        return documents.render_pdf("situation.html", {"s": s, "lang": lang})


def mail_report(day: date | None = None, lang: str = "nl") -> int:
    """Queue the day's report (PDF attached) for the distribution list; returns how many."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from evac.services import notify

    recipients = current_app.config["EVAC_SITREP_RECIPIENTS"]
    if not recipients:
        return 0
    s = situation(day)
    name = f"situation-{s.day.isoformat()}-{lang}.pdf"
    from evac.models import OutboxMessage

    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.attachment_name == name)):
        # Queued before (another host's cron a few seconds earlier): not twice a day.
        return 0
    data = render_pdf(s, lang)
    with force_locale(lang):
        subject = _("Situation report %(day)s", day=s.day.isoformat())

    def render():
        return subject, _(
            "The situation report of %(day)s is attached (PDF). The latest figures are in evac "
            "under Situation.",
            day=s.day.isoformat(),
        )

    notify.queue([(r, lang) for r in recipients], render,
                 attachment=(name, data))  # fmt: skip
    db.session.commit()
    return len(recipients)


def figures_rows(s: Situation) -> list[dict]:
    """Per region and category, the day's figures: the CSV and the API give these."""
    rows = []
    for line in [RegionLine("NL", "", s.national), *s.regions]:
        for category, f in line.figures.items():
            rows.append({
                "date": s.day.isoformat(), "region": line.code, "category": category,
                "capacity": f.capacity, "occupied": f.occupied,
                "occupancy": round(f.fraction, 4) if f.fraction is not None else None,
                "change_24h": f.change, "forecast_tomorrow": f.tomorrow,
                "forecast_7d": f.week, "forecast_7d_hi80": f.week_hi80,
            })  # fmt: skip
    return rows


# ---------------------------------------------------------------------------------------------
# Exports for partners


def have_xml() -> bytes:
    """Every active hospital's current beds as EDXL-HAVE 2.0 (available = free now)."""
    from evac.interop import have

    hospitals = []
    for rc in capacity.current_capacity():
        for hc in rc.hospitals:
            beds = {c: (b.capacity, b.free) for c, b in hc.beds.items()}
            if hc.isolation_free:
                beds["isolation"] = (hc.isolation_free, hc.isolation_free)
            hospitals.append({"code": hc.hospital.code, "name": hc.hospital.name,
                              "lat": hc.hospital.lat, "lon": hc.hospital.lon,
                              "reported_at": hc.reported_at, "beds": beds})  # fmt: skip
    hospitals.sort(key=lambda h: h["code"])
    return have.hospital_status(hospitals)


def fhir_bundle(day: date | None = None, region: str | None = None) -> dict:
    """Per region (or one region) a FHIR R4 MeasureReport of the day's beds, in one Bundle."""
    from evac.interop import fhir_capacity
    from evac.models.types import utcnow

    now = utcnow()
    zone = capacity.centre_zone()
    day = day or now.astimezone(zone).date()
    start, end = _bounds(day)
    daily = capacity.daily_occupancy(days=1, today=day)
    names = {r.code: r.name for r in db.session.scalars(select(Region))}
    beds: dict[str, dict[str, tuple[int, int]]] = {}
    for (_day, code, category), b in daily.items():
        if region is None or code == region:
            beds.setdefault(code, {})[category] = (b.capacity, b.occupied)
    reports = [
        fhir_capacity.measure_report(
            code,
            names.get(code, code),
            day,
            start.astimezone(zone),
            end.astimezone(zone),
            beds[code],
            current_app.config["EVAC_CENTRE_NAME"],
            now,
        )  # fmt: skip
        for code in sorted(beds)
    ]
    return fhir_capacity.bundle(reports, now)
