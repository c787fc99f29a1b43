"""Placement proposals and offers: what the engine proposed, and what was offered to which
hospital with what answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType, UTCDateTime, utcnow


class PlacementProposal(db.Model):
    """One run of the placement engine: the instance it solved and the result, kept so that any
    proposal can be re-checked outside the app."""

    __tablename__ = "placement_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # single (one case) or batch (several cases, or a flight)
    kind: Mapped[str] = mapped_column(String(10))
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flight.id"))
    instance: Mapped[dict] = mapped_column(JSONType)
    result: Mapped[dict] = mapped_column(JSONType)
    # case reference -> hospital code as the coordinator finally chose (overrides included)
    chosen: Mapped[dict] = mapped_column(JSONType, default=dict)

    user: Mapped[User | None] = relationship()  # noqa: F821


class Offer(db.Model):
    __tablename__ = "offer"
    __table_args__ = (
        Index("ix_offer_hospital_status", "hospital_id", "status"),
        # At most one pending offer per case, whatever races the application loses.
        Index(
            "uq_offer_one_pending_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospital.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("placement_proposal.id"))
    # pending, accepted, declined, expired, withdrawn
    status: Mapped[str] = mapped_column(String(12), default="pending")
    bed_category: Mapped[str] = mapped_column(String(20))
    isolation: Mapped[bool] = mapped_column(default=False)
    # airborne isolation: the patient takes a negative-pressure room, not a single room
    airborne: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ward: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    admission_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admission_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    decline_note: Mapped[str | None] = mapped_column(Text)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()  # noqa: F821
    hospital: Mapped[Hospital] = relationship()  # noqa: F821
    proposal: Mapped[PlacementProposal | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])  # noqa: F821


class Setting(db.Model):
    """An admin setting (placement weights, offer deadlines): a JSON value under a key."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class OutboxMessage(db.Model):
    """An e-mail to send; written in the transaction of the change, sent (and retried) after."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending, sent, failed (gave up)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One file sent along (the situation report's PDF); never a patient's document.
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
