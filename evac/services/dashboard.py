"""Figures for the landing page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

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
                select(ImportRecord).order_by(ImportRecord.received_at.desc()).limit(5)
            )
        )
    open_total = sum(n for s, n in counts.items() if workflow.is_open(s))
    from evac.services import spreading

    alerts, quotas = [], []
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        alerts = spreading.spread_alerts()
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        quotas = spreading.quotas_for(user)
    return Overview(counts, open_total, waiting, imports, alerts, quotas)
