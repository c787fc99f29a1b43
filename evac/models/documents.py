"""Generated documents (transfer documents, flight manifests, acceptance confirmations), stored
with their version and SHA-256 so that the QR code on paper can be checked against them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import JSONType, UTCDateTime, utcnow


class Document(db.Model):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    # transfer, manifest, bundle, acceptance
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flight.id"), index=True)
    version: Mapped[int]
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # the random part of the verification URL printed as a QR code
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # hash of the content the document was made from: a change makes a new version
    content_hash: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()  # noqa: F821
