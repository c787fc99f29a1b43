"""GET /api/v1/cases and /api/v1/cases/REFERENCE, scoped by role."""

from __future__ import annotations

import re

from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l

from evac import access
from evac.api import api_roles, bp, params
from evac.api.serialize import case_detail, case_summary
from evac.services import cases as case_service
from evac.terms import CaseStatus
from evac.web import page_cache
from evac.web.access import CASE_READERS

STATUSES = [s.value for s in CaseStatus]
# (default, minimum, maximum)
PAGE = (1, 1, 1_000_000)
PER_PAGE = (50, 1, 200)
NO_NUL = re.compile(r"^[^\x00]*$")
NUL_MESSAGE = _l("This field holds an invisible NUL character; remove it.")


@bp.get("/cases")
@api_roles(*CASE_READERS)
def list_cases():
    filters = case_service.BoardFilters(
        status=params.choice("status", STATUSES),
        external_ref=params.text("external_ref", NO_NUL, NUL_MESSAGE, 100) or None,
        page=params.integer("page", *PAGE),
        per_page=params.integer("per_page", *PER_PAGE),
        sort="received",
        descending=True,
        counts=False,  # the API answers the total, not the board's tabs
    )

    def answer() -> str:  # kept as text: nothing can change a kept answer in place
        page = case_service.case_board(g.api_user, filters)
        return current_app.json.dumps(
            {
                "cases": [case_summary(c, access.detail_for(g.api_user, c)) for c in page.cases],
                "total": page.total,
                "page": page.page,
            }
        )

    text = page_cache.kept("api.list_cases", answer, user=g.api_user)
    return current_app.response_class(f"{text}\n", mimetype=current_app.json.mimetype)


@bp.get("/cases/<reference>")
@api_roles(*CASE_READERS)
def get_case(reference: str):
    case = case_service.get_case(g.api_user, reference)
    detail = access.detail_for(g.api_user, case)
    return jsonify(
        case_detail(case, detail, g.api_user.hospital_id, access.sees_free_text(g.api_user))
    )


@bp.get("/cases/<reference>/fhir")
@api_roles(*CASE_READERS)
def get_case_fhir(reference: str):
    """The case as a FHIR R4 document Bundle (International Patient Summary)."""
    bundle = case_service.fhir_summary(g.api_user, reference)
    response = jsonify(bundle)
    response.mimetype = "application/fhir+json"
    return response
