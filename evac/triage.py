"""Triage rules: from clinical facts to suggested values (bed category, urgency, mobility,
isolation, interpreter), and the alerts a receiving clinician must see first.

Pure rules: no app and no database. The coordinator confirms or changes every suggestion; each
suggestion names the rule that made it, so the case page can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evac.terms import (
    BedCategory,
    CodeStatus,
    IsolationKind,
    MdroStatus,
    Mobility,
    PlaceType,
    Source,
)

ADULT_AGE = 18
# ICD-10 T20-T32: burns and corrosions (T33-T35 are frostbite, not burns)
BURNS = re.compile(r"^T(2[0-9]|3[0-2])(\.|$)")
# Languages a Dutch ward can speak with the patient without an interpreter
WARD_LANGUAGES = frozenset({"nl", "en"})
# Infections spread through the air, as senders write them (en, nl, uk, ru): a negative-pressure
# room. COVID-19 only on aerosol-generating care (ventilation, a tracheostomy).
AIRBORNE_INFECTIONS = (
    "tuberculosis", "tbc", "measles", "varicella", "chickenpox", "mazelen", "waterpokken",
    "туберкульоз", "туберкулез", "кір", "корь", "вітряна віспа", "ветряная оспа",
)  # fmt: skip
AEROSOL_INFECTIONS = ("covid", "sars-cov-2", "ковід", "коронавірус")


def airborne(infections: tuple[str, ...] | list[str], aerosol_care: bool) -> bool:
    """Whether one of these infections asks for airborne isolation."""
    names = [name.casefold() for name in infections]
    if any(word in name for name in names for word in AIRBORNE_INFECTIONS):
        return True
    return aerosol_care and any(word in name for name in names for word in AEROSOL_INFECTIONS)


def isolation_kind(
    *,
    isolation_required: bool | None,
    isolation_type: str | None,
    infections: tuple[str, ...] | list[str] | None,
    aerosol_care: bool,
) -> str | None:
    """How the patient is isolated: as the sender said, else derived; None when nobody knows.

    The sender's kind stands unless isolation was ruled out; an airborne infection asks for
    airborne isolation whatever was said; other isolation (MDRO screening) is by contact."""
    if infections and airborne(infections, aerosol_care):
        return IsolationKind.AIRBORNE.value
    if isolation_required is False:
        return IsolationKind.NONE.value
    if isolation_type is not None:
        if isolation_type == IsolationKind.NONE and isolation_required:
            return IsolationKind.CONTACT.value
        return isolation_type
    if isolation_required:
        return IsolationKind.CONTACT.value
    return None


def place_needed(
    *,
    place_type: str | None,
    ventilated: bool | None,
    tracheostomy: bool | None,
    bed_category: str,
    mobility: str,
) -> str:
    """The aircraft place: an airway that needs care takes an IC stretcher whatever was asked;
    else the sender's choice; else derived from the bed and the mobility (the spec's rule)."""
    if ventilated or tracheostomy:
        return PlaceType.IC_STRETCHER.value
    if place_type is not None:
        return place_type
    if bed_category in (BedCategory.IC, BedCategory.PICU):
        return PlaceType.IC_STRETCHER.value
    if mobility == Mobility.STRETCHER:
        return PlaceType.STRETCHER.value
    return PlaceType.SEAT.value


@dataclass(frozen=True)
class ClinicalFacts:
    """What the rules look at, as plain values."""

    requested_care: str
    urgency: str
    mobility: str
    source: str
    sending_country: str | None
    age_years: int | None
    icd10: tuple[str, ...] = ()
    ventilated: bool = False
    oxygen_l_min: float | None = None
    mdro_status: str = MdroStatus.UNKNOWN
    isolation_required: bool | None = None
    languages: tuple[str, ...] = ()
    companions: int = 0
    tracheostomy: bool | None = None
    infections: tuple[str, ...] = ()
    isolation_type: str | None = None
    place_type: str | None = None


@dataclass(frozen=True)
class Suggestion:
    field: str
    value: object
    rule: str  # a key of RULES


# Each rule in words, for the case page ("suggested by: ...").
RULES = {
    "requested": _l("As requested by the sender"),
    "ventilated_adult": _l("Ventilated adult: intensive care"),
    "ventilated_child": _l("Ventilated child: paediatric intensive care"),
    "child": _l("Under 18: paediatric ward"),
    "child_ic": _l("Under 18 needing intensive care: paediatric intensive care"),
    "burns": _l("Burn injury (ICD-10 T20-T32): burn centre"),
    "foreign_hospital_mdro": _l(
        "From a foreign hospital with unknown or positive MDRO status: isolation until screened"
    ),
    "mdro_negative": _l("Screened MDRO negative: no isolation needed for MDRO"),
    "needs_stretcher": _l("Ventilated or in intensive care: transport lying down"),
    "airborne_infection": _l(
        "Infection spread through the air (tuberculosis, measles, varicella, COVID-19 on "
        "ventilation): airborne isolation in a negative-pressure room"
    ),
    "airway_ic_stretcher": _l("Ventilated or with a tracheostomy: intensive care stretcher"),
    "derived_place": _l("Derived from the bed category and the mobility"),
    "interpreter": _l("Speaks neither Dutch nor English: interpreter needed"),
    "companions_lodging": _l("Travels with companions: they need lodging near the hospital"),
}


@dataclass
class Triage:
    """The suggested triage: a value for every field, and the rule behind each."""

    bed_category: str
    urgency: str
    mobility: str
    isolation_required: bool
    isolation_kind: str
    place_type: str
    interpreter_needed: bool
    companions_need_lodging: bool
    suggestions: dict[str, Suggestion] = field(default_factory=dict)

    def rule_for(self, name: str) -> str | None:
        s = self.suggestions.get(name)
        return s.rule if s else None


def age_on(date_of_birth: date | None, age_years: int | None, day: date) -> int | None:
    if date_of_birth is None:
        return age_years
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def suggest(facts: ClinicalFacts) -> Triage:
    """The values the rules suggest for these facts."""
    out: dict[str, Suggestion] = {}

    def put(name: str, value: object, rule: str) -> None:
        out[name] = Suggestion(name, value, rule)

    child = facts.age_years is not None and facts.age_years < ADULT_AGE
    burns = any(BURNS.match(code.upper()) for code in facts.icd10)
    care = facts.requested_care
    put("bed_category", care, "requested")
    # Capability first: a burn centre treats burned children too, so burns decide before age.
    if burns:
        put("bed_category", BedCategory.BURNS.value, "burns")
    elif facts.ventilated:
        if child:
            put("bed_category", BedCategory.PICU.value, "ventilated_child")
        else:
            put("bed_category", BedCategory.IC.value, "ventilated_adult")
    elif child and care in (BedCategory.IC, BedCategory.PICU):
        put("bed_category", BedCategory.PICU.value, "child_ic")
    elif child and care in (BedCategory.CLINICAL, BedCategory.OTHER):
        put("bed_category", BedCategory.PAEDIATRIC.value, "child")

    put("urgency", facts.urgency, "requested")

    put("mobility", facts.mobility, "requested")
    category = out["bed_category"].value
    lying = facts.ventilated or category in (BedCategory.IC, BedCategory.PICU)
    if lying and facts.mobility != Mobility.STRETCHER:
        put("mobility", Mobility.STRETCHER.value, "needs_stretcher")

    # Dutch practice: anyone from a foreign hospital is nursed in isolation until screened.
    foreign = facts.source == Source.EU_MEDEVAC or (facts.sending_country not in (None, "", "NL"))
    # A sender who names a kind of isolation asks for isolation.
    asked = facts.isolation_required
    if asked is None and facts.isolation_type not in (None, IsolationKind.NONE):
        asked = True
    isolation = bool(asked)
    put("isolation_required", isolation, "requested")
    if foreign and facts.mdro_status in (MdroStatus.UNKNOWN, MdroStatus.POSITIVE):
        put("isolation_required", True, "foreign_hospital_mdro")
    elif facts.mdro_status == MdroStatus.NEGATIVE and asked is None:
        put("isolation_required", False, "mdro_negative")

    aerosol_care = bool(facts.ventilated or facts.tracheostomy)
    if airborne(facts.infections, aerosol_care):
        put("isolation_required", True, "airborne_infection")
    kind = isolation_kind(
        isolation_required=bool(out["isolation_required"].value),
        isolation_type=facts.isolation_type,
        infections=facts.infections,
        aerosol_care=aerosol_care,
    )
    put("isolation_kind", kind, out["isolation_required"].rule)

    place = place_needed(
        place_type=facts.place_type,
        ventilated=facts.ventilated,
        tracheostomy=facts.tracheostomy,
        bed_category=str(category),
        mobility=str(out["mobility"].value),
    )
    if facts.ventilated or facts.tracheostomy:
        put("place_type", place, "airway_ic_stretcher")
    else:
        put("place_type", place, "requested" if facts.place_type else "derived_place")

    speaks = {code.split("-")[0].lower() for code in facts.languages}
    interpreter = bool(speaks) and not (speaks & WARD_LANGUAGES)
    put("interpreter_needed", interpreter, "interpreter" if interpreter else "requested")
    lodging = facts.companions > 0
    put("companions_need_lodging", lodging, "companions_lodging" if lodging else "requested")

    return Triage(
        bed_category=str(out["bed_category"].value),
        urgency=str(out["urgency"].value),
        mobility=str(out["mobility"].value),
        isolation_required=bool(out["isolation_required"].value),
        isolation_kind=str(kind),
        place_type=place,
        interpreter_needed=interpreter,
        companions_need_lodging=lodging,
        suggestions=out,
    )


def rule_text(rule: str) -> str:
    return str(RULES.get(rule, rule))


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
    isolation_kind: str | None = None,
    mdro_organisms: list[str] | None = None,
    code_status: str | None = None,
    pregnancy_weeks: int | None = None,
    tracheostomy: bool | None = None,
) -> list[Alert]:
    """What must be seen before anything else, in the order of the International Patient
    Summary: infection risk (isolation kind, resistant organisms), allergies, resuscitation
    policy, pregnancy, then support the patient cannot be without."""
    out = []
    if isolation_kind == IsolationKind.AIRBORNE:
        out.append(Alert("isolation", _("Airborne isolation: negative-pressure room")))
    elif isolation_kind == IsolationKind.DROPLET:
        out.append(Alert("isolation", _("Droplet isolation required")))
    elif isolation_required or isolation_kind == IsolationKind.CONTACT:
        out.append(Alert("isolation", _("Isolation required")))
    if mdro_organisms:
        out.append(
            Alert("mdro", _("MDRO positive: %(organisms)s", organisms=", ".join(mdro_organisms)))
        )
    elif mdro_status == MdroStatus.POSITIVE:
        out.append(Alert("mdro", _("MDRO positive")))
    elif mdro_status in (None, MdroStatus.UNKNOWN) and isolation_required is not False:
        out.append(Alert("mdro", _("MDRO status unknown: screen on admission")))
    if allergies and allergies.strip().lower() not in NO_KNOWN_ALLERGIES:
        out.append(Alert("allergy", _("Allergy: %(allergies)s", allergies=allergies.strip())))
    if code_status == CodeStatus.DNR:
        out.append(Alert("code_status", _("Do not resuscitate (DNR)")))
    if pregnancy_weeks:
        out.append(Alert("pregnancy", _("Pregnant, %(weeks)d weeks", weeks=pregnancy_weeks)))
    if tracheostomy:
        out.append(Alert("tracheostomy", _("Tracheostomy")))
    if ventilated:
        out.append(Alert("ventilated", _("Ventilated")))
    elif oxygen_l_min:
        out.append(Alert("oxygen", _("Oxygen %(rate)s l/min", rate=f"{oxygen_l_min:g}")))
    return out


# How senders write "no known allergies"; such a text is not an alert.
NO_KNOWN_ALLERGIES = frozenset(
    {"none", "none known", "no known allergies", "nka", "nkda", "no", "-", "немає", "нет", "geen"}
)
