"""A case: one patient's evacuation or transfer, from request to closure.

The case carries the request's logistics; the patient's identity and clinical picture sit in
their own rows so that views for viewers (no identities) and hospitals (summary before
acceptance) can leave them out without loading them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac import triage as rules
from evac.extensions import db
from evac.models.types import JSONType, NullableJSON, UTCDateTime, utcnow
from evac.terms import CaseStatus, IsolationKind


class ImportRecord(db.Model):
    """One batch of requests as received (file, upload, API call or form), kept whole."""

    __tablename__ = "import_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # imported, duplicates (nothing new) or rejected
    outcome: Mapped[str] = mapped_column(String(20))
    imported_count: Mapped[int] = mapped_column(default=0)
    duplicate_count: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[dict]] = mapped_column(JSONType, default=list)

    user: Mapped[User | None] = relationship()  # noqa: F821


class Case(db.Model):
    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("source", "external_ref", name="uq_case_source_external_ref"),
        Index("ix_case_status_urgency", "status", "urgency"),
        # The board's order and its pages: ids in order from the index alone (PostgreSQL reads
        # the filter columns from the index too).
        Index("ix_case_received", "received_at", "id",
              postgresql_include=["region_queue_id", "status"]),
        Index("ix_case_requested", "requested_at", "id"),
        # The board's counts per status, for the national board (cases no region holds).
        Index("ix_case_status_queue", "status", "region_queue_id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.RECEIVED)
    source: Mapped[str] = mapped_column(String(20))
    external_ref: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the request as received, to tell a duplicate from a changed request.
    request_hash: Mapped[str] = mapped_column(String(64))
    # The request as received and normalised; triage may change the case, never this.
    request: Mapped[dict] = mapped_column(JSONType, default=dict, deferred=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sending_country: Mapped[str | None] = mapped_column(String(2))
    sending_facility: Mapped[str | None] = mapped_column(String(200))
    # For a domestic transfer: the Dutch hospital that asks the national centre to place.
    origin_hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospital.id"))
    requested_care: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    mobility: Mapped[str] = mapped_column(String(20))
    fit_to_fly: Mapped[bool | None]
    war_related: Mapped[bool | None]
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    import_record_id: Mapped[int | None] = mapped_column(ForeignKey("import_record.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The latest triage; earlier ones stay in triage_record as history.
    triage_id: Mapped[int | None] = mapped_column(
        ForeignKey("triage_record.id", use_alter=True, name="fk_case_triage_id_triage_record")
    )
    # The hospital that accepted the patient (from the accepted offer).
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospital.id"), index=True)
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flight.id"), index=True)
    # A return transfer points to the case it brings back, and says where the patient goes:
    # a Dutch region (placed there), or a facility abroad.
    return_of_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    destination_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    destination_facility: Mapped[str | None] = mapped_column(String(200))
    # A domestic transfer is placed outside the sending region, unless a coordinator allows it.
    include_own_region: Mapped[bool] = mapped_column(default=False)
    # A domestic request first goes to its region's own centre (RCPS), when the region has
    # one; the national centre takes it when the region escalates it (with a reason).
    region_queue_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    # The transfer quota of a spreading plan this case fills, if any.
    quota_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_quota.id"), index=True)
    # Cases that travel and stay together (a mother and her child, siblings) share this.
    group_ref: Mapped[str | None] = mapped_column(String(32), index=True)
    # discharged, transferred, returned, deceased (when closed)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_on: Mapped[date | None]
    # Logistics of intake version 2; None is what the sender did not say (unknown).
    patient_type: Mapped[str | None] = mapped_column(String(10))
    region_of_origin: Mapped[str | None] = mapped_column(String(100))
    # The aircraft place the sender asked for; `place_needed` derives it when absent.
    place_type: Mapped[str | None] = mapped_column(String(20))
    documents_received: Mapped[list[str] | None] = mapped_column(NullableJSON)
    family_in_nl: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship(
        back_populates="case", uselist=False, cascade="all, delete-orphan"
    )
    clinical: Mapped[ClinicalPicture] = relationship(
        back_populates="case", uselist=False, cascade="all, delete-orphan"
    )
    companions: Mapped[list[Companion]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Companion.id"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="StatusChange.id"
    )
    origin_hospital: Mapped[Hospital | None] = relationship(  # noqa: F821
        foreign_keys=[origin_hospital_id]
    )
    hospital: Mapped[Hospital | None] = relationship(foreign_keys=[hospital_id])  # noqa: F821
    triage: Mapped[TriageRecord | None] = relationship(  # noqa: F821
        foreign_keys=[triage_id], post_update=True
    )
    return_of: Mapped[Case | None] = relationship(
        remote_side=[id], foreign_keys=[return_of_id], back_populates="returns"
    )
    returns: Mapped[list[Case]] = relationship(
        foreign_keys=[return_of_id], back_populates="return_of"
    )
    import_record: Mapped[ImportRecord | None] = relationship()
    destination_region: Mapped[Region | None] = relationship(  # noqa: F821
        foreign_keys=[destination_region_id]
    )
    region_queue: Mapped[Region | None] = relationship(foreign_keys=[region_queue_id])  # noqa: F821
    quota: Mapped[TransferQuota | None] = relationship()  # noqa: F821
    flight: Mapped[Flight | None] = relationship()  # noqa: F821

    @property
    def bed_category(self) -> str:
        """The bed the patient needs: triage's answer once there is one, else the request's."""
        return self.triage.bed_category if self.triage is not None else self.requested_care

    @property
    def isolation_kind(self) -> str | None:
        """How the patient is isolated (none, contact, droplet, airborne); None when unknown.
        Triage decides whether, the sender's kind and the infections say how."""
        c, t = self.clinical, self.triage
        ventilated = t.ventilated if t else c.ventilated
        return rules.isolation_kind(
            isolation_required=t.isolation_required if t else c.isolation_required,
            isolation_type=c.isolation_type,
            infections=c.infections,
            aerosol_care=bool(ventilated or c.tracheostomy),
        )

    @property
    def airborne(self) -> bool:
        """Whether the patient needs a negative-pressure room."""
        return self.isolation_kind == IsolationKind.AIRBORNE

    @property
    def place_needed(self) -> str:
        """The aircraft place the patient needs (IC stretcher, stretcher, seat)."""
        c, t = self.clinical, self.triage
        return rules.place_needed(
            place_type=self.place_type,
            ventilated=t.ventilated if t else c.ventilated,
            tracheostomy=c.tracheostomy,
            bed_category=self.bed_category,
            mobility=t.mobility if t else self.mobility,
        )


