"""Registering evacuation requests: from a file, an upload, the API or the intake form.

A batch is all or nothing. A request seen before (same source and external_ref) with the same
content is a duplicate and creates nothing; with different content it is a conflict, which
rejects the batch so that a coordinator looks at it. The raw payload is kept in an import
record in every outcome, rejected batches included, so nothing received is ever lost.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from evac import bulk, icd10
from evac.extensions import db
from evac.interop import requests as request_format
from evac.models import (
    AuditEvent,
    Case,
    ClinicalPicture,
    Companion,
    Hospital,
    ImportRecord,
    Patient,
    StatusChange,
    User,
)
from evac.models.cases import search_text
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import Conflict, Forbidden, InvalidInput, Problem
from evac.terms import CaseStatus, ImportChannel, ImportOutcome, Role, Source

INTAKE_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.REGIONAL)

# Fields whose change makes a re-sent request a conflict, named for the coordinator.
_COMPARED = (
    "family_name", "given_name", "date_of_birth", "age_years", "sex", "diagnosis", "icd10",
    "requested_care", "urgency", "mobility", "ventilated", "oxygen_l_min", "mdro_status",
    "isolation_required", "allergies", "medication", "companions", "fit_to_fly",
    "sending_facility", "sending_country", "requested_at", "notes",
    # version 2
    "patient_type", "region_of_origin", "place_type", "tracheostomy", "devices", "vital_signs",
    "ventilation", "mdro_organisms", "mdro_screened_at", "infections", "isolation_type",
    "code_status", "pregnancy_weeks", "documents_received", "family_in_nl",
)  # fmt: skip


@dataclass
class IntakeResult:
    record: ImportRecord
    # The new cases' ids, in the order of the batch; `created` loads the cases themselves.
    created_ids: list[int] = field(default_factory=list)
    duplicates: list[Case] = field(default_factory=list)
    # Accepted, but a person should look (an ICD-10 code not in the WHO list), by row.
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def created(self) -> list[Case]:
        """The new cases, loaded when asked for: the API answers with them, while a file of
        ten thousand imported from the command line only counts them (loading them back took
        a second)."""
        return _load_cases(self.created_ids)


class IntakeRejected(InvalidInput):
    """The batch was refused; `record` is the import record that keeps what was sent."""

    def __init__(self, problems: list[Problem], record: ImportRecord, row_labels: dict[int, str]):
        super().__init__(problems)
        self.record = record
        # What each problem row is, so that a coordinator finds it in their file
        self.row_labels = row_labels


def register_requests(
    actor: User | None,
    channel: ImportChannel,
    raw: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    parsed: request_format.ParseResult | None = None,
) -> IntakeResult:
    """Register a batch of requests. Raises IntakeRejected (nothing created) on any problem."""
    if actor is not None and not actor.has_role(*INTAKE_ROLES):
        raise Forbidden(_("Only coordinators register evacuation requests."))
    today = date.today()
    if parsed is None:
        parsed = request_format.parse_file(filename or "", raw, today, _max_batch())
    problems = list(parsed.problems)
    # The same sender's reference with other content: conflicts with what was received
    conflicts: list[Problem] = []
    seen: dict[tuple[str, str], request_format.ParsedRequest] = {}
    new: list[request_format.ParsedRequest] = []
    duplicates: list[Case] = []
    existing = _existing_cases([p.key for p in parsed.requests])
    origins = _origin_hospitals(parsed.requests, problems)
    if actor is not None and actor.has_role(Role.REGIONAL):
        # A region's centre registers its own region's domestic requests, nothing else.
        for req in parsed.requests:
            origin = origins.get(req.key)
            if (
                req.data["source"] != Source.DOMESTIC
                or origin is None
                or (origin.region_id != actor.region_id)
            ):
                problems.append(Problem("sending_hospital", _(
                    "A regional coordinator registers domestic requests from hospitals of "
                    "their own region only."), req.row))  # fmt: skip
    for req in parsed.requests:
        earlier = seen.get(req.key)
        if earlier is not None:
            if earlier.fingerprint != req.fingerprint:
                conflicts.append(
                    Problem(
                        "external_ref",
                        _(
                            "%(ref)s appears twice in this batch with different content "
                            "(also in row %(row)s).",
                            ref=req.data["external_ref"],
                            row=earlier.row,
                        ),
                        req.row,
                    )
                )
            continue
        seen[req.key] = req
        case = existing.get(req.key)
        if case is None:
            new.append(req)
        elif case.request_hash == req.fingerprint:
            duplicates.append(case)
        else:
            changed = [
                name for name in _COMPARED if (case.request or {}).get(name) != req.data.get(name)
            ]
            conflicts.append(
                Problem(
                    "external_ref",
                    _(
                        "%(ref)s was registered before as %(reference)s with different content "
                        "(changed: %(fields)s). Change the case itself, or ask the sender.",
                        ref=req.data["external_ref"],
                        reference=case.reference,
                        fields=", ".join(changed) or "?",
                    ),
                    req.row,
                )
            )
    record = ImportRecord(
        channel=channel,
        filename=filename,
        content_type=content_type,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        user_id=actor.id if actor else None,
        outcome=ImportOutcome.REJECTED,
    )
    if problems or conflicts:
        rejected = IntakeRejected(problems + conflicts, record, parsed.labels)
        if not problems:
            # Every request is valid; some conflict with what was received (HTTP 409)
            rejected.status = Conflict.status
        problems = rejected.problems
        db.session.rollback()
        record.problems = [p.to_dict() for p in problems]
        db.session.add(record)
        db.session.flush()
        audit.record(actor, "intake.rejected", record, problems=len(problems), channel=channel)
        db.session.commit()
        raise rejected

    record.outcome = ImportOutcome.IMPORTED if new else ImportOutcome.DUPLICATES
    record.imported_count = len(new)
    record.duplicate_count = len(duplicates)
    db.session.add(record)
    db.session.flush()
    centres = regions_with_centres()
    created = _create_cases(new, record, origins, actor, centres)
    audit.record(
        actor,
        "intake.imported",
        record,
        imported=len(created),
        duplicates=len(duplicates),
        channel=channel,
    )
    db.session.commit()
    return IntakeResult(
        record=record, created_ids=created, duplicates=duplicates, warnings=parsed.warnings
    )


def _existing_cases(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Case]:
    """The cases registered before under these (source, external_ref) keys. Asked in chunks: a
    single IN list of ten thousand pairs exhausts PostgreSQL's stack."""
    wanted = set(keys)
    found: dict[tuple[str, str], Case] = {}
    sources = sorted({source for source, _ref in wanted})
    refs = sorted({ref for _source, ref in wanted})
    for start in range(0, len(refs), 500):
        # With the sources too, the unique index on (source, external_ref) finds them; the
        # reference alone has PostgreSQL read the whole index (a year's cases) for each chunk.
        for c in db.session.scalars(
            select(Case).where(
                Case.source.in_(sources), Case.external_ref.in_(refs[start : start + 500])
            )
        ):
            if (c.source, c.external_ref) in wanted:
                found[(c.source, c.external_ref)] = c
    return found


