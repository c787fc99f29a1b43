"""Domain errors. Services raise them with a translatable message; the web and API layers turn
them into a flash message or a JSON error in one handler each."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Something the user asked for cannot be done; `message` says why, in their language."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    # Also raised when the object exists but is not visible to this user: a hospital must not
    # learn that another hospital's case exists.
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The request contradicts the current state (e.g. the offer was withdrawn meanwhile)."""

    status = 409


@dataclass
class Problem:
    """One problem with one field of the input, in words a coordinator understands."""

    field: str
    message: str
    row: int | None = None

    def to_dict(self) -> dict:
        d = {"field": self.field, "message": self.message}
        if self.row is not None:
            d = {"row": self.row, **d}
        return d


@dataclass
class InvalidInput(DomainError):
    problems: list[Problem] = field(default_factory=list)
    status = 422

    def __post_init__(self):
        DomainError.__init__(self, "; ".join(p.message for p in self.problems))
