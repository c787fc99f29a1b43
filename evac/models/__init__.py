"""The data model, one module per aggregate. Importing this package registers every table."""

from evac.models.audit import AuditEvent
from evac.models.capacity import (
    CapacityFigure,
    CapacityReport,
    HospitalBeds,
    TransportCapacityReport,
)
from evac.models.cases import (
    Case,
    ClinicalPicture,
    Companion,
    ImportRecord,
    Patient,
    StatusChange,
)
from evac.models.data_version import PreviousDataVersion, TableVersion
from evac.models.documents import Document
from evac.models.handover import HandoverNote
from evac.models.hospitals import Hospital, Region
from evac.models.offers import Offer, OutboxMessage, PlacementProposal, Setting
from evac.models.spreading import Scenario, SpreadingPlan, TransferQuota
from evac.models.transport import FitnessToFly, Flight, Leg
from evac.models.triage import TriageRecord
from evac.models.users import ApiToken, LoginThrottle, RecoveryCode, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CapacityFigure",
    "CapacityReport",
    "Case",
    "ClinicalPicture",
    "Companion",
    "Document",
    "FitnessToFly",
    "Flight",
    "HandoverNote",
    "Hospital",
    "HospitalBeds",
    "ImportRecord",
    "Leg",
    "LoginThrottle",
    "Offer",
    "OutboxMessage",
    "Patient",
    "PlacementProposal",
    "PreviousDataVersion",
    "RecoveryCode",
    "Region",
    "Setting",
    "Scenario",
    "SpreadingPlan",
    "StatusChange",
    "TableVersion",
    "TransferQuota",
    "TransportCapacityReport",
    "TriageRecord",
    "User",
]
