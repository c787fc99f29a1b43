"""The 11 ROAZ regions and the hospitals in them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    trauma_centre: Mapped[str] = mapped_column(String(200), default="")
    provinces: Mapped[str] = mapped_column(String(300), default="")

    hospitals: Mapped[list[Hospital]] = relationship(
        back_populates="region", order_by="Hospital.name"
    )


class Hospital(db.Model):
    __tablename__ = "hospital"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    # umc, top_clinical or general (the registry's type)
    kind: Mapped[str] = mapped_column(String(20))
    burn_centre: Mapped[bool] = mapped_column(default=False)
    trauma_centre: Mapped[bool] = mapped_column(default=False)
    picu: Mapped[bool] = mapped_column(default=False)
    # Bed categories this location offers at all (capacity reports say how many are free).
    capabilities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(back_populates="hospitals")
