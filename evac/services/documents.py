"""Documents: generate (a new version only when the content changed), download (audited), and
verify (the page the QR code leads to). Who may download: coordinators, and the receiving
hospital once it has accepted the patient; anyone else learns nothing (404)."""

from __future__ import annotations

import hashlib
import json
import secrets
from concurrent.futures import Future
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from evac import documents as pdf
from evac import workflow
from evac.documents import content as contents
from evac.extensions import db
from evac.models import Case, Document, Flight, User
from evac.models.types import utcnow
from evac.services import audit, offers, transport
from evac.services.cases import alert_facts, fhir_summaries, get_case
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from evac.terms import BedCategory, Mobility, OfferStatus, Role, label


def languages_from(
    raw: str | None, default: tuple[str, ...] = contents.LANGUAGES
) -> tuple[str, ...]:
    if not raw:
        return default
    try:
        return contents.parse_languages(raw)
    except ValueError:
        raise InvalidInput(
            [
                Problem(
                    "lang", _("Choose one to three of the languages uk, nl and en, e.g. uk,nl,en.")
                )
            ]
        ) from None


def _case_for_documents(actor: User, reference: str) -> Case:
    if actor.has_role(Role.VIEWER):
        raise Forbidden(_("Viewers do not see patient documents."))
    case = get_case(actor, reference)
    if actor.has_role(Role.HOSPITAL) and not (
        case.hospital_id == actor.hospital_id and case.status in workflow.RECEIVED_BY_HOSPITAL
    ):
        raise NotFound(_("No case %(reference)s.", reference=reference))
    return case


def _current(
    kind: str, languages: tuple[str, ...], case_id: int | None = None, flight_id: int | None = None
):
    query = select(Document).where(Document.kind == kind, Document.superseded_at.is_(None))
    query = (
        query.where(Document.case_id == case_id)
        if case_id
        else query.where(Document.flight_id == flight_id)
    )
    for doc in db.session.scalars(query.order_by(Document.version.desc())):
        if tuple(doc.languages) == languages:
            return doc
    return None


class _Known(NamedTuple):
    current: Document | None  # the current version in these languages
    last_version: int  # the highest version of the kind, in any languages (0: none yet)


def _transfers_known(ids: list[int]) -> dict[int, _Known]:
    """_Known of the transfer documents (in every language) of these cases, in two statements."""
    last = dict(
        db.session.execute(
            select(Document.case_id, func.max(Document.version))
            .where(Document.kind == "transfer", Document.case_id.in_(ids))
            .group_by(Document.case_id)
        ).all()
    )
    current: dict[int, Document] = {}
    for doc in db.session.scalars(
        select(Document)
        .where(Document.kind == "transfer", Document.superseded_at.is_(None),
               Document.case_id.in_(ids))
        .order_by(Document.version.desc())
    ):  # fmt: skip
        if tuple(doc.languages) == contents.LANGUAGES:
            current.setdefault(doc.case_id, doc)
    return {i: _Known(current.get(i), last.get(i, 0)) for i in ids}


@dataclass
class _Draft:
    """A new version about to be rendered: everything but the PDF."""

    kind: str
    languages: tuple[str, ...]
    content_hash: str
    case: Case | None
    flight: Flight | None
    version: int
    token: str
    meta: dict
    previous: Document | None


def _draft(kind: str, languages: tuple[str, ...], content_hash: str, case: Case | None = None,
           flight: Flight | None = None, known: _Known | None = None) -> Document | _Draft:  # fmt: skip
    """The current document when its content is unchanged, else a draft of the next version.
    `known`: the current document and the last version, when loaded for several at once."""
    if known is None:
        current = _current(
            kind, languages, case.id if case else None, flight.id if flight else None
        )
        owner = (Document.case_id == case.id) if case else (Document.flight_id == flight.id)
        last = db.session.scalar(
            select(func.max(Document.version)).where(Document.kind == kind, owner)
        )
        known = _Known(current, last or 0)
    current = known.current
    if current is not None and current.content_hash == content_hash:
        return current
    version = known.last_version + 1
    token = secrets.token_urlsafe(24)
    base = current_app.config["EVAC_BASE_URL"].rstrip("/")
    meta = {
        "version": version,
        "made": contents.local(utcnow()),
        "qr": pdf.qr_data_uri(f"{base}/documents/verify/{token}"),
    }
    return _Draft(kind, languages, content_hash, case, flight, version, token, meta, current)


