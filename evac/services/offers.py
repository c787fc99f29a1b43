"""Offers: a coordinator offers a case to a hospital; the hospital accepts (which reserves the
bed) or declines; an offer may also be withdrawn or expire. A case has at most one pending offer
(the database enforces it), and two acceptances can never take the same last bed: acceptance
locks the hospital's bed row and checks what is free inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from evac.extensions import db
from evac.models import Case, Hospital, HospitalBeds, Offer, User
from evac.models.types import utcnow
from evac.services import notify, settings
from evac.services.capacity import AIRBORNE, ISOLATION, rooms_of
from evac.services.cases import change_status, get_case, may_place
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.terms import BedCategory, CaseStatus, DeclineReason, OfferStatus, Role, Urgency, label

# A ward's phone has at least this many digits, however it is written ("+31 50 361 1111",
# "050-3611111 ext. 22"): a word there ("banana", "ask the desk") reaches nobody at night.
PHONE_DIGITS = 6

# ---------------------------------------------------------------------------------------------
# Reading


def expire_overdue(now: datetime | None = None) -> int:
    """Let every pending offer past its deadline expire. Runs on every read of offers, and from
    `flask --app evac expire-offers`; no thread in the web process."""
    now = now or utcnow()
    # Several hosts may run this at once: each claims the offers it expires (SKIP LOCKED), so
    # no offer expires twice and no host waits for another.
    overdue = list(
        db.session.scalars(
            select(Offer)
            .where(Offer.status == OfferStatus.PENDING, Offer.deadline <= now)
            .options(selectinload(Offer.case))
            .with_for_update(skip_locked=True, of=Offer)
        )
    )
    for offer in overdue:
        offer.status = OfferStatus.EXPIRED
        offer.responded_at = now
        change_status(offer.case, "expire", None, offer=offer.id, hospital=offer.hospital.code)
        notify.queue(
            notify.duty_coordinator(),
            lambda offer=offer: (
                _(
                    "Offer expired: %(reference)s at %(hospital)s",
                    reference=offer.case.reference,
                    hospital=offer.hospital.code,
                ),
                _mail_body("expired", offer),
            ),
        )
    if overdue:
        db.session.commit()
        notify.send_pending()
    return len(overdue)


def offers_for(user: User, status: str | None = None) -> list[Offer]:
    """Offers this user may see: a hospital's own, or all for coordinators; most urgent first."""
    expire_overdue()
    query = select(Offer).join(Case).options(selectinload(Offer.case).selectinload(Case.patient),
                                             selectinload(Offer.hospital))  # fmt: skip
    if user.has_role(Role.HOSPITAL):
        query = query.where(Offer.hospital_id == user.hospital_id)
    elif not user.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Your role may not see offers."))
    if status:
        query = query.where(Offer.status == status)
    from evac.services.cases import URGENCY_RANK

    return list(db.session.scalars(query.order_by(URGENCY_RANK, Offer.deadline, Offer.id)))


def pending_count(user: User) -> int:
    from sqlalchemy import func

    if not user.has_role(Role.HOSPITAL):
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(
            Offer.hospital_id == user.hospital_id,
            Offer.status == OfferStatus.PENDING,
            Offer.deadline > utcnow(),
        )
    )


def patients_at(user: User) -> list[Case]:
    """A hospital's accepted, arriving and arrived patients."""
    states = (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.IN_TRANSIT, CaseStatus.ARRIVED)
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.hospital_id == user.hospital_id, Case.status.in_(states))
            .options(selectinload(Case.patient))
            .order_by(Case.updated_at.desc())
        )
    )


def get_offer(user: User, offer_id: int) -> Offer:
    """The offer, or NotFound when it does not exist or belongs to another hospital."""
    expire_overdue()
    offer = db.session.get(Offer, offer_id)
    if offer is None or (user.has_role(Role.HOSPITAL) and offer.hospital_id != user.hospital_id):
        raise NotFound(_("No offer %(id)s.", id=offer_id))
    if user.has_role(Role.REGIONAL) and may_place(user, offer.case):
        return offer  # a region's centre follows the offers of the requests on its desk
    if not user.has_role(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN):
        raise NotFound(_("No offer %(id)s.", id=offer_id))
    return offer


