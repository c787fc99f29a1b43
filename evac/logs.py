"""Logging without patient data.

A database error's message can quote the values it was given (PostgreSQL's DETAIL and CONTEXT
lines, a trigger's message, SQLAlchemy's parameter list), and those values are names, dates of
birth and contacts. The error log keeps what an operator needs (where it happened, the error
class and its SQLSTATE) and leaves the message out. The engine also runs with its parameters
hidden (SQLALCHEMY_ENGINE_OPTIONS in evac.config).
"""

from __future__ import annotations

import logging
import traceback

WITHHELD = "message withheld: it may hold patient data"


def _is_database_error(exc: BaseException | None) -> bool:
    for cls in type(exc).__mro__ if exc is not None else ():
        module = cls.__module__ or ""
        if module.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            return True
    return False


class RedactDatabaseErrors(logging.Filter):
    """Rewrites a record that carries a database error: the traceback's frames stay, the
    exception's text (and any chained one's) goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        chain = []
        seen = exc
        while seen is not None and len(chain) < 10:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        if not any(_is_database_error(e) for e in chain):
            return True
        lines = []
        for e in reversed(chain):
            orig = getattr(e, "orig", None)
            state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
            name = type(e).__name__ + (f"/{type(orig).__name__}" if orig is not None else "")
            lines.append(f"{name} (SQLSTATE {state or '-'}): {WITHHELD}")
            lines.append("".join(traceback.format_tb(e.__traceback__)).rstrip())
        record.msg = f"{record.getMessage()}\n" + "\n".join(lines)
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


def install(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactDatabaseErrors) for f in logger.filters):
        logger.addFilter(RedactDatabaseErrors())
