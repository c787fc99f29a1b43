"""Many rows of one table written at once, as the import of a file of requests does: with
PostgreSQL's COPY, one stream for the lot; elsewhere (SQLite) with the driver's executemany.

Ten thousand requests make some sixty thousand rows (case, patient, clinical picture,
companions, status change, audit event). Sent as one INSERT each, even pipelined, that took
longer than reading and checking the file; COPY takes a fraction of it.

COPY skips what SQLAlchemy does for an INSERT, so it is done here: the columns' Python-side
defaults, their types' conversions (JSON, UTC times), and the note that the table was written
(evac.data_version: pages that read it are drawn again).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from sqlalchemy import Table

from evac import data_version
from evac.extensions import db


def insert_rows(table: Table, rows: Sequence[dict]) -> None:
    """Insert `rows` (dicts by column name, each with the same keys) into `table`, in the
    session's transaction."""
    if not rows:
        return
    if db.session.connection().dialect.name == "postgresql":
        _copy(table, rows)
    else:
        db.session.execute(table.insert(), list(rows))


def _copy(table: Table, rows: Sequence[dict]) -> None:
    connection = db.session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    defaults = [c for c in table.c if c.name not in given and c.default is not None]
    columns = [table.c[name] for name in given] + defaults
    # Each value as SQLAlchemy would send it: None too (a JSON column stores JSON null for it,
    # as an INSERT does, not SQL NULL).
    processors = [c.type._cached_bind_processor(dialect) or _unchanged for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    target = dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in given] + [_default(c) for c in defaults]
            copy.write_row([p(_plain(v)) for v, p in zip(values, processors, strict=True)])
    data_version.wrote(connection, {table.name})


def _unchanged(value):
    return value


def _default(column):
    default = column.default
    return default.arg(None) if default.is_callable else default.arg


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value
