"""Who may see what of a case: the one policy every page, API route, export, PDF and e-mail asks.

For a (user, case) pair the answer is one of three levels:

- FULL: the patient's identity and everything else. Coordinators and admins always; a hospital
  for the cases it has accepted (and so their transport and documents).
- SUMMARY: de-identified. Reference, age in years, sex, bed category, urgency, isolation and the
  clinical summary, without names, date of birth, the sender's reference or contact, notes or
  free-text reasons. A hospital deciding on a pending offer; viewers, everywhere.
- NONE: the case does not exist for this user (404). A hospital for cases offered to others, and
  for offers it declined, that expired or were withdrawn. A regional coordinator for every case
  outside its region.

A regional coordinator (RCPS) sees in full the cases of its region: sent from one of its
hospitals, placed in one of them, or bound for it (a transfer quota's destination).

`detail_for` answers for one case in Python; `visible_cases` and `identity_visible` are the same
rules as SQL, for lists and search. Both read only the case's hospital and its pending offers,
so the two cannot drift apart without the generated identity test noticing
(tests/web/test_identity.py).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, true

from evac.extensions import db
from evac.models import Case, Hospital, Offer, User
from evac.terms import OfferStatus, Role


class Detail(StrEnum):
    """How much of a case a user may see."""

    FULL = "full"
    SUMMARY = "summary"
    NONE = "none"


def viewpoint(user: User) -> tuple[str, int | None, int | None]:
    """Everything about a user that this policy's answers depend on: their role, hospital and
    region, nothing else (not who they are). Users with the same viewpoint see the same, so a
    page drawn for one may be shown to another (evac.web.page_cache). A rule that looks at
    more of the user must add it here."""
    return (str(user.role), user.hospital_id, user.region_id)


def _pending_offer_to(hospital_id: int | None) -> ColumnElement[bool]:
    return exists().where(
        Offer.case_id == Case.id,
        Offer.hospital_id == hospital_id,
        Offer.status == OfferStatus.PENDING,
    )


def _in_region(region_id: int) -> ColumnElement[bool]:
    in_region = select(Hospital.id).where(Hospital.region_id == region_id)
    return or_(
        Case.origin_hospital_id.in_(in_region),
        Case.hospital_id.in_(in_region),
        Case.destination_region_id == region_id,
        Case.region_queue_id == region_id,
    )


def visible_clause(user: User) -> ColumnElement[bool]:
    """SQL: the cases this user may know exist (detail other than NONE)."""
    if user.has_role(Role.COORDINATOR, Role.ADMIN, Role.VIEWER):
        return true()
    if user.has_role(Role.HOSPITAL) and user.hospital_id is not None:
        return or_(Case.hospital_id == user.hospital_id, _pending_offer_to(user.hospital_id))
    if user.has_role(Role.REGIONAL) and user.region_id is not None:
        return _in_region(user.region_id)
    return false()


def identifies_everyone(user: User) -> bool:
    """Whether this user may identify the patient of every case (identity_clause is true)."""
    return user.has_role(Role.COORDINATOR, Role.ADMIN)


def identity_clause(user: User) -> ColumnElement[bool]:
    """SQL: the cases whose patient this user may identify (detail FULL)."""
    if identifies_everyone(user):
        return true()
    if user.has_role(Role.HOSPITAL) and user.hospital_id is not None:
        return Case.hospital_id == user.hospital_id
    if user.has_role(Role.REGIONAL) and user.region_id is not None:
        return _in_region(user.region_id)
    return false()


def visible_cases(user: User) -> Select:
    """A query for the cases this user may know exist."""
    return select(Case).where(visible_clause(user))


def detail_for(user: User, case: Case) -> Detail:
    """How much of this case this user may see."""
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        return Detail.FULL
    if user.has_role(Role.VIEWER):
        return Detail.SUMMARY
    if user.has_role(Role.REGIONAL) and user.region_id is not None:
        return Detail.FULL if in_region(case, user.region_id) else Detail.NONE
    if user.has_role(Role.HOSPITAL) and user.hospital_id is not None:
        if case.hospital_id == user.hospital_id:
            return Detail.FULL
        pending = db.session.scalar(
            select(Offer.id).where(
                Offer.case_id == case.id,
                Offer.hospital_id == user.hospital_id,
                Offer.status == OfferStatus.PENDING,
            )
        )
        if pending is not None:
            return Detail.SUMMARY
    return Detail.NONE


def in_region(case: Case, region_id: int) -> bool:
    """Whether a case belongs to a region: sent from, placed in, bound for or held by it."""
    return (
        (case.origin_hospital is not None and case.origin_hospital.region_id == region_id)
        or (case.hospital is not None and case.hospital.region_id == region_id)
        or case.destination_region_id == region_id
        or case.region_queue_id == region_id
    )


def sees_identity(user: User, case: Case) -> bool:
    """Whether this user may see who the patient of this case is."""
    return detail_for(user, case) == Detail.FULL


def sees_free_text(user: User) -> bool:
    """Free-text reasons (cancellation, decline notes, status changes) may name people or other
    hospitals; only the coordinating roles read them."""
    return user.has_role(Role.COORDINATOR, Role.ADMIN)
