"""The shift's handover log: notes with their author and time, pinned until resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import UTCDateTime, utcnow


class HandoverNote(db.Model):
    __tablename__ = "handover_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    pinned: Mapped[bool] = mapped_column(default=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])  # noqa: F821
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])  # noqa: F821
