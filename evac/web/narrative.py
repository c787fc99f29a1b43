"""The audit trail and the triage history in sentences, in the reader's language: "Offered to
UMCG (answer before 30 Nov 14:00)", "Isolation required changed from no to yes", never raw codes
like `case.offer` or `False -> True`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from evac import terms

TRIAGE_FIELDS = {
    "bed_category": (_l("Bed category"), terms.BedCategory),
    "urgency": (_l("Urgency"), terms.Urgency),
    "mobility": (_l("Mobility"), terms.Mobility),
    "ventilated": (_l("Ventilated"), bool),
    "oxygen_l_min": (_l("Oxygen (l/min)"), float),
    "isolation_required": (_l("Isolation required"), bool),
    "mdro_status": (_l("MDRO status"), terms.MdroStatus),
    "companions_count": (_l("Companions"), int),
    "companions_need_lodging": (_l("Companions need lodging"), bool),
    "languages": (_l("Languages"), list),
    "interpreter_needed": (_l("Interpreter needed"), bool),
    "fit_to_fly": (_l("Fit to fly"), bool),
    "clinical_notes": (_l("Clinical notes"), str),
}


CORRECTED = {
    "family_name": _l("family name"), "given_name": _l("given name"),
    "family_name_latin": _l("family name (Latin)"), "given_name_latin": _l("given name (Latin)"),
    "date_of_birth": _l("date of birth"), "sex": _l("sex"),
}  # fmt: skip


def value_text(value: Any, kind: Any = None) -> str:
    """A value as a reader says it: yes/no/unknown, labels for codes, local dates."""
    if value is None:
        return _("unknown") if kind is bool else "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind is not None and isinstance(kind, type) and issubclass(kind, StrEnum):
        try:
            return terms.label(kind(value))
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return (
            ", ".join(terms.language_name(v) if kind is list else value_text(v) for v in value)
            or "–"
        )
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return format_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    return str(value)


def triage_change(name: str, change: list) -> Markup:
    label, kind = TRIAGE_FIELDS.get(name, (name.replace("_", " "), None))
    before, after = change
    return Markup(_("%(field)s changed from %(before)s to %(after)s")) % {
        "field": escape(str(label)),
        "before": escape(value_text(before, kind)),
        "after": Markup("<strong>%s</strong>") % value_text(after, kind),
    }


def _status(code: str | None) -> str:
    try:
        return terms.label(terms.CaseStatus(code)) if code else ""
    except ValueError:
        return code or ""


def _corrections(d: dict) -> str:
    parts = []
    for k, (before, after) in (d.get("changes") or {}).items():
        text = _("%(field)s from %(before)s to %(after)s",
                 field=CORRECTED.get(k, k), before=before or "–", after=after or "–")  # fmt: skip
        parts.append(text)
    return "; ".join(parts)


def audit_sentence(event) -> str:
    """One audit event as a sentence."""
    d = dict(event.data or {})
    action = event.action
    hospital = d.get("hospital") or ""
    sentences = {
        "case.registered": lambda: _("Request registered"),
        "case.corrected": lambda: _("Request corrected: %(fields)s", fields=_corrections(d)),
        "case.triage": lambda: _("Triaged"),
        "case.start_placing": lambda: _("Placement started"),
        "case.offer": lambda: _("Offered to %(hospital)s, answer before %(deadline)s",
                                hospital=hospital, deadline=value_text(d.get("deadline"))),
        "case.accept": lambda: _("Accepted by %(hospital)s", hospital=hospital) if hospital
        else _("Accepted"),
        "case.decline": lambda: _("Declined by %(hospital)s", hospital=hospital) if hospital
        else _("Declined"),
        "case.expire": lambda: _("The offer to %(hospital)s expired", hospital=hospital),
        "case.withdraw": lambda: _("Offer withdrawn"),
        "case.schedule": lambda: _("Transport planned"),
        "case.unschedule": lambda: _("Transport plan removed"),
        "case.depart": lambda: _("On the way"),
        "case.arrive": lambda: _("Arrived at the hospital"),
        "case.close": lambda: _("Closed"),
        "case.cancel": lambda: _("Cancelled"),
        "case.reopen": lambda: _("Reopened"),
        "case.fit_to_fly": lambda: _("Confirmed fit to fly by %(physician)s", physician=d.get("physician", "")),
        "case.on_flight": lambda: _("Put on flight %(code)s", code=d.get("flight") or d.get("code") or ""),
        "case.off_flight": lambda: _("Removed from flight %(code)s", code=d.get("flight") or d.get("code") or ""),
        "case.escalated": lambda: _("Escalated to the national centre by %(region)s", region=d.get("region", "")),
        "case.grouped": lambda: _("Linked with %(other)s to travel and stay together", other=d.get("other", "")),
        "case.ungrouped": lambda: _("Left its group"),
        "case.quota_named": lambda: _("Named for a transfer request"),
        "case.return_planned": lambda: _("Return transfer planned"),
        "case.own_region_allowed": lambda: _("The sending region may be used for placement"),
        "case.own_region_excluded": lambda: _("The sending region is left out of placement"),
        "document.generated": lambda: _("Document version %(version)s made", version=d.get("version", "")),
        "document.downloaded": lambda: _("Document downloaded"),
        "document.verified": lambda: _("Document checked through its QR code"),
        "leg.added": lambda: _("Road leg added"),
        "leg.proposed": lambda: _("Road leg planned"),
        "leg.recorded": lambda: _("Leg departure or arrival recorded"),
        "placement.proposed": lambda: _("Hospitals proposed"),
        "placement.chosen": lambda: _("Hospital chosen from the proposal"),
        "flight.reinstated": lambda: _("Flight %(code)s planned again", code=d.get("code", "")),
    }  # fmt: skip
    make = sentences.get(action)
    text = make() if make else action.split(".")[-1].replace("_", " ").capitalize()
    moved = d.get("from") and d.get("to") and d.get("from") != d.get("to")
    if moved:
        text += " · " + _(
            "%(from)s → %(to)s", **{"from": _status(d["from"]), "to": _status(d["to"])}
        )
    if d.get("reason"):
        text += " · " + _("reason: %(reason)s", reason=d["reason"])
    return text