def case_offers(case: Case) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.case_id == case.id)
            .options(selectinload(Offer.hospital))
            .order_by(Offer.created_at)
        )
    )


def pending_offer(case: Case) -> Offer | None:
    return db.session.scalar(
        select(Offer).where(Offer.case_id == case.id, Offer.status == OfferStatus.PENDING)
    )


def declined_hospitals(case: Case, offers: list[Offer] | None = None) -> dict[str, str]:
    """Hospitals that declined or let this case's offer expire, with their reason."""
    out = {}
    for offer in case_offers(case) if offers is None else offers:
        if offer.status == OfferStatus.DECLINED:
            out[offer.hospital.code] = decline_text(offer)
        elif offer.status == OfferStatus.EXPIRED:
            out[offer.hospital.code] = _("did not answer in time")
    return out


def has_pending(offers: list[Offer]) -> bool:
    return any(o.status == OfferStatus.PENDING for o in offers)


def offers_of(cases: list[Case]) -> dict[int, list[Offer]]:
    """Every offer of these cases, by case id, in one statement (and one for the hospitals)."""
    out: dict[int, list[Offer]] = {c.id: [] for c in cases}
    for offer in db.session.scalars(
        select(Offer)
        .where(Offer.case_id.in_(list(out)))
        .options(selectinload(Offer.hospital))
        .order_by(Offer.created_at)
    ):
        out[offer.case_id].append(offer)
    return out


def decline_text(offer: Offer) -> str:
    reason = label(DeclineReason(offer.decline_reason)) if offer.decline_reason else ""
    return f"{reason}: {offer.decline_note}" if offer.decline_note else reason


@dataclass
class Candidate:
    hospital: Hospital
    free: int
    isolation_free: int
    declined: str | None  # why it declined this case before, if it did


def candidates(case: Case) -> list[Candidate]:
    """Hospitals with beds of the case's category, most free beds first."""
    category = case.bed_category
    beds = {
        (b.hospital_id, b.category): b
        for b in db.session.scalars(
            select(HospitalBeds).where(HospitalBeds.category.in_([category, ISOLATION, AIRBORNE]))
        )
    }
    declined = declined_hospitals(case)
    out = []
    for hospital in db.session.scalars(
        select(Hospital).where(Hospital.active).order_by(Hospital.name)
    ):
        if category not in (hospital.capabilities or []) or _not_for(case, hospital):
            continue
        b = beds.get((hospital.id, category))
        room = beds.get((hospital.id, AIRBORNE if case.airborne else ISOLATION))
        out.append(
            Candidate(
                hospital, b.free if b else 0, room.free if room else 0, declined.get(hospital.code)
            )
        )
    return sorted(out, key=lambda c: (c.declined is not None, -c.free, c.hospital.name))


def _not_for(case: Case, hospital: Hospital) -> str | None:
    """Why this case is not offered to this hospital whatever its beds, if it is not: the
    hospital it leaves, or (moved under a transfer request) one outside the region it goes to."""
    if hospital.id == case.origin_hospital_id:
        return _("%(reference)s leaves %(hospital)s: offer it to another hospital.",
                 reference=case.reference, hospital=hospital.name)  # fmt: skip
    if case.destination_region_id is not None and hospital.region_id != case.destination_region_id:
        return _("%(reference)s moves to region %(region)s under a transfer request: offer it to "
                 "a hospital there.", reference=case.reference,
                 region=case.destination_region.code)  # fmt: skip
    return None


# ---------------------------------------------------------------------------------------------
# Acting


def default_deadline(urgency: str, now: datetime | None = None) -> datetime:
    hours = settings.get("offer_deadline_hours").get(urgency, 24)
    return (now or utcnow()) + timedelta(hours=float(hours))


