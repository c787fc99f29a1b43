"""Cases and related objects as JSON, at the level of detail the user may see."""

from __future__ import annotations

from typing import Any

from evac.access import Detail
from evac.models import Case


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def case_summary(case: Case, detail: Detail) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status,
        "source": case.source,
        "external_ref": case.external_ref if detail == Detail.FULL else None,
        "requested_at": _iso(case.requested_at),
        "received_at": _iso(case.received_at),
        "sending_country": case.sending_country,
        "requested_care": case.requested_care,
        "urgency": case.urgency,
        "mobility": case.mobility,
        "bed_category": case.triage.bed_category if case.triage else None,
        "receiving_hospital": case.hospital.code if case.hospital else None,
    }
    patient = case.patient
    today = case.received_at.date()
    data["patient"] = {
        "age_years": patient.age_on(today),
        "sex": patient.sex,
        "languages": patient.languages,
    }
    if detail == Detail.FULL:
        data["patient"].update(
            family_name=patient.family_name,
            given_name=patient.given_name,
            family_name_latin=patient.family_name_latin,
            given_name_latin=patient.given_name_latin,
            date_of_birth=_iso(patient.date_of_birth),
        )
    return data


def case_detail(
    case: Case, detail: Detail, viewer_hospital_id: int | None = None, free_text: bool = False
) -> dict[str, Any]:
    """The whole case at this level of detail; free-text reasons only when `free_text` (they may
    name people or other hospitals)."""

    data = case_summary(case, detail)
    clinical = case.clinical
    if detail in (Detail.FULL, Detail.SUMMARY):
        data["clinical"] = {
            "diagnosis": clinical.diagnosis,
            "icd10": clinical.icd10,
            "ventilated": clinical.ventilated,
            "oxygen_l_min": clinical.oxygen_l_min,
            "mdro_status": clinical.mdro_status,
            "isolation_required": clinical.isolation_required,
            "allergies": clinical.allergies,
            "medication": clinical.medication,
            "weight_kg": case.patient.weight_kg,
            "fit_to_fly": case.fit_to_fly,
            "war_related": case.war_related,
            # Intake version 2; null is what the sender did not say (unknown).
            "tracheostomy": clinical.tracheostomy,
            "devices": clinical.devices,
            "vital_signs": clinical.vital_signs,
            "ventilation": clinical.ventilation,
            "mdro_organisms": clinical.mdro_organisms,
            "mdro_screened_at": _iso(clinical.mdro_screened_at),
            "infections": clinical.infections,
            "isolation_type": clinical.isolation_type,
            "code_status": clinical.code_status,
            "pregnancy_weeks": clinical.pregnancy_weeks,
            # What evac derives: the isolation the patient needs and the place on board.
            "isolation_kind": case.isolation_kind,
            "place_needed": case.place_needed,
        }
    if detail == Detail.FULL:
        # Where the family lives and where the patient comes from can point to who it is: only
        # for those who see the case in full, as on the case page.
        data["logistics"] = {
            "patient_type": case.patient_type,
            "region_of_origin": case.region_of_origin,
            "place_type": case.place_type,
            "documents_received": case.documents_received,
            "family_in_nl": case.family_in_nl,
        }
        data["companions"] = [
            {"name": c.name if detail == Detail.FULL else None, "relation": c.relation,
             "age_years": c.age_years}
            for c in case.companions
        ]  # fmt: skip
    if detail == Detail.FULL:
        data["sending_facility"] = case.sending_facility
        data["contact"] = {
            "name": case.contact_name,
            "phone": case.contact_phone,
            "email": case.contact_email,
        }
        data["notes"] = case.notes
    data["triage"] = (
        {
            "bed_category": case.triage.bed_category,
            "urgency": case.triage.urgency,
            "mobility": case.triage.mobility,
            "isolation_required": case.triage.isolation_required,
            "triaged_at": _iso(case.triage.at),
        }
        if case.triage
        else None
    )
    data["status_history"] = [
        {
            "from": s.from_status,
            "to": s.to_status,
            "transition": s.transition,
            "at": _iso(s.at),
            "reason": s.reason if free_text else None,
        }
        for s in case.status_changes
    ]
    from evac.services import offers as offer_service

    data["offers"] = [
        {
            "id": o.id,
            "hospital": o.hospital.code,
            "status": o.status,
            "created_at": _iso(o.created_at),
            "deadline": _iso(o.deadline),
            "responded_at": _iso(o.responded_at),
        }
        for o in offer_service.case_offers(case)
        if detail == Detail.FULL or o.hospital_id == viewer_hospital_id
    ]
    return data
