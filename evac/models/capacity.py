"""Bed capacity: reports as a time series, and the current beds per hospital and category.

A report is what a hospital said at a moment (kept for the trend lines and the exports).
HospitalBeds is the current state that placement and acceptance work on: it also counts beds
reserved by accepted offers whose patients have not arrived, and it is the row that acceptance
locks so that two hospitals' users can never take the same last bed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import UTCDateTime, utcnow


class CapacityReport(db.Model):
    __tablename__ = "capacity_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospital.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # portal, api, upload, coordinator, demo
    channel: Mapped[str] = mapped_column(String(20))
    isolation_free: Mapped[int] = mapped_column(default=0)
    # free negative-pressure rooms; None when the report did not say
    airborne_free: Mapped[int | None]

    hospital: Mapped[Hospital] = relationship()  # noqa: F821
    figures: Mapped[list[CapacityFigure]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )


class CapacityFigure(db.Model):
    __tablename__ = "capacity_figure"
    __table_args__ = (UniqueConstraint("report_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("capacity_report.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int]
    occupied: Mapped[int]
    # extra beds the hospital can open within 24 hours (surge), as EDXL-HAVE reports them
    surge: Mapped[int] = mapped_column(default=0)

    report: Mapped[CapacityReport] = relationship(back_populates="figures")


class HospitalBeds(db.Model):
    __tablename__ = "hospital_beds"
    __table_args__ = (UniqueConstraint("hospital_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospital.id"), index=True)
    # a bed category, or "isolation" / "airborne" for isolation and negative-pressure rooms
    # (capacity = free rooms reported)
    category: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(default=0)
    occupied: Mapped[int] = mapped_column(default=0)
    # accepted offers whose patient has not arrived yet
    reserved: Mapped[int] = mapped_column(default=0)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    surge: Mapped[int] = mapped_column(default=0)
    # A category closed to new patients (as IVENA's "Abmeldung" or HAVE's Closed), with why and
    # until when; the closure ends by itself then.
    closed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)

    def closed(self, now: datetime) -> bool:
        return self.closed_until is not None and self.closed_until > now

    hospital: Mapped[Hospital] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.occupied - self.reserved)


class TransportCapacityReport(db.Model):
    """Ambulance and MICU crews a region has available, as reported at a moment."""

    __tablename__ = "transport_capacity_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ambulances: Mapped[int] = mapped_column(default=0)
    micu: Mapped[int] = mapped_column(default=0)

    region: Mapped[Region] = relationship()  # noqa: F821
