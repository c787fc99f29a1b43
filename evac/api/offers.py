"""Offers through the API: GET /api/v1/offers, POST .../ID/accept, POST .../ID/decline."""

from __future__ import annotations

from datetime import datetime

from flask import g, jsonify, request
from flask_babel import gettext as _

from evac.api import api_roles, bp, error, params
from evac.models import Offer
from evac.services import cases as case_service
from evac.services import offers as offer_service
from evac.services.errors import InvalidInput, Problem
from evac.terms import DeclineReason, OfferStatus, Role

STATUSES = [s.value for s in OfferStatus]
ACCEPT_FIELDS = ("ward", "contact_name", "contact_phone", "admission_from", "admission_until")


def offer_json(offer: Offer) -> dict:
    case = offer.case
    data = {
        "id": offer.id,
        "status": offer.status,
        "hospital": offer.hospital.code,
        "case": case.reference,
        "bed_category": offer.bed_category,
        "isolation": offer.isolation,
        "created_at": offer.created_at.isoformat(),
        "deadline": offer.deadline.isoformat(),
        "responded_at": offer.responded_at.isoformat() if offer.responded_at else None,
        "summary": case_service.offer_summary(case),
    }
    if offer.status == "accepted":
        data["acceptance"] = {
            "ward": offer.ward, "contact_name": offer.contact_name, "contact_phone": offer.contact_phone,
            "admission_from": offer.admission_from.isoformat() if offer.admission_from else None,
            "admission_until": offer.admission_until.isoformat() if offer.admission_until else None,
        }  # fmt: skip
    if offer.status == "declined":
        data["decline"] = {"reason": offer.decline_reason, "note": offer.decline_note}
    return data


@bp.get("/offers")
@api_roles(Role.HOSPITAL, Role.COORDINATOR, Role.ADMIN)
def list_offers():
    status = params.choice("status", STATUSES)
    return jsonify(
        {"offers": [offer_json(o) for o in offer_service.offers_for(g.api_user, status)]}
    )


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _time(body: dict, name: str) -> datetime | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            [Problem(name, _("%(field)s is not a date and time (ISO 8601).", field=name))]
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            [
                Problem(
                    name,
                    _("%(field)s needs a time zone, e.g. 2026-11-25T14:00:00+01:00.", field=name),
                )
            ]
        )
    return parsed


@bp.post("/offers/<int:offer_id>/accept")
@api_roles(Role.HOSPITAL)
def accept_offer(offer_id: int):
    body = _body()
    if body is None:
        return error(400, _("The body must be a JSON object."))
    params.known_fields(body, ACCEPT_FIELDS)
    acceptance = offer_service.Acceptance(
        ward=str(body.get("ward") or ""),
        contact_name=str(body.get("contact_name") or ""),
        contact_phone=str(body.get("contact_phone") or ""),
        admission_from=_time(body, "admission_from"),
        admission_until=_time(body, "admission_until"),
    )
    offer = offer_service.accept_offer(g.api_user, offer_id, acceptance)
    return jsonify(offer_json(offer))


@bp.post("/offers/<int:offer_id>/decline")
@api_roles(Role.HOSPITAL)
def decline_offer(offer_id: int):
    body = _body()
    if body is None:
        return error(400, _("The body must be a JSON object."))
    params.known_fields(body, ("reason", "note"))
    reason = str(body.get("reason") or "").strip()
    if not reason:
        raise InvalidInput([Problem("reason", _("A reason is required."))])
    # A reason code from the list, or the hospital's own words (kept as "other").
    if reason in {r.value for r in DeclineReason}:
        offer = offer_service.decline_offer(g.api_user, offer_id, reason, body.get("note"))
    else:
        offer = offer_service.decline_offer(g.api_user, offer_id, "other", reason)
    return jsonify(offer_json(offer))
