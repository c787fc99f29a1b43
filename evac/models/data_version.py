"""The data's versions, a row per table that has changed (see evac.data_version).

The one-row table `data_version` (migration 0014) is no longer used; it stays for processes of
the previous release during an upgrade."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from evac.extensions import db


class TableVersion(db.Model):
    __tablename__ = "table_version"

    # a table's name, or "*" for a change to everything
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
