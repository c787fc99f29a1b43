"""The closed sets of the field (roles, states, bed categories, ...) and their labels.

This is the one place where a term is translated: the pages, the API's descriptions and the
PDF documents all ask `label(value)`, so a term never reads differently in two places.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    HOSPITAL = "hospital"
    # A region's own centre (RCPS): its region's hospitals, requests and transfer quotas.
    REGIONAL = "regional"
    VIEWER = "viewer"
    # Organisations in the care chain (regional networks, ministry, public health institute):
    # the situation report, capacity, forecasts and shared scenarios; never a patient or a case.
    PARTNER = "partner"


class CaseStatus(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    PLACING = "placing"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Source(StrEnum):
    EU_MEDEVAC = "eu_medevac"
    DOMESTIC = "domestic"
    # a return transfer made by the centre itself (never sent in by partners)
    RETURN = "return"


class BedCategory(StrEnum):
    IC = "ic"
    CLINICAL = "clinical"
    PAEDIATRIC = "paediatric"
    PICU = "picu"
    BURNS = "burns"
    ONCOLOGY = "oncology"
    REHABILITATION = "rehabilitation"
    OTHER = "other"


class Urgency(StrEnum):
    IMMEDIATE = "immediate"
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def priority(self) -> int:
        """The placement priority (1 most urgent), as ../shared/specs/placement.md numbers it."""
        return {"immediate": 1, "urgent": 2, "routine": 3}[self.value]


class Mobility(StrEnum):
    STRETCHER = "stretcher"
    SEATED = "seated"
    WALKING = "walking"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class MdroStatus(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNKNOWN = "unknown"


class PatientType(StrEnum):
    CIVILIAN = "civilian"
    MILITARY = "military"


class PlaceType(StrEnum):
    """The place a patient needs on board an aircraft."""

    IC_STRETCHER = "ic_stretcher"
    STRETCHER = "stretcher"
    SEAT = "seat"


class IsolationKind(StrEnum):
    """How a patient is isolated; airborne needs a negative-pressure room."""

    NONE = "none"
    CONTACT = "contact"
    DROPLET = "droplet"
    AIRBORNE = "airborne"


class CodeStatus(StrEnum):
    """The resuscitation policy."""

    FULL = "full"
    DNR = "dnr"
    UNKNOWN = "unknown"


class ReceivedDocument(StrEnum):
    """Documents that came along with the patient."""

    DISCHARGE_SUMMARY = "discharge_summary"
    IMAGING = "imaging"
    LAB_RESULTS = "lab_results"
    CONSENT_TRANSFER = "consent_transfer"
    CONSENT_DATA_SHARING = "consent_data_sharing"
    IDENTITY_DOCUMENT = "identity_document"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class DeclineReason(StrEnum):
    NO_BED = "no_bed"
    NO_ISOLATION = "no_isolation"
    NO_SPECIALTY = "no_specialty"
    NO_STAFF = "no_staff"
    CLINICAL = "clinical"
    OTHER = "other"


class FlightStatus(StrEnum):
    PLANNED = "planned"
    DEPARTED = "departed"
    LANDED = "landed"
    CANCELLED = "cancelled"


class LegMode(StrEnum):
    AIRCRAFT = "aircraft"
    AMBULANCE = "ambulance"
    MICU = "micu"
    HELICOPTER = "helicopter"
    TAXI = "taxi"


class Outcome(StrEnum):
    DISCHARGED = "discharged"
    TRANSFERRED = "transferred"
    RETURNED = "returned"
    DECEASED = "deceased"


class ArrivalState(StrEnum):
    """Where a patient of an arriving flight is on arrival day."""

    WAITING = "waiting"
    ON_THE_WAY = "on_the_way"
    ARRIVED = "arrived"


class DocumentKind(StrEnum):
    TRANSFER = "transfer"
    MANIFEST = "manifest"
    BUNDLE = "bundle"
    ACCEPTANCE = "acceptance"


class ImportOutcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATES = "duplicates"
    REJECTED = "rejected"


class ImportChannel(StrEnum):
    FILE = "file"
    UPLOAD = "upload"
    API = "api"
    FORM = "form"


_LABELS = [
    (Role.ADMIN, _l("Administrator")),
    (Role.COORDINATOR, _l("Coordinator")),
    (Role.HOSPITAL, _l("Hospital staff")),
    (Role.REGIONAL, _l("Regional coordinator")),
    (Role.VIEWER, _l("Viewer")),
    (Role.PARTNER, _l("Partner in the care chain")),
    (CaseStatus.RECEIVED, lazy_pgettext("case status", "Received")),
    (CaseStatus.TRIAGED, lazy_pgettext("case status", "Triaged")),
    (CaseStatus.PLACING, lazy_pgettext("case status", "Placing")),
    (CaseStatus.OFFERED, lazy_pgettext("case status", "Offered")),
    (CaseStatus.ACCEPTED, lazy_pgettext("case status", "Accepted")),
    (CaseStatus.SCHEDULED, lazy_pgettext("case status", "Scheduled")),
    (CaseStatus.IN_TRANSIT, lazy_pgettext("case status", "In transit")),
    (CaseStatus.ARRIVED, lazy_pgettext("case status", "Arrived")),
    (CaseStatus.CLOSED, lazy_pgettext("case status", "Closed")),
    (CaseStatus.CANCELLED, lazy_pgettext("case status", "Cancelled")),
    (Source.EU_MEDEVAC, _l("EU MEDEVAC")),
    (Source.DOMESTIC, _l("Domestic (region)")),
    (Source.RETURN, _l("Return transfer")),
    (BedCategory.IC, _l("Intensive care (adult)")),
    (BedCategory.CLINICAL, _l("Clinical ward (adult)")),
    (BedCategory.PAEDIATRIC, _l("Paediatric ward")),
    (BedCategory.PICU, _l("Paediatric intensive care")),
    (BedCategory.BURNS, _l("Burn centre")),
    (BedCategory.ONCOLOGY, _l("Oncology")),
    (BedCategory.REHABILITATION, _l("Rehabilitation")),
    (BedCategory.OTHER, _l("Other")),
    (Urgency.IMMEDIATE, _l("Immediate (hours)")),
    (Urgency.URGENT, _l("Urgent (next flight)")),
    (Urgency.ROUTINE, _l("Routine (planned)")),
    (Mobility.STRETCHER, _l("Stretcher")),
    (Mobility.SEATED, _l("Seated")),
    (Mobility.WALKING, _l("Walking")),
    (Sex.FEMALE, _l("Female")),
    (Sex.MALE, _l("Male")),
    (Sex.OTHER, lazy_pgettext("sex", "Other")),
    (Sex.UNKNOWN, lazy_pgettext("sex", "Unknown")),
    (MdroStatus.POSITIVE, lazy_pgettext("MDRO status", "Positive")),
    (MdroStatus.NEGATIVE, lazy_pgettext("MDRO status", "Negative")),
    (MdroStatus.UNKNOWN, lazy_pgettext("MDRO status", "Unknown")),
    (ImportChannel.FILE, _l("File (command line)")),
    (ImportChannel.UPLOAD, _l("Upload")),
    (ImportChannel.API, _l("API")),
    (ImportChannel.FORM, _l("Form")),
    (ImportOutcome.IMPORTED, lazy_pgettext("import outcome", "Imported")),
    (ImportOutcome.DUPLICATES, lazy_pgettext("import outcome", "Only duplicates")),
    (ImportOutcome.REJECTED, lazy_pgettext("import outcome", "Rejected")),
    (PatientType.CIVILIAN, _l("Civilian")),
    (PatientType.MILITARY, _l("Military")),
    (PlaceType.IC_STRETCHER, _l("Intensive care stretcher")),
    (PlaceType.STRETCHER, lazy_pgettext("aircraft place", "Stretcher")),
    (PlaceType.SEAT, _l("Seat")),
    (IsolationKind.NONE, lazy_pgettext("isolation", "None")),
    (IsolationKind.CONTACT, _l("Contact isolation")),
    (IsolationKind.DROPLET, _l("Droplet isolation")),
    (IsolationKind.AIRBORNE, _l("Airborne isolation (negative-pressure room)")),
    (CodeStatus.FULL, _l("Full resuscitation")),
    (CodeStatus.DNR, _l("Do not resuscitate (DNR)")),
    (CodeStatus.UNKNOWN, lazy_pgettext("resuscitation policy", "Unknown")),
    (ReceivedDocument.DISCHARGE_SUMMARY, _l("Discharge summary (form 027/o)")),
    (ReceivedDocument.IMAGING, _l("Imaging")),
    (ReceivedDocument.LAB_RESULTS, _l("Laboratory results")),
    (ReceivedDocument.CONSENT_TRANSFER, _l("Consent to transfer")),
    (ReceivedDocument.CONSENT_DATA_SHARING, _l("Consent to share data")),
    (ReceivedDocument.IDENTITY_DOCUMENT, _l("Identity document")),
    (OfferStatus.PENDING, _l("Pending")),
    (OfferStatus.ACCEPTED, _l("Accepted")),
    (OfferStatus.DECLINED, _l("Declined")),
    (OfferStatus.EXPIRED, _l("Expired")),
    (OfferStatus.WITHDRAWN, _l("Withdrawn")),
    (DeclineReason.NO_BED, _l("No bed of this category free")),
    (DeclineReason.NO_ISOLATION, _l("No isolation room free")),
    (DeclineReason.NO_SPECIALTY, _l("The care needed is not available here")),
    (DeclineReason.NO_STAFF, _l("Not enough staff")),
    (DeclineReason.CLINICAL, _l("Clinical reasons")),
    (DeclineReason.OTHER, _l("Other (explain)")),
    (FlightStatus.PLANNED, _l("Planned")),
    (FlightStatus.DEPARTED, _l("Departed")),
    (FlightStatus.LANDED, _l("Landed")),
    (FlightStatus.CANCELLED, _l("Cancelled")),
    (LegMode.AIRCRAFT, _l("Aircraft")),
    (LegMode.AMBULANCE, _l("Ambulance")),
    (LegMode.MICU, _l("Mobile intensive care unit (MICU)")),
    (LegMode.HELICOPTER, _l("Helicopter")),
    (LegMode.TAXI, _l("Taxi (walking patients)")),
    (Outcome.DISCHARGED, _l("Discharged")),
    (Outcome.TRANSFERRED, _l("Transferred on")),
    (Outcome.RETURNED, _l("Returned home")),
    (Outcome.DECEASED, _l("Deceased")),
    (ArrivalState.WAITING, _l("Waiting")),
    (ArrivalState.ON_THE_WAY, _l("On the way")),
    (ArrivalState.ARRIVED, _l("Arrived")),
    (DocumentKind.TRANSFER, _l("Transfer document")),
    (DocumentKind.MANIFEST, _l("Flight manifest")),
    (DocumentKind.BUNDLE, _l("Transfer documents of a flight")),
    (DocumentKind.ACCEPTANCE, _l("Acceptance confirmation")),
]

# Keyed by (enum type, value): StrEnum members compare equal to their strings, so "other" the bed
# category and "other" the sex would otherwise be one key with one translation.
LABELS = {(type(member), member.value): text for member, text in _LABELS}
del _LABELS

YES = _l("Yes")
NO = _l("No")

LANGUAGE_NAMES = {
    "uk": _l("Ukrainian"),
    "ru": _l("Russian"),
    "en": _l("English"),
    "nl": _l("Dutch"),
    "pl": _l("Polish"),
    "de": _l("German"),
}


def label(value: StrEnum | str | bool | None) -> str:
    """The translated label of a term, in the current locale. Pass the enum member (e.g.
    `Sex("other")`), not the bare string: the same word can be two terms."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, StrEnum):
        text = LABELS.get((type(value), value.value))
        return str(text) if text is not None else value.value
    return str(value)


def language_name(code: str) -> str:
    """The language's name in the current locale: ours for the usual ones, else Babel's (CLDR)
    for any other code a sender writes ("tr": Turkish, Turks, турецька: each language's own
    capitals, as ours have them), else the code."""
    known = LANGUAGE_NAMES.get(code)
    if known is not None:
        return str(known)
    locale = get_locale()
    name = locale.languages.get(code.split("-")[0].lower()) if locale is not None else None
    return name or code


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a form's select field, in the enum's order."""
    return [(member.value, label(member)) for member in enum]