def make_offer(
    actor: User,
    reference: str,
    hospital_code: str,
    *,
    deadline: datetime | None = None,
    proposal_id: int | None = None,
) -> Offer:
    """Offer a triaged case to a hospital."""
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators make offers."))
    expire_overdue()
    case = get_case(actor, reference)
    if not may_place(actor, case):
        raise Conflict(_("Case %(reference)s is with another centre.", reference=reference))
    hospital = db.session.scalar(select(Hospital).where(Hospital.code == hospital_code.upper()))
    if hospital is None or not hospital.active:
        raise InvalidInput([Problem("hospital", _("No hospital %(code)s.", code=hospital_code))])
    if actor.has_role(Role.REGIONAL) and hospital.region_id != actor.region_id:
        raise InvalidInput([Problem("hospital", _(
            "A region's centre offers to hospitals of its own region; escalate the request "
            "for the others."))])  # fmt: skip
    refused = _not_for(case, hospital)
    if refused:
        raise InvalidInput([Problem("hospital", refused)])
    category = case.bed_category
    if category not in (hospital.capabilities or []) and category != "other":
        raise InvalidInput(
            [
                Problem(
                    "hospital",
                    _("%(hospital)s has no beds of this category.", hospital=hospital.name),
                )
            ]
        )
    now = utcnow()
    closed = db.session.scalar(
        select(HospitalBeds).where(
            HospitalBeds.hospital_id == hospital.id,
            HospitalBeds.category == category,
            HospitalBeds.closed_until > now,
        )
    )
    if closed is not None:
        raise InvalidInput([Problem("hospital", _(
            "%(hospital)s has closed these beds to new patients: %(reason)s",
            hospital=hospital.name, reason=closed.closed_reason or ""))])  # fmt: skip
    deadline = deadline or default_deadline(case.urgency, now)
    if deadline <= now:
        raise InvalidInput([Problem("deadline", _("The deadline must lie in the future."))])
    if case.status == CaseStatus.TRIAGED:
        change_status(case, "start_placing", actor)
    if pending_offer(case) is not None:
        raise Conflict(_("Case %(reference)s has a pending offer already.", reference=reference))
    isolation = (
        bool(case.triage.isolation_required)
        if case.triage
        else bool(case.clinical.isolation_required)
    )
    offer = Offer(
        case=case, hospital=hospital, proposal_id=proposal_id, status=OfferStatus.PENDING, created_at=now,
        bed_category=category, isolation=isolation or case.airborne, airborne=case.airborne,
        created_by_id=actor.id, deadline=deadline,
    )  # fmt: skip
    db.session.add(offer)
    try:
        db.session.flush()  # the partial unique index catches a second pending offer made meanwhile
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("Case %(reference)s has a pending offer already.", reference=reference)
        ) from None
    change_status(case, "offer", actor, offer=offer.id, hospital=hospital.code, deadline=deadline)
    notify.queue(
        notify.hospital_staff(hospital.id),
        lambda: (
            _(
                "New patient offered to %(hospital)s: %(reference)s",
                hospital=hospital.code,
                reference=case.reference,
            ),
            _mail_body("offered", offer),
        ),
    )
    db.session.commit()
    notify.send_pending()
    return offer


@dataclass
class Acceptance:
    ward: str
    contact_name: str
    contact_phone: str
    admission_from: datetime | None = None
    admission_until: datetime | None = None


