"""Admin settings kept in the database (offer deadlines, placement weights), with defaults."""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import gettext as _

from evac.extensions import db
from evac.models import Setting, User
from evac.services import audit
from evac.services.errors import Forbidden
from evac.terms import Role

DEFAULTS: dict[str, dict[str, Any]] = {
    # hours an offer stays open, by urgency
    "offer_deadline_hours": {"immediate": 1, "urgent": 4, "routine": 24},
    # the weights of ../shared/specs/placement.md
    # spreading: the spread of occupancy between regions (percentage points) that the overview
    # flags; the home-region occupancy below which a patient can go back; the weights of
    # ../shared/specs/spreading.md
    "spreading": {
        "alert_points": 10,
        "home_below": 0.85,
        "weights": {"load": 100.0, "per_transfer": 5.0, "per_km": 0.05},
    },
    "placement_weights": {
        "distance_per_km": 1.0,
        "load": 100.0,
        "unplaced": {"1": 10000, "2": 5000, "3": 2000},
    },
}


def get(key: str) -> dict[str, Any]:
    row = db.session.get(Setting, key)
    value = copy.deepcopy(DEFAULTS[key])
    if row is not None:
        _merge(value, row.value)
    return value


def _merge(into: dict, changes: dict) -> None:
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def put(actor: User, key: str, value: dict[str, Any]) -> None:
    """Store a setting (checked by the caller's form); admins only; audited."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators change settings."))
    row = db.session.get(Setting, key)
    before = get(key)
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    row.updated_by_id = actor.id
    audit.record(actor, "setting.changed", None, key=key, before=before, after=value)
    db.session.commit()
