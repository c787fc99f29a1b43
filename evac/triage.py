"""Triage rules: from clinical facts to suggestions (bed category, urgency, isolation) and to the
alerts a receiving clinician must see first. Pure rules: no Flask app, no database; the texts are
marked for translation and rendered in the caller's locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from evac.terms import MdroStatus


@dataclass(frozen=True)
class Alert:
    code: str  # isolation, mdro, allergy, ventilated, oxygen
    text: str


def alerts(
    *,
    isolation_required: bool | None,
    mdro_status: str | None,
    allergies: str | None,
    ventilated: bool | None,
    oxygen_l_min: float | None,
) -> list[Alert]:
    """What must be seen before anything else, in the order of the International Patient
    Summary: infection risk, allergies, then support the patient cannot be without."""
    out = []
    if isolation_required:
        out.append(Alert("isolation", _("Isolation required")))
    if mdro_status == MdroStatus.POSITIVE:
        out.append(Alert("mdro", _("MDRO positive")))
    elif mdro_status in (None, MdroStatus.UNKNOWN) and isolation_required is not False:
        out.append(Alert("mdro", _("MDRO status unknown: screen on admission")))
    if allergies and allergies.strip().lower() not in NO_KNOWN_ALLERGIES:
        out.append(Alert("allergy", _("Allergy: %(allergies)s", allergies=allergies.strip())))
    if ventilated:
        out.append(Alert("ventilated", _("Ventilated")))
    elif oxygen_l_min:
        out.append(Alert("oxygen", _("Oxygen %(rate)s l/min", rate=f"{oxygen_l_min:g}")))
    return out


# How senders write "no known allergies"; such a text is not an alert.
NO_KNOWN_ALLERGIES = frozenset(
    {"none", "none known", "no known allergies", "nka", "nkda", "no", "-", "немає", "нет", "geen"}
)
