"""GET /api/v1/cases/REFERENCE/documents/transfer.pdf?lang=uk,nl (../shared/specs/api.md)."""

from __future__ import annotations

from flask import g, request

from evac.api import api_roles, bp
from evac.services import documents as document_service
from evac.terms import Role
from evac.web.documents import pdf_file


@bp.get("/cases/<reference>/documents/transfer.pdf")
@api_roles(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def transfer_document(reference: str):
    languages = document_service.languages_from(request.args.get("lang"))
    doc = document_service.transfer_document(g.api_user, reference, languages)
    document_service.record_download(g.api_user, doc)
    return pdf_file(doc)
