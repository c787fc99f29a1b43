"""GET /api/v1/cases and /api/v1/cases/REFERENCE, scoped by role."""

from __future__ import annotations

from flask import g, jsonify, request

from evac import access
from evac.api import api_roles, bp
from evac.api.serialize import case_detail, case_summary
from evac.services import cases as case_service
from evac.terms import CaseStatus
from evac.web.access import CASE_READERS


@bp.get("/cases")
@api_roles(*CASE_READERS)
def list_cases():
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in CaseStatus}:
        from flask_babel import gettext as _

        from evac.services.errors import InvalidInput, Problem

        raise InvalidInput([Problem("status", _("Unknown status: %(status)s.", status=status))])
    filters = case_service.BoardFilters(
        status=status,
        external_ref=request.args.get("external_ref") or None,
        page=request.args.get("page", 1, type=int),
        per_page=request.args.get("per_page", 50, type=int),
        sort="received",
        descending=True,
    )
    page = case_service.case_board(g.api_user, filters)
    return jsonify(
        {
            "cases": [case_summary(c, access.detail_for(g.api_user, c)) for c in page.cases],
            "total": page.total,
            "page": page.page,
        }
    )


@bp.get("/cases/<reference>")
@api_roles(*CASE_READERS)
def get_case(reference: str):
    case = case_service.get_case(g.api_user, reference)
    detail = access.detail_for(g.api_user, case)
    return jsonify(
        case_detail(case, detail, g.api_user.hospital_id, access.sees_free_text(g.api_user))
    )
