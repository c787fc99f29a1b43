"""Query parameters read as the OpenAPI description declares them: a value outside its type,
enum, pattern or bounds is refused with 422 naming the parameter, never quietly replaced by a
default. Each reader also gives the parameter's schema, so code and description say the same."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from flask import request
from flask_babel import gettext as _

from evac.services.errors import InvalidInput, Problem

DATE = re.compile(r"^2\d{3}-\d{2}-\d{2}$")  # the years evac keeps figures for
INTEGER = re.compile(r"^-?\d{1,18}$")


def _refuse(name: str, message: str):
    raise InvalidInput([Problem(name, str(message))])


def _raw(name: str, check=None) -> str | None:
    """The parameter's first value, or None when it is absent; `check` refuses a bad one (every
    value given is checked, so a repeated parameter cannot hide one)."""
    values = request.args.getlist(name)
    if check is not None:
        for value in values:
            check(value)
    return values[0] if values else None


def integer(name: str, default: int, minimum: int, maximum: int) -> int:
    def check(value: str) -> None:
        if not INTEGER.match(value):
            _refuse(
                name, _("%(field)s is '%(value)s', not a whole number.", field=name, value=value)
            )
        if not minimum <= int(value) <= maximum:
            _refuse(name, _("%(field)s must lie between %(low)s and %(high)s.", field=name,
                            low=minimum, high=maximum))  # fmt: skip

    raw = _raw(name, check)
    return default if raw is None else int(raw)


def integer_schema(default: int, minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default}


def choice(name: str, allowed: Iterable[str]) -> str | None:
    allowed = list(allowed)

    def check(value: str) -> None:
        if value not in allowed:
            _refuse(name, _("%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                            field=name, value=value, allowed=", ".join(allowed)))  # fmt: skip

    return _raw(name, check)


def choice_schema(allowed: Iterable[str]) -> dict:
    return {"type": "string", "enum": list(allowed)}


def day(name: str = "date") -> date | None:
    def check(value: str) -> None:
        try:
            if not DATE.match(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            _refuse(name, _("Give the day as YYYY-MM-DD."))

    raw = _raw(name, check)
    return None if raw is None else date.fromisoformat(raw)


DAY_SCHEMA = {"type": "string", "format": "date", "pattern": DATE.pattern}


def text(name: str, pattern: re.Pattern, message: str, max_length: int = 200) -> str | None:
    """Free text within `pattern` and `max_length`; `message` says what is expected."""

    def check(value: str) -> None:
        if len(value) > max_length:
            _refuse(name, _("%(field)s is longer than %(n)d characters.", field=name, n=max_length))
        if not pattern.match(value):
            _refuse(name, message)

    return _raw(name, check)


def text_schema(pattern: re.Pattern, max_length: int = 200) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": pattern.pattern}


# Text in a JSON body: no NUL character (refused with 400 before any view, see evac.web)
NO_NUL = r"^[^\x00]*$"
# and not blank either (the views strip spaces)
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


def body_text(min_length: int = 0, nullable: bool = False) -> dict:
    schema: dict = {
        "type": ["string", "null"] if nullable else "string",
        "pattern": NOT_BLANK if min_length else NO_NUL,
    }
    if min_length:
        schema["minLength"] = min_length
    return schema


def known_fields(body: dict, allowed: Iterable[str], prefix: str = "") -> None:
    """Refuse (422) a body field the description does not name: a misspelt field must not be
    quietly ignored."""
    allowed = list(allowed)
    unknown = [key for key in body if key not in allowed]
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    prefix + str(key),
                    _(
                        "%(field)s is '%(value)s'; expected one of: %(allowed)s.",
                        field="field",
                        value=key,
                        allowed=", ".join(allowed),
                    ),
                )
                for key in unknown
            ]
        )
