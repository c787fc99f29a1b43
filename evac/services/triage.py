"""Triage: the queue of cases waiting for it, what the rules suggest, and recording a triage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from evac import triage as rules
from evac.extensions import db
from evac.interop.requests import BCP47
from evac.models import Case, TriageRecord, User
from evac.services.cases import URGENCY_RANK, change_status, get_case, may_place, on_desk
from evac.services.errors import Conflict, Forbidden, InvalidInput, Problem
from evac.terms import BedCategory, CaseStatus, MdroStatus, Mobility, Role, Urgency

TRIAGE_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.REGIONAL)


@dataclass
class TriageInput:
    """A coordinator's triage, as confirmed or changed on the form."""

    bed_category: str
    urgency: str
    mobility: str
    ventilated: bool | None = False  # None: not known (the sender did not say)
    oxygen_l_min: float | None = None
    isolation_required: bool = False
    mdro_status: str = MdroStatus.UNKNOWN
    companions_count: int = 0
    companions_need_lodging: bool = False
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False
    fit_to_fly: bool | None = None
    clinical_notes: str | None = None


def waiting_for_triage(user: User, limit: int = 200) -> list[Case]:
    """The triage queue of this user's desk: most urgent first, then longest waiting."""
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.status == CaseStatus.RECEIVED, on_desk(user))
            .options(selectinload(Case.patient), selectinload(Case.clinical))
            .order_by(URGENCY_RANK, Case.requested_at, Case.id)
            .limit(limit)
        )
    )


def queue_length(user: User) -> int:
    if not user.has_role(*TRIAGE_ROLES):
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.status == CaseStatus.RECEIVED, on_desk(user))
    )


def facts_of(case: Case, today: date | None = None) -> rules.ClinicalFacts:
    p, c = case.patient, case.clinical
    return rules.ClinicalFacts(
        requested_care=case.requested_care,
        urgency=case.urgency,
        mobility=case.mobility,
        source=case.source,
        sending_country=case.sending_country,
        age_years=rules.age_on(p.date_of_birth, p.age_years, today or date.today()),
        icd10=tuple(c.icd10 or ()),
        ventilated=bool(c.ventilated),
        oxygen_l_min=c.oxygen_l_min,
        mdro_status=c.mdro_status,
        isolation_required=c.isolation_required,
        languages=tuple(p.languages or ()),
        companions=len(case.companions),
        tracheostomy=c.tracheostomy,
        infections=tuple(c.infections or ()),
        isolation_type=c.isolation_type,
        place_type=case.place_type,
    )


def suggestion_for(case: Case) -> rules.Triage:
    return rules.suggest(facts_of(case))


def starting_values(case: Case) -> TriageInput:
    """What the triage form starts with: the last triage, or else what the rules suggest."""
    if case.triage is not None:
        t = case.triage
        return TriageInput(**{name: getattr(t, name) for name in TriageInput.__dataclass_fields__})
    s = suggestion_for(case)
    c = case.clinical
    return TriageInput(
        bed_category=s.bed_category,
        urgency=s.urgency,
        mobility=s.mobility,
        ventilated=c.ventilated,  # not known stays not known: the coordinator decides
        oxygen_l_min=c.oxygen_l_min,
        isolation_required=s.isolation_required,
        mdro_status=c.mdro_status,
        companions_count=len(case.companions),
        companions_need_lodging=s.companions_need_lodging,
        languages=tuple(case.patient.languages or ()),
        interpreter_needed=s.interpreter_needed,
        fit_to_fly=case.fit_to_fly,
    )


def _check(data: TriageInput) -> None:
    problems = []
    for name, enum in (
        ("bed_category", BedCategory),
        ("urgency", Urgency),
        ("mobility", Mobility),
        ("mdro_status", MdroStatus),
    ):
        if getattr(data, name) not in {m.value for m in enum}:
            problems.append(Problem(name, _("Choose one of the listed values.")))
    if data.oxygen_l_min is not None and not 0 <= data.oxygen_l_min <= 60:
        problems.append(Problem("oxygen_l_min", _("Oxygen lies between 0 and 60 l/min.")))
    if not 0 <= data.companions_count <= 10:
        problems.append(Problem("companions_count", _("Between 0 and 10 companions.")))
    for code in data.languages:  # as intake reads them: an interpreter is sought by the code
        if not BCP47.match(code):
            problems.append(Problem("languages", _("'%(code)s' is not a language code such as uk or ru.", code=code)))  # fmt: skip
    # Burn centres ventilate in their own burn intensive care, so "burns" is an IC bed here.
    if data.ventilated and data.bed_category not in (
        BedCategory.IC,
        BedCategory.PICU,
        BedCategory.BURNS,
    ):
        problems.append(
            Problem(
                "bed_category",
                _("A ventilated patient needs an intensive care bed (adult, paediatric or burns)."),
            )
        )
    if problems:
        raise InvalidInput(problems)


def triage_case(actor: User, reference: str, data: TriageInput) -> TriageRecord:
    """Record a triage (a new record each time, so re-triage keeps the history)."""
    if not actor.has_role(*TRIAGE_ROLES):
        raise Forbidden(_("Only coordinators triage cases."))
    case = get_case(actor, reference)
    if not may_place(actor, case):
        raise Conflict(_("This request is with another centre."))
    _check(data)
    suggestion = suggestion_for(case)
    before = _comparable(case.triage) if case.triage else _from_request(case)
    after = asdict(data)
    after["languages"] = list(data.languages)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record = TriageRecord(
        case=case,
        user_id=actor.id,
        **after,
        suggestions={
            name: {"value": s.value, "rule": s.rule} for name, s in suggestion.suggestions.items()
        },
        changes=changes,
    )
    db.session.add(record)
    change_status(case, "triage", actor, changes=sorted(changes))
    db.session.flush()
    case.triage = record
    # The board sorts and filters on these: they follow the latest triage.
    case.urgency = data.urgency
    case.mobility = data.mobility
    db.session.commit()
    return record


def _comparable(t: TriageRecord) -> dict:
    return {name: getattr(t, name) for name in TriageInput.__dataclass_fields__}


def _from_request(case: Case) -> dict:
    c = case.clinical
    return {
        "bed_category": case.requested_care,
        "urgency": case.urgency,
        "mobility": case.mobility,
        # as sent, unknown included: a triage that decides what was not known is a change
        "ventilated": c.ventilated,
        "oxygen_l_min": c.oxygen_l_min,
        "isolation_required": c.isolation_required,
        "mdro_status": c.mdro_status,
        "companions_count": len(case.companions),
        "companions_need_lodging": False,
        "languages": list(case.patient.languages or ()),
        "interpreter_needed": False,
        "fit_to_fly": case.fit_to_fly,
        "clinical_notes": None,
    }


def history(case: Case) -> list[TriageRecord]:
    return list(
        db.session.scalars(
            select(TriageRecord)
            .where(TriageRecord.case_id == case.id)
            .options(selectinload(TriageRecord.user))
            .order_by(TriageRecord.at.desc(), TriageRecord.id.desc())
        )
    )