def _save(actor: User | None, draft: _Draft, data: bytes) -> Document:
    now = utcnow()
    if draft.previous is not None:
        draft.previous.superseded_at = now
    doc = Document(
        kind=draft.kind, case_id=draft.case.id if draft.case else None,
        flight_id=draft.flight.id if draft.flight else None, version=draft.version,
        languages=list(draft.languages), token=draft.token, sha256=hashlib.sha256(data).hexdigest(),
        content_hash=draft.content_hash, pdf=data, created_at=now, created_by_id=actor.id if actor else None,
    )  # fmt: skip
    db.session.add(doc)
    db.session.flush()
    audit.record(actor, "document.generated", doc, case=draft.case, kind=draft.kind, version=draft.version,
                 languages=list(draft.languages))  # fmt: skip
    return doc


def _store(actor: User | None, kind: str, languages: tuple[str, ...], content_hash: str, render,
           case: Case | None = None, flight: Flight | None = None) -> Document:  # fmt: skip
    """A new version of a document: rendered, hashed, the previous one marked superseded."""
    draft = _draft(kind, languages, content_hash, case, flight)
    if isinstance(draft, Document):
        return draft
    return _save(actor, draft, render(draft.meta))


def transfer_document(
    actor: User | None, reference: str, languages: tuple[str, ...] = contents.LANGUAGES
) -> Document:
    """The current transfer document of a case (a new version when its content changed)."""
    case = (
        _case_for_documents(actor, reference)
        if actor
        else db.session.scalar(select(Case).where(Case.reference == reference))
    )
    if case is None:
        raise NotFound(_("No case %(reference)s.", reference=reference))
    content = _transfer_content(case, languages)
    doc = _store(actor, "transfer", languages, contents.content_hash(content),
                 lambda meta: pdf.render_pdf("transfer.html", {**content, "document": meta}), case=case)  # fmt: skip
    db.session.commit()
    return doc


def acceptance_confirmation(actor: User, reference: str) -> Document:
    """For the sending side (English and Ukrainian): the patient is accepted, where and by whom."""
    case = _case_for_documents(actor, reference)
    offer = offers.accepted_offer(case)
    if offer is None or case.status not in workflow.RECEIVED_BY_HOSPITAL:
        raise Conflict(
            _("Case %(reference)s has not been accepted by a hospital.", reference=reference)
        )
    languages = ("en", "uk")
    m = lambda key: contents.multi(contents.L[key], languages)  # noqa: E731
    p = case.patient
    content = {
        "lang": "en", "title": m("acceptance"), "reference": case.reference, "statement": m("accepted_text"),
        "patient_name": f"{p.family_name} {p.given_name} ({p.family_name_latin.upper()} {p.given_name_latin})",
        "rows": [
            (m("external_ref"), case.external_ref),
            (m("patient"), f"{p.family_name} {p.given_name} / {p.family_name_latin.upper()} {p.given_name_latin}"),
            (m("date_of_birth"), p.date_of_birth.strftime("%d-%m-%Y") if p.date_of_birth else "–"),
            (m("receiving"), f"{offer.hospital.name}, {offer.hospital.city}"),
            (m("ward"), offer.ward or "–"),
            (m("contact"), ", ".join(x for x in (offer.contact_name, offer.contact_phone) if x) or "–"),
            (m("admission"), f"{contents.local(offer.admission_from)} – {contents.local(offer.admission_until)}"
             if offer.admission_from else "–"),
            (m("centre"), f"{current_app.config['EVAC_CENTRE_NAME']} · {current_app.config['EVAC_CENTRE_PHONE']}"
             f" · {current_app.config['EVAC_CENTRE_EMAIL']}"),
        ],
        "labels": {k: m(k) for k in ("case", "version", "made", "verify", "page", "of")},
    }  # fmt: skip
    doc = _store(actor, "acceptance", languages, contents.content_hash(content),
                 lambda meta: pdf.render_pdf("acceptance.html", {**content, "document": meta}), case=case)  # fmt: skip
    db.session.commit()
    return doc


def _flight(actor: User, flight_id: int) -> Flight:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(_("Only coordinators print flight documents."))
    flight = db.session.get(Flight, flight_id)
    if flight is None:
        raise NotFound(_("No flight %(id)s.", id=flight_id))
    return flight


