"""Document pages: download a case's transfer document or acceptance confirmation, a flight's
manifest or bundle, and the verification page a document's QR code leads to."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from evac.models import Document
from evac.services import documents as document_service
from evac.terms import Role
from evac.web.access import CASE_READERS, COORDINATING, roles_required

bp = Blueprint("documents", __name__)


def pdf_response(doc: Document) -> Response:
    document_service.record_download(current_user, doc)
    return pdf_file(doc)


def pdf_file(doc: Document) -> Response:
    """The PDF as a download named by case or flight (never the patient), with its version."""
    return Response(
        doc.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document_service.filename(doc)}"',
            "X-Document-Version": str(doc.version),
            "X-Document-SHA256": doc.sha256,
        },
    )


@bp.get("/cases/<reference>/documents/transfer.pdf")
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def transfer(reference: str):
    # ?lang=uk,nl as in the API, or the page's checkboxes (?l=uk&l=nl)
    raw = request.args.get("lang") or ",".join(request.args.getlist("l"))
    languages = document_service.languages_from(raw)
    return pdf_response(document_service.transfer_document(current_user, reference, languages))


@bp.get("/cases/<reference>/documents/acceptance.pdf")
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.HOSPITAL)
def acceptance(reference: str):
    return pdf_response(document_service.acceptance_confirmation(current_user, reference))


@bp.get("/flights/<int:flight_id>/manifest.pdf")
@roles_required(*COORDINATING)
def manifest(flight_id: int):
    return pdf_response(document_service.flight_manifest(current_user, flight_id))


@bp.get("/flights/<int:flight_id>/documents.pdf")
@roles_required(*COORDINATING)
def bundle(flight_id: int):
    return pdf_response(document_service.flight_bundle(current_user, flight_id))


@bp.get("/documents/verify/<token>")
@roles_required(*CASE_READERS)
def verify(token: str):
    return render_template(
        "documents/verify.html", check=document_service.verify(current_user, token)
    )
