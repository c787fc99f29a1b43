"""GET /api/v1/cases/REFERENCE/documents/transfer.pdf?lang=uk,nl (../shared/specs/api.md)."""

from __future__ import annotations

import re

from flask import g
from flask_babel import lazy_gettext as _l

from evac.api import api_roles, bp, params
from evac.services import documents as document_service
from evac.terms import Role
from evac.web.documents import pdf_file

# One to three of the document's languages, in the order they print
LANGUAGES = re.compile(r"^(uk|nl|en)(,(uk|nl|en)){0,2}$")
LANGUAGES_MESSAGE = _l("Choose one to three of the languages uk, nl and en, e.g. uk,nl,en.")


@bp.get("/cases/<reference>/documents/transfer.pdf")
@api_roles(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def transfer_document(reference: str):
    raw = params.text("lang", LANGUAGES, LANGUAGES_MESSAGE, 20)
    languages = document_service.languages_from(raw)
    doc = document_service.transfer_document(g.api_user, reference, languages)
    document_service.record_download(g.api_user, doc)
    return pdf_file(doc)
