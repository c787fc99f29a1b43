"""Triage: a coordinator's classification of a patient. Each triage is a record of its own, so
re-triage keeps the history; the case points to the latest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType, UTCDateTime, utcnow


class TriageRecord(db.Model):
    __tablename__ = "triage_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    bed_category: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    mobility: Mapped[str] = mapped_column(String(20))
    ventilated: Mapped[bool | None]  # None: not known (no default: it would take None for "no")
    oxygen_l_min: Mapped[float | None]
    isolation_required: Mapped[bool] = mapped_column(default=False)
    mdro_status: Mapped[str] = mapped_column(String(10), default="unknown")
    companions_count: Mapped[int] = mapped_column(default=0)
    companions_need_lodging: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    fit_to_fly: Mapped[bool | None]
    clinical_notes: Mapped[str | None] = mapped_column(Text)
    # What the rules suggested, and why: {field: {"value": ..., "rule": ...}}
    suggestions: Mapped[dict] = mapped_column(JSONType, default=dict)
    # What this triage changed compared to the one before: {field: [old, new]}
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])  # noqa: F821
    user: Mapped[User | None] = relationship()  # noqa: F821