def flight_manifest(actor: User, flight_id: int) -> Document:
    """All patients of a flight with their receiving hospitals (Dutch and English)."""
    flight = _flight(actor, flight_id)
    languages = ("nl", "en")
    m = lambda key: contents.multi(contents.L[key], languages)  # noqa: E731
    term = lambda value: contents.multi(lambda: label(value), languages)  # noqa: E731
    rows = []
    for case in transport.flight_cases(flight):
        t = case.triage
        rows.append({
            "reference": case.reference,
            "name": f"{case.patient.family_name_latin.upper()} {case.patient.given_name_latin}",
            "name_native": f"{case.patient.family_name} {case.patient.given_name}",
            "hospital": case.hospital.name if case.hospital else "–",
            "category": term(BedCategory(case.bed_category)),
            "isolation": term(bool(t.isolation_required if t else case.clinical.isolation_required)),
            "companions": len(case.companions),
            "mobility": term(Mobility(case.mobility)),
        })  # fmt: skip
    content = {
        "lang": "nl", "title": m("manifest"), "reference": flight.code,
        "flight": f"{flight.code} · {flight.operator} · {flight.departure_place} → {flight.arrival_airport}"
                  f" · {contents.local(flight.planned_arrival)}",
        "rows": rows,
        "columns": {k: m(k) for k in ("case", "patient", "receiving", "bed_category", "isolation", "companions", "mobility")},
        "labels": {k: m(k) for k in ("case", "version", "made", "verify", "page", "of", "patients")},
    }  # fmt: skip
    doc = _store(actor, "manifest", languages, contents.content_hash(content),
                 lambda meta: pdf.render_pdf("manifest.html", {**content, "document": meta}), flight=flight)  # fmt: skip
    db.session.commit()
    return doc


def flight_bundle(actor: User, flight_id: int) -> Document:
    """Every transfer document of a flight in one PDF, in the order of the manifest. Documents
    that are not current are rendered first, in parallel when there are many."""
    flight = _flight(actor, flight_id)
    cases = transport.flight_cases(flight)
    if not cases:
        raise Conflict(_("No patients on this flight yet."))
    printed = _printed(cases)
    known = _transfers_known([c.id for c in cases])
    members: list[Document | tuple[_Draft, Future]] = []
    with pdf.Renderer("transfer.html", len(cases)) as renderer:
        for case in cases:
            content = _transfer_content(case, contents.LANGUAGES, **printed[case.id])
            draft = _draft("transfer", contents.LANGUAGES, contents.content_hash(content),
                           case=case, known=known[case.id])  # fmt: skip
            if isinstance(draft, Document):
                members.append(draft)
            else:
                members.append((draft, renderer.submit({**content, "document": draft.meta})))
        # Each patient's International Patient Summary travels inside the bundle as a FHIR
        # file, so the receiving hospital can load it into its own record. Made while the
        # documents are rendered.
        summaries = {
            f"{reference}-ips.fhir.json": json.dumps(summary, ensure_ascii=False, indent=1).encode()
            for reference, summary in fhir_summaries(actor, [c.reference for c in cases]).items()
        }
        documents = [
            m if isinstance(m, Document) else _save(actor, m[0], m[1].result()) for m in members
        ]
    key = contents.content_hash({"members": [(d.case_id, d.version, d.sha256) for d in documents]})
    doc = _store(actor, "bundle", contents.LANGUAGES, key,
                 lambda _meta: pdf.merge_pdfs([d.pdf for d in documents], summaries),
                 flight=flight)  # fmt: skip
    db.session.commit()
    return doc


def _printed(cases: list[Case]) -> dict[int, dict]:
    """What the transfer documents of these cases print beyond the case itself (the accepted
    offer, the legs, the fitness to fly), for each case, loaded for all in a constant number of
    statements: keyword arguments for _transfer_content."""
    from evac.models import FitnessToFly, Leg, Offer

    ids = [c.id for c in cases]
    # Load what the documents print for all cases at once (the session keeps them).
    db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(
            selectinload(Case.patient), selectinload(Case.clinical), selectinload(Case.triage),
            selectinload(Case.companions), selectinload(Case.flight),
        )
    ).all()  # fmt: skip
    accepted: dict[int, Offer] = {}
    for offer in db.session.scalars(
        select(Offer).where(Offer.case_id.in_(ids), Offer.status == OfferStatus.ACCEPTED)
        .options(selectinload(Offer.hospital)).order_by(Offer.id)
    ):  # fmt: skip
        accepted[offer.case_id] = offer  # the latest wins, as accepted_offer says
    legs: dict[int, list[Leg]] = {i: [] for i in ids}
    for leg in db.session.scalars(
        select(Leg).where(Leg.case_id.in_(ids)).order_by(Leg.sequence, Leg.id)
    ):
        legs[leg.case_id].append(leg)
    cleared = transport.cleared_to_fly(cases)
    latest: dict[int, FitnessToFly] = {}
    for confirmation in db.session.scalars(
        select(FitnessToFly).where(FitnessToFly.case_id.in_(ids)).order_by(FitnessToFly.id)
    ):
        latest[confirmation.case_id] = confirmation
    return {
        case.id: {
            "offer": accepted.get(case.id),
            "legs": legs[case.id],
            "fitness": latest.get(case.id) if case.id in cleared else None,
        }
        for case in cases
    }