def _responder(actor: User, offer_id: int) -> Offer:
    if not actor.has_role(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Your role may not answer offers."))
    offer = get_offer(actor, offer_id)
    if offer.status != OfferStatus.PENDING:
        raise Conflict(
            _(
                "This offer is %(status)s; it can no longer be answered.",
                status=label(OfferStatus(offer.status)).lower(),
            )
        )
    return offer


def accept_offer(actor: User, offer_id: int, acceptance: Acceptance) -> Offer:
    """Accept: reserve the bed (and isolation room) at once, or 409 when none is left."""
    problems = [
        Problem(name, _("This field is required."))
        for name in ("ward", "contact_name", "contact_phone")
        if not (getattr(acceptance, name) or "").strip()
    ]
    phone = (acceptance.contact_phone or "").strip()
    if phone and sum(ch.isdigit() for ch in phone) < PHONE_DIGITS:
        problems.append(Problem("contact_phone", _("Give a phone number the ward answers, such as +31 50 361 1111.")))  # fmt: skip
    if (
        acceptance.admission_from
        and acceptance.admission_until
        and acceptance.admission_until < acceptance.admission_from
    ):
        problems.append(
            Problem("admission_until", _("The admission window ends before it starts."))
        )
    if problems:
        raise InvalidInput(problems)
    offer = _responder(actor, offer_id)
    for category in [offer.bed_category, *rooms_of(offer)]:
        _reserve(offer.hospital_id, category, offer.hospital.name)
    # Lock the offer too: a withdrawal racing with this acceptance must lose, or win cleanly.
    offer = db.session.scalar(select(Offer).where(Offer.id == offer.id).with_for_update())
    if offer.status != OfferStatus.PENDING:
        db.session.rollback()
        raise Conflict(_("This offer was answered or withdrawn meanwhile."))
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = utcnow()
    offer.responded_by_id = actor.id
    offer.ward = acceptance.ward.strip()
    offer.contact_name = acceptance.contact_name.strip()
    offer.contact_phone = acceptance.contact_phone.strip()
    offer.admission_from = acceptance.admission_from
    offer.admission_until = acceptance.admission_until
    case = offer.case
    case.hospital = offer.hospital
    change_status(
        case, "accept", actor, offer=offer.id, hospital=offer.hospital.code, ward=offer.ward
    )
    # A case already on a flight gets its road leg and becomes scheduled.
    from evac.services import transport  # transport builds on offers; this is the one way back

    db.session.flush()
    transport.plan_after_acceptance(case, actor)
    notify.queue(
        notify.duty_coordinator(),
        lambda: (
            _(
                "Accepted: %(reference)s at %(hospital)s",
                reference=case.reference,
                hospital=offer.hospital.code,
            ),
            _mail_body("accepted", offer),
        ),
    )
    db.session.commit()
    notify.send_pending()
    return offer


def _reserve(hospital_id: int, category: str, hospital_name: str) -> None:
    beds = db.session.scalar(
        select(HospitalBeds)
        .where(HospitalBeds.hospital_id == hospital_id, HospitalBeds.category == category)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if beds is None or beds.free < 1:
        db.session.rollback()
        if category == AIRBORNE:
            message = _(
                "%(hospital)s has no negative-pressure room free according to its capacity report. Update the report first if a room is free.",
                hospital=hospital_name,
            )
        elif category == ISOLATION:
            message = _(
                "%(hospital)s has no isolation room free according to its capacity report. Update the report first if a room is free.",
                hospital=hospital_name,
            )
        else:
            message = _(
                "%(hospital)s has no free bed of this category according to its capacity report. Update the report first if a bed is free.",
                hospital=hospital_name,
            )
        raise Conflict(message)
    beds.reserved += 1


def release_bed(offer: Offer) -> None:
    """Give back the reservation of an accepted offer (cancelled case, or the patient arrived)."""
    categories = [offer.bed_category, *rooms_of(offer)]
    for category in categories:
        beds = db.session.scalar(
            select(HospitalBeds)
            .where(HospitalBeds.hospital_id == offer.hospital_id, HospitalBeds.category == category)
            .with_for_update()
        )
        if beds is not None and beds.reserved > 0:
            beds.reserved -= 1


def settle_for_cancelled(case: Case, held_bed: bool, reason: str) -> None:
    """A cancelled case gives back its reserved bed, and its pending offer is withdrawn."""
    offer = pending_offer(case)
    if offer is not None:
        _withdraw(offer, reason)
    if held_bed:
        accepted = accepted_offer(case)
        if accepted is not None:
            release_bed(accepted)


def accepted_offer(case: Case) -> Offer | None:
    return db.session.scalar(
        select(Offer)
        .where(Offer.case_id == case.id, Offer.status == OfferStatus.ACCEPTED)
        .order_by(Offer.id.desc())
    )


def decline_offer(actor: User, offer_id: int, reason: str, note: str | None = None) -> Offer:
    if reason not in {r.value for r in DeclineReason}:
        raise InvalidInput([Problem("reason", _("Choose a reason from the list."))])
    note = (note or "").strip() or None
    if reason == "other" and not note:
        raise InvalidInput([Problem("note", _("Explain the reason."))])
    offer = _responder(actor, offer_id)
    offer.status = OfferStatus.DECLINED
    offer.responded_at = utcnow()
    offer.responded_by_id = actor.id
    offer.decline_reason, offer.decline_note = reason, note
    change_status(
        offer.case,
        "decline",
        actor,
        decline_text(offer),
        offer=offer.id,
        hospital=offer.hospital.code,
    )
    notify.queue(
        notify.duty_coordinator(),
        lambda: (
            _(
                "Declined: %(reference)s by %(hospital)s",
                reference=offer.case.reference,
                hospital=offer.hospital.code,
            ),
            _mail_body("declined", offer),
        ),
    )
    db.session.commit()
    notify.send_pending()
    return offer


def withdraw_offer(actor: User, offer_id: int, reason: str) -> Offer:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.REGIONAL):
        raise Forbidden(_("Only coordinators withdraw offers."))
    offer = _responder(actor, offer_id)
    if not may_place(actor, offer.case):
        raise Forbidden(
            _("Case %(reference)s is with another centre.", reference=offer.case.reference)
        )
    _withdraw(offer, reason)
    change_status(
        offer.case,
        "withdraw",
        actor,
        offer.withdraw_reason,
        offer=offer.id,
        hospital=offer.hospital.code,
    )
    db.session.commit()
    notify.send_pending()
    return offer


def _withdraw(offer: Offer, reason: str) -> None:
    """The offer ends without an answer; the hospital is told."""
    offer.status = OfferStatus.WITHDRAWN
    offer.responded_at = utcnow()
    offer.withdraw_reason = (reason or "").strip()
    notify.queue(
        notify.hospital_staff(offer.hospital_id),
        lambda: (
            _("Offer withdrawn: %(reference)s", reference=offer.case.reference),
            _mail_body("withdrawn", offer),
        ),
    )


def _mail_body(event: str, offer: Offer) -> str:
    """The text of a notification: the case reference and what to do, never who the patient is."""
    base = current_app.config["EVAC_BASE_URL"].rstrip("/")
    case = offer.case
    lines = {
        "offered": _(
            "A patient has been offered to your hospital. Please accept or decline before %(deadline)s.",
            deadline=format_datetime(offer.deadline, "short"),
        ),
        "accepted": _(
            "%(hospital)s accepted the patient (ward %(ward)s).",
            hospital=offer.hospital.name,
            ward=offer.ward or "–",
        ),
        "declined": _(
            "%(hospital)s declined the patient: %(reason)s.",
            hospital=offer.hospital.name,
            reason=decline_text(offer),
        ),
        "expired": _(
            "%(hospital)s did not answer the offer in time.", hospital=offer.hospital.name
        ),
        "withdrawn": _("The coordination centre withdrew the offer."),
    }
    link = (
        f"{base}/hospital/offers/{offer.id}"
        if event in ("offered", "withdrawn")
        else f"{base}/cases/{case.reference}"
    )
    return "\n".join(
        [
            lines[event],
            "",
            _("Case: %(reference)s", reference=case.reference),
            _("Bed category: %(category)s", category=label(BedCategory(case.bed_category))),
            _("Urgency: %(urgency)s", urgency=label(Urgency(case.urgency))),
            "",
            link,
        ]
    )
