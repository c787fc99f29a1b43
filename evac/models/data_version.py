"""The data's versions, a row per table that has changed (see evac.data_version)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from evac.extensions import db


class TableVersion(db.Model):
    __tablename__ = "table_version"

    # a table's name, or "*" for a change to everything
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class PreviousDataVersion(db.Model):
    """The one-row version of migration 0014, no longer read or moved by this release: it stays
    for processes of the previous release, which move it with each commit while an upgrade is
    under way. A later migration drops it (and this model)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