def _origin_hospitals(
    requests: list[request_format.ParsedRequest], problems: list[Problem]
) -> dict[tuple[str, str], Hospital]:
    """The Dutch sending hospital of each domestic request, by code (or name as a fallback)."""
    hospitals = {h.code: h for h in db.session.scalars(select(Hospital))}
    by_name = {h.name.lower(): h for h in hospitals.values()}
    found = {}
    for req in requests:
        code = req.data.get("sending_hospital")
        if req.data["source"] != Source.DOMESTIC and not code:
            continue
        facility = (req.data.get("sending_facility") or "").lower()
        hospital = hospitals.get((code or "").upper()) if code else by_name.get(facility)
        if hospital is None and code:
            problems.append(
                Problem(
                    "sending_hospital",
                    _("Unknown hospital code: %(code)s.", code=code),
                    req.row,
                )
            )
        elif hospital is None and req.data["source"] == Source.DOMESTIC:
            problems.append(
                Problem(
                    "sending_hospital",
                    _(
                        "A domestic request needs the sending hospital: give sending_hospital "
                        "(a hospital code) or its exact name in sending_facility."
                    ),
                    req.row,
                )
            )
        else:
            found[req.key] = hospital
    return found


def _create_cases(
    requests: list[request_format.ParsedRequest],
    record: ImportRecord,
    origins: dict[tuple[str, str], Hospital],
    actor: User | None,
    centres: frozenset[int] = frozenset(),
) -> list[int]:
    """The cases of a batch, written in bulk (a year's flights arrive as files of thousands);
    their ids, in the batch's order."""
    if not requests:
        return []
    now = utcnow()
    user_id = actor.id if actor else None
    rows = []
    for req in requests:
        d = req.data
        origin = origins.get(req.key)
        # A domestic request goes to its own region's centre first, when the region has one.
        held_by = (
            origin.region_id
            if d["source"] == Source.DOMESTIC and origin is not None and origin.region_id in centres
            else None
        )
        rows.append({
            "status": CaseStatus.RECEIVED.value, "source": d["source"],
            "external_ref": d["external_ref"], "request_hash": req.fingerprint, "request": d,
            "requested_at": _timestamp(d["requested_at"]), "received_at": now, "updated_at": now,
            "sending_country": d["sending_country"],
            "sending_facility": d["sending_facility"] or (origin.name if origin else None),
            "origin_hospital_id": origin.id if origin else None,
            "requested_care": d["requested_care"], "urgency": d["urgency"],
            "mobility": d["mobility"], "fit_to_fly": d["fit_to_fly"],
            "war_related": d["war_related"], "contact_name": d["contact_name"],
            "contact_phone": d["contact_phone"], "contact_email": d["contact_email"],
            "notes": d["notes"], "import_record_id": record.id, "region_queue_id": held_by,
            "include_own_region": False,
            "patient_type": d.get("patient_type"), "region_of_origin": d.get("region_of_origin"),
            "place_type": d.get("place_type"), "documents_received": d.get("documents_received"),
            "family_in_nl": d.get("family_in_nl"),
        })  # fmt: skip
    ids = _new_case_ids(len(rows))
    references = {case_id: f"EV-{now.year}-{case_id:05d}" for case_id in ids}
    for case_id, row in zip(ids, rows, strict=True):
        row["id"], row["reference"] = case_id, references[case_id]
    bulk.insert_rows(Case.__table__, rows)
    patients, clinical, companions, changes, events = [], [], [], [], []
    for case_id, req in zip(ids, requests, strict=True):
        d = req.data
        patients.append({
            "case_id": case_id, "family_name": d["family_name"], "given_name": d["given_name"],
            "family_name_latin": d["family_name_latin"], "given_name_latin": d["given_name_latin"],
            "date_of_birth": date.fromisoformat(d["date_of_birth"]) if d["date_of_birth"] else None,
            "age_years": d["age_years"], "sex": d["sex"], "languages": d["languages"],
            "weight_kg": d["weight_kg"],
            "search_text": search_text(d["family_name"], d["given_name"], d["family_name_latin"],
                                       d["given_name_latin"]),
        })  # fmt: skip
        clinical.append({
            "case_id": case_id, "diagnosis": d["diagnosis"], "icd10": d["icd10"],
            "ventilated": d["ventilated"], "oxygen_l_min": d["oxygen_l_min"],
            "mdro_status": d["mdro_status"], "isolation_required": d["isolation_required"],
            "allergies": d["allergies"], "medication": d["medication"],
            "tracheostomy": d.get("tracheostomy"), "devices": d.get("devices"),
            "vital_signs": d.get("vital_signs"), "ventilation": d.get("ventilation"),
            "mdro_organisms": d.get("mdro_organisms"),
            "mdro_screened_at": (
                date.fromisoformat(d["mdro_screened_at"]) if d.get("mdro_screened_at") else None
            ),
            "infections": d.get("infections"), "isolation_type": d.get("isolation_type"),
            "code_status": d.get("code_status"), "pregnancy_weeks": d.get("pregnancy_weeks"),
        })  # fmt: skip
        companions.extend({"case_id": case_id, **c} for c in d["companions"])
        changes.append({"case_id": case_id, "from_status": None,
                        "to_status": CaseStatus.RECEIVED.value, "transition": "register",
                        "at": now, "user_id": user_id})  # fmt: skip
        events.append(audit.values(actor, "case.registered", object_type="case",
                                   object_ref=references[case_id], case_id=case_id,
                                   external_ref=d["external_ref"], import_record=record.id))  # fmt: skip
    # Written in bulk (COPY on PostgreSQL), not by the ORM's unit of work per object.
    for model, values in ((Patient, patients), (ClinicalPicture, clinical),
                          (Companion, companions), (StatusChange, changes), (AuditEvent, events)):  # fmt: skip
        bulk.insert_rows(model.__table__, values)
    return ids


