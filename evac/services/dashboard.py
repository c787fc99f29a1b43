"""Figures for the landing page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from evac import workflow
from evac.access import visible_cases
from evac.extensions import db
from evac.models import Case, ImportRecord, User
from evac.services.cases import URGENCY_RANK, on_desk
from evac.terms import CaseStatus, Role, Urgency


@dataclass
class Overview:
    counts: dict[str, int]
    open_total: int
    urgent_waiting: list[Case]
    recent_imports: list[ImportRecord]
    spread_alerts: list = field(default_factory=list)
    open_quotas: list = field(default_factory=list)
    pending_offers: list = field(default_factory=list)
    flights: list = field(default_factory=list)
    # (region, category, occupancy) at or above 90 %, fullest first
    full_regions: list = field(default_factory=list)


@dataclass
class FlightReadiness:
    """A flight of today or tomorrow and whether it is ready: every patient with an accepted
    hospital, a road leg from the airport planned for each."""

    flight: object
    patients: int
    accepted: int
    legs: int
    documents: int = 0
    fit: int = 0  # confirmed fit to fly

    @property
    def ready(self) -> bool:
        return (self.patients > 0
                and self.patients == self.accepted == self.legs == self.documents == self.fit)  # fmt: skip


def _flights_soon() -> list[FlightReadiness]:
    from datetime import timedelta

    from evac.models import Flight, Leg
    from evac.models.types import utcnow

    now = utcnow()
    flights = db.session.scalars(
        select(Flight)
        .where(Flight.status.in_(["planned", "departed"]),
               Flight.planned_arrival >= now - timedelta(hours=12),
               Flight.planned_arrival <= now + timedelta(days=2))
        .order_by(Flight.planned_arrival)
    ).all()  # fmt: skip
    out = []
    for f in flights:
        cases = db.session.scalars(
            select(Case).where(Case.flight_id == f.id, Case.status != CaseStatus.CANCELLED)
        ).all()
        with_leg = db.session.scalar(
            select(func.count(func.distinct(Leg.case_id))).where(
                Leg.case_id.in_([c.id for c in cases]), Leg.flight_id.is_(None)
            )
        ) if cases else 0  # fmt: skip
        accepted = sum(1 for c in cases if c.status in workflow.RECEIVED_BY_HOSPITAL
                       or c.status in workflow.HOLDS_BED)  # fmt: skip
        from evac.services import documents, transport

        current = len(documents.transfers_current([c for c in cases if c.hospital_id]))
        fit = len(transport.cleared_to_fly(cases))
        out.append(FlightReadiness(f, len(cases), accepted, with_leg or 0, current, fit))
    return out


def overview(user: User) -> Overview:
    base = visible_cases(user)
    rows = db.session.execute(
        base.with_only_columns(Case.status, func.count()).group_by(Case.status)
    ).all()
    counts = {status: n for status, n in rows}
    waiting = list(
        db.session.scalars(
            base.where(
                Case.status.in_([CaseStatus.RECEIVED, CaseStatus.TRIAGED, CaseStatus.PLACING]),
                on_desk(user),
                Case.urgency.in_([Urgency.IMMEDIATE, Urgency.URGENT]),
            )
            .options(selectinload(Case.patient))
            .order_by(URGENCY_RANK, Case.received_at)
            .limit(10)
        )
    )
    imports = []
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        imports = list(
            db.session.scalars(
                select(ImportRecord)
                .options(defer(ImportRecord.raw))  # the page names them; the files stay put
                .order_by(ImportRecord.received_at.desc())
                .limit(5)
            )
        )
    open_total = sum(n for s, n in counts.items() if workflow.is_open(s))
    from evac.services import capacity, spreading

    alerts, quotas, regions = [], [], []
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        # The same occupancy feeds the spread alerts and the full regions: read it once.
        regions = capacity.current_capacity()
        alerts = spreading.spread_alerts(regions)
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        quotas = spreading.quotas_for(user)
    pending, flights, full_regions = [], [], []
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        from evac.models import Offer
        from evac.terms import OfferStatus

        pending = list(db.session.scalars(
            select(Offer).where(Offer.status == OfferStatus.PENDING)
            .options(selectinload(Offer.hospital), selectinload(Offer.case))
            .order_by(Offer.deadline).limit(20)))  # fmt: skip
        flights = _flights_soon()
        # By the whole percent shown (rounded half to even, as the pages' figures are): a
        # region every page shows at 90 % is among those at 90 % or more.
        full_regions = sorted(
            ((rc.region.code, c, b.fraction) for rc in regions
             for c, b in rc.beds.items() if b.fraction is not None and round(b.fraction * 100) >= 90),
            key=lambda r: -r[2],
        )[:12]  # fmt: skip
    return Overview(counts, open_total, waiting, imports, alerts, quotas, pending, flights,
                    full_regions)  # fmt: skip


def new_since(user: User, since) -> list[Case]:
    """Cases received since the user's last look at the overview, for coordinators. Apart
    from the rest of the overview: the last look moves with every visit, the rest is kept
    until the data changes (evac.web.page_cache)."""
    if since is None or not user.has_role(Role.COORDINATOR, Role.ADMIN):
        return []
    return list(db.session.scalars(
        visible_cases(user).where(Case.received_at > since, on_desk(user))
        .order_by(Case.received_at.desc()).limit(20)))  # fmt: skip
