"""The audit trail: an append-only log of who did what, written in the same transaction as the
change it records. The database itself refuses updates and deletes of audit rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType, UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Kept as text too, so the trail still says who it was if the user is ever deactivated.
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_ref: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)

    user: Mapped[User | None] = relationship()  # noqa: F821
