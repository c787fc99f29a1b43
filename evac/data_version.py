"""The data's versions: a number per table that every committed change to that table moves on,
on every host, so that a page may keep what it drew until what it read changes
(evac.web.page_cache). A capacity report then leaves the case board kept, and a new case leaves
the capacity page kept.

Why it is safe to trust: the numbers move inside the changing transaction, as its last
statement, so the change and the new numbers become visible to other connections at the same
moment. A reader that sees a new number sees the change; a reader that read the old numbers
and then the new data at worst keeps newer data under the old numbers, which the next reader
never asks for. A rollback undoes the numbers with the change.

Which tables: those a statement names. A read names every table it reads and a write every
table it changes, so the names found in the text (a word that is a table's name, quoted or not)
are enough; a name found where it is no table (a column, a CASE) only costs a page drawn again.
What cannot be named that way (a schema change, TRUNCATE of several) counts as a change to
everything (EVERYTHING).

What it costs writers: they queue on the rows of the tables they wrote, locked in the order of
their names, only from their last statement to their commit, and hold no other lock they wait
for after it, so it adds no deadlock.

Only what a Session commits moves the numbers on. Code in evac that writes outside a Session (a
bare Connection) must call `move_on` in its transaction.
A change made outside evac (psql) moves nothing: kept pages show it within a minute at the
latest, kept users within seconds (evac.web.page_cache); to show it at once, move everything on
in the same transaction (the README says how).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from evac.extensions import db
from evac.models.data_version import PreviousDataVersion, TableVersion

TABLE = TableVersion.__tablename__
EVERYTHING = "*"
# Writes no page shows: the numbers themselves (and the previous release's, moved by its
# processes while an upgrade is under way).
QUIET_TABLES = frozenset({TABLE, PreviousDataVersion.__tablename__})
# Writes that count as a change to everything: every sign-in attempt writes the throttle, for
# known and unknown addresses alike, while only a known address's failure is audited; were
# only the tables written to move on, which pages are drawn again would tell the two apart.
LOUD_TABLES = frozenset({"login_throttle"})

_WROTE = "evac.data_version.wrote"
_CONNECTIONS = "evac.data_version.connections"
_COMMENTS = re.compile(r"\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)
# Statements that never change data.
_READS = re.compile(r"(select|savepoint|release|rollback|show|set|begin|commit|explain|pragma)\b",
                    re.IGNORECASE)  # fmt: skip
# Statements whose tables are named in their text; anything else changes everything.
_NAMED_WRITES = re.compile(r"(insert|update|delete|merge|replace|with)\b", re.IGNORECASE)
_ONE_TABLE = re.compile(r'(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?\s', re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_tables: frozenset[str] = frozenset()

# The tables read since `record_reads` (in this context: a request, a thread).
_reading: ContextVar[set[str] | None] = ContextVar("evac_tables_read", default=None)


def _known_tables() -> frozenset[str]:
    global _tables
    if not _tables:
        _tables = frozenset(name.lower() for name in db.metadata.tables)
    return _tables


def tables_in(statement: str) -> set[str]:
    """The tables a statement names."""
    return _known_tables().intersection(_WORDS.findall(statement.lower()))


def written(statement: str) -> frozenset[str]:
    """The tables a statement may change: none for a read. What it cannot tell for sure counts
    as a change (to everything, where the tables are not named): a needless new version costs
    one drawing of a page, a missed one would show stale data."""
    statement = statement[_COMMENTS.match(statement).end() :]
    if _READS.match(statement):
        return frozenset()
    if not _NAMED_WRITES.match(statement):
        return frozenset({EVERYTHING})  # a schema change, TRUNCATE, a procedure, ...
    if statement[:4].lower() == "with" and not re.search(
        r"\b(insert|update|delete|merge)\b", statement, re.IGNORECASE
    ):
        return frozenset()
    target = _ONE_TABLE.match(statement)
    if target is not None and target.group(1).lower() in QUIET_TABLES:
        return frozenset()
    names = tables_in(statement) - QUIET_TABLES
    if not names or names & LOUD_TABLES:
        return frozenset({EVERYTHING})
    return frozenset(names)


def current() -> dict[str, int]:
    """The versions as they are now (a table never changed is at 0). Read them before the data
    they stand for. Read on a connection of their own, outside any transaction: a page kept
    whole then sends this one statement, with no BEGIN and ROLLBACK around it (on PostgreSQL,
    four round trips to the database become two: the pool's check that the connection lives,
    and this)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return dict(connection.execute(text(f"SELECT name, value FROM {TABLE}")).all())


def record_reads() -> set[str]:
    """From now on in this context (until the next call), the set returned gathers the tables
    each statement names."""
    seen: set[str] = set()
    _reading.set(seen)
    return seen


def note_read(tables: Iterable[str]) -> None:
    """Tables read without a statement (a drawing kept from before, served within another)."""
    seen = _reading.get()
    if seen is not None:
        seen.update(tables)


def wrote(connection: Connection, tables: Iterable[str]) -> None:
    """Tables written on `connection` other than by a statement SQLAlchemy sends (COPY, see
    evac.bulk): their versions move on when the session commits."""
    connection.info.setdefault(_WROTE, set()).update(set(tables) - QUIET_TABLES)


def move_on(connection: Connection, tables: Iterable[str] = (EVERYTHING,)) -> None:
    """Move the versions of `tables` on, in this transaction (by default: everything)."""
    names = sorted(set(tables))  # in one order for every writer: no deadlock between them
    if EVERYTHING in names:
        # Every kept page depends on it: the rest would change nothing, and a sign-in attempt
        # waits on the same row whatever else it wrote (a known address's failure is audited).
        names = [EVERYTHING]
    if not names:
        return
    rows = ", ".join(f"(:n{i}, 1)" for i in range(len(names)))
    connection.execute(
        text(
            f"INSERT INTO {TABLE} (name, value) VALUES {rows} "
            f"ON CONFLICT (name) DO UPDATE SET value = {TABLE}.value + 1"
        ),  # fmt: skip
        {f"n{i}": name for i, name in enumerate(names)},
    )


@event.listens_for(Engine, "after_cursor_execute")
def _note(conn, cursor, statement, parameters, context, executemany) -> None:
    seen = _reading.get()
    if seen is not None:
        seen.update(tables_in(statement))
    changed = written(statement)
    if changed:
        conn.info.setdefault(_WROTE, set()).update(changed)


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
    session.flush()  # the pending changes first, so the numbers are the last statement
    for connection in session.info.get(_CONNECTIONS, ()):
        tables = connection.info.pop(_WROTE, None)
        if tables:
            move_on(connection, tables)  # quiet itself: it marks no new write


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)
