"""The data's version: one number that every committed change to the data moves on, on every
host, so that a page may keep what it drew until the data changes (evac.web.page_cache).

Why it is safe to trust: the number moves inside the changing transaction, as its last
statement, so the change and the new number become visible to other connections at the same
moment. A reader that sees the new number sees the change; a reader that read the old number
and then the new data at worst keeps newer data under the old number, which the next reader
never asks for. A rollback undoes the number with the change.

What it costs writers: they queue on the one row, but only from their last statement to their
commit, and hold no other lock they wait for after it, so it adds no deadlock.

Writes are noticed at the driver (every INSERT, UPDATE, DELETE and schema change a Session
sends, ORM or plain SQL alike); the number is moved when such a Session commits. Code that
writes outside a Session (a bare Connection) must call `move_on` in its transaction.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from evac.extensions import db
from evac.models.data_version import DataVersion

TABLE = DataVersion.__tablename__
# Writes no page shows: the number itself. (Not the sign-in throttle: every attempt writes it,
# for known and unknown addresses alike, so neither can be told apart by pages redrawn.)
QUIET_TABLES = frozenset({TABLE})

_WROTE = "evac.data_version.wrote"
_CONNECTIONS = "evac.data_version.connections"
_COMMENTS = re.compile(r"\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)
# Statements that never change data; anything else counts as a change.
_READS = re.compile(r"(select|savepoint|release|rollback|show|set|begin|commit|explain|pragma)\b",
                    re.IGNORECASE)  # fmt: skip
_ONE_TABLE = re.compile(r'(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?\s', re.IGNORECASE)
_MOVE_ON = text(f"UPDATE {TABLE} SET value = value + 1 WHERE id = 1")


def writes(statement: str) -> bool:
    """Whether a statement may change what a page shows. What it cannot tell for sure counts
    as a change (a function called in a SELECT aside): a needless new version costs one drawing
    of a page, a missed one would show stale data."""
    statement = statement[_COMMENTS.match(statement).end() :]
    if _READS.match(statement):
        return False
    if statement[:4].lower() == "with":
        return re.search(r"\b(insert|update|delete|merge)\b", statement, re.IGNORECASE) is not None
    table = _ONE_TABLE.match(statement)
    return table is None or table.group(1).lower() not in QUIET_TABLES


def current() -> int:
    """The version as this transaction sees it. Read it before the data it stands for."""
    return db.session.execute(text(f"SELECT value FROM {TABLE} WHERE id = 1")).scalar_one()


def move_on(connection: Connection) -> None:
    if connection.execute(_MOVE_ON).rowcount != 1:
        raise RuntimeError(f"{TABLE} has no row: run `flask --app evac db upgrade`")


@event.listens_for(Engine, "after_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    info = conn.info
    # One write is enough to know: the rest of a 10,000-request import is not read again.
    if not info.get(_WROTE) and writes(statement):
        info[_WROTE] = True


@event.listens_for(Session, "after_begin")
def _track_connection(session, transaction, connection) -> None:
    if transaction.nested or transaction.parent is not None:
        return  # a savepoint on a connection already tracked, maybe with a write to keep
    # A write left on this connection by a transaction that rolled back is no change.
    connection.info.pop(_WROTE, None)
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "before_commit")
def _move_on_with_the_change(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction's commit moves it on
    session.flush()  # the pending changes first, so the number is the last statement
    for connection in session.info.get(_CONNECTIONS, ()):
        if connection.info.pop(_WROTE, False):
            move_on(connection)  # quiet itself: it marks no new write


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)