def _load_cases(ids: list[int]) -> list[Case]:
    """The cases with these ids, in this order, with their patients."""
    loaded: dict[int, Case] = {}
    for start in range(0, len(ids), 500):
        for case in db.session.scalars(
            select(Case)
            .where(Case.id.in_(ids[start : start + 500]))
            .options(selectinload(Case.patient))
        ):
            loaded[case.id] = case
    return [loaded[i] for i in ids]


def _new_case_ids(n: int) -> list[int]:
    """Ids for n new cases, known before they are written, so that each is written once with
    its reference (derived from the id)."""
    if db.engine.dialect.name == "postgresql":
        return list(
            db.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('\"case\"', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": n},
            )
        )
    # SQLite: this transaction already holds the database's write lock (it wrote the import
    # record), so no other writer can take these ids meanwhile.
    start = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    return list(range(start, start + n))


def regions_with_centres() -> frozenset[int]:
    """Regions with at least one active regional coordinator (an RCPS that works in evac)."""
    now = utcnow()
    rows = db.session.execute(
        select(User.region_id, User.expires_at).where(
            User.role == Role.REGIONAL, User.active, User.region_id.is_not(None)
        )
    )
    return frozenset(r for r, expires in rows if expires is None or expires > now)


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def register_form_request(actor: User, payload: dict, raw: bytes) -> IntakeResult:
    """One request entered by hand; checked by the same rules as a file (CSV conventions)."""
    parsed = request_format.validate(payload, 1, True, date.today())
    return register_requests(
        actor,
        ImportChannel.FORM,
        raw,
        filename=None,
        content_type="application/json",
        parsed=parsed,
    )


