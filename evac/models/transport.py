"""Transport: flights (or any mission) and the legs of each case's journey."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import UTCDateTime, utcnow


class Flight(db.Model):
    __tablename__ = "flight"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    operator: Mapped[str] = mapped_column(String(200))
    departure_place: Mapped[str] = mapped_column(String(200))
    arrival_airport: Mapped[str] = mapped_column(String(200))
    arrival_lat: Mapped[float]
    arrival_lon: Mapped[float]
    planned_departure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_departure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stretcher_places: Mapped[int] = mapped_column(default=0)
    seated_places: Mapped[int] = mapped_column(default=0)
    # planned, departed, landed, cancelled
    status: Mapped[str] = mapped_column(String(12), default="planned")
    notes: Mapped[str | None] = mapped_column(Text)


class Leg(db.Model):
    __tablename__ = "leg"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flight.id"), index=True)
    sequence: Mapped[int] = mapped_column(default=1)
    # aircraft, ambulance, micu, helicopter, taxi
    mode: Mapped[str] = mapped_column(String(12))
    from_place: Mapped[str] = mapped_column(String(200))
    to_place: Mapped[str] = mapped_column(String(200))
    carrier: Mapped[str | None] = mapped_column(String(200))
    planned_departure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_departure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()  # noqa: F821
    flight: Mapped[Flight | None] = relationship()


class FitnessToFly(db.Model):
    """A physician's confirmation that a patient may fly, with the equipment and attendants the
    journey needs. It holds for the triage it was given on: a new triage asks for a new one."""

    __tablename__ = "fitness_to_fly"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    triage_id: Mapped[int | None] = mapped_column(ForeignKey("triage_record.id"))
    physician: Mapped[str] = mapped_column(String(200))
    equipment: Mapped[str | None] = mapped_column(Text)
    attendants: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
