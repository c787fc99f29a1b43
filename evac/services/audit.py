"""Writing the audit trail. Called by services inside their transaction, never by views."""

from __future__ import annotations

from typing import Any

from evac.extensions import db
from evac.models import AuditEvent, Case, User
from evac.models.types import utcnow


def record(
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    case: Case | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    object_type = type(obj).__name__.lower() if obj is not None else "system"
    object_ref = getattr(obj, "reference", None) or getattr(obj, "code", None)
    if object_ref is None and getattr(obj, "id", None) is not None:
        object_ref = str(obj.id)
    if case is None and isinstance(obj, Case):
        case = obj
    event = AuditEvent(
        **values(actor, action, object_type=object_type, object_ref=object_ref,
                 case_id=case.id if case is not None else None, **data)
    )  # fmt: skip
    db.session.add(event)
    return event


def values(
    actor: User | None,
    action: str,
    *,
    object_type: str,
    object_ref: str | None,
    case_id: int | None,
    **data: Any,
) -> dict[str, Any]:
    """An audit event's columns, for a bulk insert of many at once (a batch of cases)."""
    return {
        "user_id": actor.id if actor is not None else None,
        "actor": actor.label if actor is not None else "system",
        "action": action,
        "object_type": object_type,
        "object_ref": object_ref,
        "case_id": case_id,
        "data": _jsonable(data),
        "at": utcnow(),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