class Patient(db.Model):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))
    family_name_latin: Mapped[str] = mapped_column(String(200))
    given_name_latin: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None]
    age_years: Mapped[int | None]
    sex: Mapped[str] = mapped_column(String(10))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    weight_kg: Mapped[float | None]
    # Every spelling of the name, case-folded in Python: SQLite's lower() knows only ASCII, and
    # coordinators search for "шевченко" as often as for "Shevchenko".
    search_text: Mapped[str] = mapped_column(String(900), default="", index=True)

    case: Mapped[Case] = relationship(back_populates="patient")

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return self.age_years
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @property
    def latin_name(self) -> str:
        return f"{self.family_name_latin}, {self.given_name_latin}"

    @property
    def latin_differs(self) -> bool:
        """Whether the Latin spelling is worth showing beside the name (a Dutch patient's is the
        same)."""
        return self.latin_name != self.display_name


def search_text(*names: str | None) -> str:
    """Every spelling of a patient's name, case-folded, as the board searches it."""
    return " ".join(n for n in names if n).casefold()


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _fold_names(mapper, connection, patient: Patient) -> None:
    patient.search_text = search_text(
        patient.family_name,
        patient.given_name,
        patient.family_name_latin,
        patient.given_name_latin,
    )


class ClinicalPicture(db.Model):
    __tablename__ = "clinical_picture"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    diagnosis: Mapped[str] = mapped_column(Text)
    icd10: Mapped[list[str]] = mapped_column(JSONType, default=list)
    ventilated: Mapped[bool | None]
    oxygen_l_min: Mapped[float | None]
    mdro_status: Mapped[str] = mapped_column(String(10), default="unknown")
    isolation_required: Mapped[bool | None]
    allergies: Mapped[str | None] = mapped_column(Text)
    medication: Mapped[str | None] = mapped_column(Text)
    # Intake version 2. None is "the sender did not say" and reads "unknown"; an empty list is
    # "the sender said none".
    tracheostomy: Mapped[bool | None]
    devices: Mapped[list[str] | None] = mapped_column(NullableJSON)
    # {recorded_at, gcs, heart_rate, systolic_bp, diastolic_bp, resp_rate, spo2, temperature_c}
    vital_signs: Mapped[dict | None] = mapped_column(NullableJSON)
    # {mode, fio2, peep_cmh2o}
    ventilation: Mapped[dict | None] = mapped_column(NullableJSON)
    mdro_organisms: Mapped[list[str] | None] = mapped_column(NullableJSON)
    mdro_screened_at: Mapped[date | None]
    infections: Mapped[list[str] | None] = mapped_column(NullableJSON)
    isolation_type: Mapped[str | None] = mapped_column(String(10))
    code_status: Mapped[str | None] = mapped_column(String(10))
    pregnancy_weeks: Mapped[int | None]

    case: Mapped[Case] = relationship(back_populates="clinical")


class Companion(db.Model):
    __tablename__ = "companion"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    relation: Mapped[str | None] = mapped_column(String(100))
    age_years: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="companions")


class StatusChange(db.Model):
    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    transition: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="status_changes")
    user: Mapped[User | None] = relationship()  # noqa: F821
