"""Spreading plans (who asked, when, the instance and the optimal plan, the plan as issued) and
the transfer quotas they give the sending regions: "N patients of category c to region s"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType, UTCDateTime, utcnow


class SpreadingPlan(db.Model):
    __tablename__ = "spreading_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # "national" (regions as units) or a region's code (its hospitals as units)
    scope: Mapped[str] = mapped_column(String(16), default="national")
    instance: Mapped[dict] = mapped_column(JSONType)
    result: Mapped[dict] = mapped_column(JSONType)
    # proposed, issued (quotas made) or superseded
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    # the moves as issued, after the coordinator's changes: [{"from", "to", "category", "patients"}]
    issued: Mapped[list | None] = mapped_column(JSONType)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])  # noqa: F821
    quotas: Mapped[list[TransferQuota]] = relationship(
        back_populates="plan", order_by="TransferQuota.id"
    )


class TransferQuota(db.Model):
    """What a sending region is asked to do: move this many patients of a category to a region.
    Its coordinator fills it with named patients (domestic cases with the destination set)."""

    __tablename__ = "transfer_quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("spreading_plan.id"), index=True)
    from_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    to_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    category: Mapped[str] = mapped_column(String(20))
    patients: Mapped[int]
    # open, filled or cancelled
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[SpreadingPlan] = relationship(back_populates="quotas")
    from_region: Mapped[Region] = relationship(foreign_keys=[from_region_id])  # noqa: F821
    to_region: Mapped[Region] = relationship(foreign_keys=[to_region_id])  # noqa: F821


class Scenario(db.Model):
    """A what-if a coordinator described (arrivals, lost beds, more domestic transfers), with
    its day-by-day projection; shared ones are read by the care chain's partners too."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    shared: Mapped[bool] = mapped_column(default=False)
    params: Mapped[dict] = mapped_column(JSONType)
    result: Mapped[dict] = mapped_column(JSONType)

    user: Mapped[User | None] = relationship()  # noqa: F821
