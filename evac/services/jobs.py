"""Scheduled jobs (cron on every host) that must not do the same work twice when several hosts
run them at once against one PostgreSQL: one advisory lock per job. Row-level work (expiring
offers, sending mail) claims its rows with SKIP LOCKED instead, so two hosts share it.

SQLite is one host's database; there the lock is always granted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from evac.extensions import db


@contextmanager
def only_one(job: str) -> Iterator[bool]:
    """Yields True when this host may run `job` now, False when another host is running it.
    The lock lives on one connection for the length of the job."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(f"evac:{job}".encode())
    # AUTOCOMMIT: the connection holding the lock sits idle, never "idle in transaction", so a
    # server's idle-transaction timeout cannot end it (and the lock) halfway through the job.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        got = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        try:
            yield bool(got)
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