class IntakeMalformed(IntakeRejected):
    """The body could not be read at all (not UTF-8, not JSON, nested too deeply); the import
    record keeps it all the same."""

    status = 400


def _max_batch() -> int:
    from flask import current_app

    return current_app.config["EVAC_MAX_BATCH"]


def register_api_requests(actor: User, raw: bytes) -> IntakeResult:
    """Requests posted to the API, raw body kept whatever it holds."""
    if actor is not None and not actor.has_role(*INTAKE_ROLES):
        raise Forbidden(_("Only coordinators register evacuation requests."))
    payload, problem = request_format.load_json(raw)
    if problem is not None:
        try:
            register_requests(
                actor,
                ImportChannel.API,
                raw,
                content_type="application/json",
                parsed=request_format.ParseResult(problems=[problem]),
            )
        except IntakeRejected as exc:
            raise IntakeMalformed(exc.problems, exc.record, {}) from None
    parsed = request_format.parse_json(payload, date.today(), _max_batch())
    return register_requests(
        actor, ImportChannel.API, raw, content_type="application/json", parsed=parsed
    )


def recent_records(limit: int = 100) -> list[ImportRecord]:
    return list(
        db.session.scalars(
            select(ImportRecord).order_by(ImportRecord.received_at.desc()).limit(limit)
        )
    )


def record_warnings(cases: list[Case]) -> list[tuple[Case, str]]:
    """What a person should check in the cases of an import (ICD-10 codes not in the WHO
    list), asked of the cases themselves so that the warning stays true after a correction."""
    return [
        (case, request_format.icd10_warning(code))
        for case in cases
        for code in icd10.unknown_codes(case.clinical.icd10)
    ]


def get_record(record_id: int) -> tuple[ImportRecord, list[Case]]:
    from evac.services.errors import NotFound

    record = db.session.get(ImportRecord, record_id)
    if record is None:
        raise NotFound(_("No such import."))
    cases = list(
        db.session.scalars(select(Case).where(Case.import_record_id == record.id).order_by(Case.id))
    )
    return record, cases
