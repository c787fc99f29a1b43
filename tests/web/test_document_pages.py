"""Documents on the pages and the API: downloads by role, the verification page, flight PDFs,
and the render-document command."""

import io
import json
import re

from pypdf import PdfReader

from evac.extensions import db
from evac.models import User
from evac.services import capacity, cases, offers, transport, triage
from tests.conftest import login


def accepted_case(app, make, on_flight=False):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "UMCU", capacity.Figures({"clinical": (50, 40)}, 3), "phone")
        ref = make.case(family_name="Коваленко")
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        offers.accept_offer(
            c,
            offers.make_offer(c, ref, "UMCU").id,
            offers.Acceptance("B3", "Dr. M", "+31 30 250 0000"),
        )
        flight_id = None
        if on_flight:
            flight = transport.create_flight(
                c, transport.FlightInput("NOR-DOC", "SAS", None, None, 18, 39)
            )
            transport.put_on_flight(c, ref, flight.id)
            flight_id = flight.id
        return ref, flight_id


def test_the_receiving_hospital_downloads_and_another_gets_404(app, client, make):
    ref, _ = accepted_case(app, make)
    login(client, make.user("hospital", "UMCU"))
    response = client.get(f"/cases/{ref}/documents/transfer.pdf?l=uk&l=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="{ref}-transfer-v1-uk-en.pdf"' in response.headers["Content-Disposition"]
    assert "Коваленко" not in response.headers["Content-Disposition"]
    other = app.test_client()
    login(other, make.user("hospital", "MST2"))
    assert other.get(f"/cases/{ref}/documents/transfer.pdf").status_code == 404
    viewer = app.test_client()
    login(viewer, make.user("viewer"))
    assert viewer.get(f"/cases/{ref}/documents/transfer.pdf").status_code == 403


def test_a_bad_language_is_a_clear_error(app, as_user, make):
    ref, _ = accepted_case(app, make)
    client = as_user("coordinator")
    response = client.get(f"/cases/{ref}/documents/transfer.pdf?lang=uk,fr", follow_redirects=True)
    assert "Choose one to three of the languages" in response.get_data(as_text=True)


def test_the_qr_code_leads_to_the_verification_page(app, as_user, make):
    ref, _ = accepted_case(app, make)
    client = as_user("coordinator")
    client.get(f"/cases/{ref}/documents/transfer.pdf")
    from evac.models import Document

    with app.app_context():
        token = db.session.query(Document.token).scalar()
    html = client.get(f"/documents/verify/{token}").get_data(as_text=True)
    assert "This is the current version of this document." in html and ref in html
    assert "Коваленко" not in html  # the check page names no patient
    assert client.get("/documents/verify/not-a-token").status_code == 404


def test_flight_manifest_and_bundle(app, as_user, make):
    ref, flight_id = accepted_case(app, make, on_flight=True)
    client = as_user("coordinator")
    manifest = client.get(f"/flights/{flight_id}/manifest.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(manifest.data)).pages)
    assert ref in text and "KOVALENKO" in text and "UMC Utrecht" in text
    bundle = client.get(f"/flights/{flight_id}/documents.pdf")
    reader = PdfReader(io.BytesIO(bundle.data))
    assert bundle.status_code == 200 and len(reader.pages) >= 1
    # The patient's summary travels inside as FHIR, valid, for the receiving hospital's record.
    from fhir.resources.R4B.bundle import Bundle

    (name,) = reader.attachments
    assert name == f"{ref}-ips.fhir.json"
    ips = json.loads(reader.attachments[name][0])
    Bundle.model_validate(ips)
    assert ips["type"] == "document" and "KOVALENKO" in json.dumps(ips).upper()


def test_api_transfer_document(app, client, make):
    ref, _ = accepted_case(app, make)
    token = make.token(make.user("hospital", "UMCU"))
    response = client.get(f"/api/v1/cases/{ref}/documents/transfer.pdf?lang=uk,nl",
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 200 and response.headers["X-Document-Version"] == "1"
    other = make.token(make.user("hospital", "MST2"))
    assert client.get(f"/api/v1/cases/{ref}/documents/transfer.pdf",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404  # fmt: skip


def test_render_document_command(app, runner, make, tmp_path):
    ref, _ = accepted_case(app, make)
    out = tmp_path / "doc.pdf"
    result = runner.invoke(args=["render-document", ref, "--lang", "uk,nl,en", "--out", str(out)])
    assert result.exit_code == 0 and re.search(r"version 1 sha256 [0-9a-f]{64}", result.output)
    assert out.read_bytes().startswith(b"%PDF")
    assert (
        runner.invoke(args=["render-document", "EV-1999-00000", "--out", str(out)]).exit_code == 1
    )


def test_render_documents_brings_upcoming_flights_current(app, runner, make):
    ref, flight_id = accepted_case(app, make, on_flight=True)
    assert runner.invoke(args=["render-documents"]).output.strip() == "rendered 1"
    assert (
        runner.invoke(args=["render-documents"]).output.strip() == "rendered 0"
    )  # nothing changed


def test_the_manifest_fits_its_page_in_every_language(app, as_user, make, tmp_path):
    """Every word lies inside the page box (poppler's word boxes), and the last column
    (mobility) is there, in Dutch, English and Ukrainian."""
    import re
    import subprocess

    ref, flight_id = accepted_case(app, make, on_flight=True)
    client = as_user("coordinator")
    for lang in ("nl", "en", "uk"):
        path = tmp_path / f"manifest-{lang}.pdf"
        path.write_bytes(client.get(f"/flights/{flight_id}/manifest.pdf",
                                    headers={"Accept-Language": lang}).data)  # fmt: skip
        boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                               text=True, check=True).stdout  # fmt: skip
        width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
        words = re.findall(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', boxes
        )
        outside = [(w, float(x1)) for x0, x1, w in words if float(x1) > width - 20]  # the margin
        assert outside == [], (lang, width, outside)
        assert ref in boxes and ("Stretcher" in boxes or "Brancard" in boxes or "Нош" in boxes)


def test_a_flight_bundle_rendered_by_several_processes_keeps_the_manifest_order(
    app, as_user, make, monkeypatch
):
    from evac import documents as pdf

    monkeypatch.setattr(pdf, "PARALLEL_FROM", 2)  # three patients: the pool, as for fifty
    names = ["Коваленко", "Бондаренко", "Ткаченко"]
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "UMCU", capacity.Figures({"clinical": (50, 40)}, 3), "phone")
        flight = transport.create_flight(
            c, transport.FlightInput("NOR-PAR", "SAS", None, None, 18, 39)
        )
        flight_id, refs = flight.id, []
        for name in names:
            ref = make.case(family_name=name, external_ref=f"UCPM-{name}")
            triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
            offer = offers.make_offer(c, ref, "UMCU")
            offers.accept_offer(c, offer.id, offers.Acceptance("B3", "Dr. M", "+31 30 250 0000"))
            transport.put_on_flight(c, ref, flight_id)
            refs.append(ref)
    client = as_user("coordinator")
    # one document is current already: the bundle takes it as it is, and renders the others
    assert client.get(f"/cases/{refs[1]}/documents/transfer.pdf").status_code == 200
    manifest = client.get(f"/flights/{flight_id}/manifest.pdf")
    order = re.findall(
        r"EV-\d{4}-\d{5}", PdfReader(io.BytesIO(manifest.data)).pages[0].extract_text()
    )
    bundle = client.get(f"/flights/{flight_id}/documents.pdf")
    assert bundle.status_code == 200
    reader = PdfReader(io.BytesIO(bundle.data))
    # each document's first page names its patient's case, in the manifest's order
    firsts = [
        ref
        for page in reader.pages
        for ref in re.findall(r"EV-\d{4}-\d{5}", page.extract_text())[:1]
    ]
    assert list(dict.fromkeys(firsts)) == list(dict.fromkeys(order)) and len(set(order)) == 3
    assert sorted(reader.attachments) == sorted(f"{ref}-ips.fhir.json" for ref in refs)