_ASK = object()  # look it up (one case); a flight's cases pass what was loaded for all at once


def _transfer_content(case: Case, languages: tuple[str, ...], offer=_ASK, legs=_ASK,
                      fitness=_ASK) -> dict:  # fmt: skip
    if fitness is _ASK:
        fitness = transport.fitness(case) if transport.fit_to_fly(case) else None
    return contents.transfer_content(
        case,
        offers.accepted_offer(case) if offer is _ASK else offer,
        transport.case_legs(case) if legs is _ASK else legs,
        case.flight, languages, alert_facts(case), fitness=fitness,
    )  # fmt: skip


def transfers_current(cases: list[Case]) -> set[int]:
    """The ids of the cases whose transfer document says what the case says now, for a whole
    flight in a constant number of statements (the overview asks it for every flight soon)."""
    if not cases:
        return set()
    printed = _printed(cases)
    stored: dict[int, str] = {}
    for doc in db.session.scalars(
        select(Document)
        .where(Document.kind == "transfer", Document.superseded_at.is_(None),
               Document.case_id.in_(list(printed)))
        .options(defer(Document.pdf))
        .order_by(Document.version.desc())
    ):  # fmt: skip
        if tuple(doc.languages) == contents.LANGUAGES:
            stored.setdefault(doc.case_id, doc.content_hash)
    out = set()
    for case in cases:
        if case.id not in stored:
            continue
        content = _transfer_content(case, contents.LANGUAGES, **printed[case.id])
        if contents.content_hash(content) == stored[case.id]:
            out.add(case.id)
    return out


def transfer_is_current(case: Case) -> bool:
    """Whether the case's transfer document exists and says what the case says now (no
    rendering: the content's hash against the stored one)."""
    return case.id in transfers_current([case])


def prepare_flights(actor: User | None = None) -> int:
    """Bring the transfer documents of planned and departed flights up to date, so that the
    pages hand them out at once (`flask --app evac render-documents`, e.g. every few minutes).
    Returns how many documents were rendered."""
    rendered = 0
    for flight in db.session.scalars(
        select(Flight).where(Flight.status.in_(("planned", "departed")))
    ):
        for case in transport.flight_cases(flight):
            before = _current("transfer", contents.LANGUAGES, case_id=case.id)
            doc = transfer_document(None, case.reference)
            rendered += doc is not before
    return rendered


def record_download(actor: User, doc: Document) -> None:
    audit.record(actor, "document.downloaded", doc, case=doc.case_id and db.session.get(Case, doc.case_id),
                 kind=doc.kind, version=doc.version, languages=doc.languages)  # fmt: skip
    db.session.commit()


def filename(doc: Document) -> str:
    """The file name names the case or flight, never the patient."""
    owner = (
        db.session.get(Case, doc.case_id).reference
        if doc.case_id
        else db.session.get(Flight, doc.flight_id).code
    )
    return f"{owner}-{doc.kind}-v{doc.version}-{'-'.join(doc.languages)}.pdf"


@dataclass
class Verification:
    document: Document
    owner: str  # case reference or flight code
    current: bool
    successor: Document | None
    created_by: str


def verify(actor: User, token: str) -> Verification:
    doc = db.session.scalar(select(Document).where(Document.token == token))
    if doc is None:
        raise NotFound(
            _("This document is not known to evac. It may be forged, or from another system.")
        )
    owner = (
        db.session.get(Case, doc.case_id).reference
        if doc.case_id
        else db.session.get(Flight, doc.flight_id).code
    )
    successor = None
    if doc.superseded_at is not None:
        owner_filter = (
            (Document.case_id == doc.case_id)
            if doc.case_id
            else (Document.flight_id == doc.flight_id)
        )
        successor = db.session.scalar(
            select(Document).where(Document.kind == doc.kind, owner_filter, Document.version > doc.version)
            .order_by(Document.version.desc())
        )  # fmt: skip
    audit.record(actor, "document.verified", doc, kind=doc.kind, version=doc.version)
    db.session.commit()
    return Verification(
        doc,
        owner,
        doc.superseded_at is None,
        successor,
        doc.created_by.name if doc.created_by else "evac",
    )
