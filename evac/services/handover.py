"""The handover log: what one shift tells the next (a flight delayed, a hospital to call back),
pinned on the overview and in the situation report until someone resolves it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evac.extensions import db
from evac.models import HandoverNote, User
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import Forbidden, InvalidInput, NotFound, Problem
from evac.terms import Role

WRITERS = (Role.COORDINATOR, Role.ADMIN)


def add_note(actor: User, text: str) -> HandoverNote:
    if not actor.has_role(*WRITERS):
        raise Forbidden(_("Only coordinators write in the handover log."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput([Problem("text", _("Write the note first."))])
    note = HandoverNote(text=text[:2000], author_id=actor.id, pinned=True)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "handover.noted", note)
    db.session.commit()
    return note


def resolve(actor: User, note_id: int) -> HandoverNote:
    if not actor.has_role(*WRITERS):
        raise Forbidden(_("Only coordinators write in the handover log."))
    note = db.session.get(HandoverNote, note_id)
    if note is None:
        raise NotFound(_("No such note."))
    if note.resolved_at is None:
        note.resolved_at, note.resolved_by_id, note.pinned = utcnow(), actor.id, False
        audit.record(actor, "handover.resolved", note)
        db.session.commit()
    return note


def pinned_notes() -> list[HandoverNote]:
    return list(
        db.session.scalars(
            select(HandoverNote)
            .where(HandoverNote.pinned, HandoverNote.resolved_at.is_(None))
            .options(selectinload(HandoverNote.author))
            .order_by(HandoverNote.created_at.desc())
        )
    )
