"""The daily situation report: page, PDF in Dutch and English read back, per-region CSV and
API, the command that writes or mails it; the care chain's partner sees it and no patient."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from evac.extensions import db
from evac.models import OutboxMessage, User
from evac.models.types import utcnow
from evac.services import capacity
from tests.conftest import login


def reports(app, make):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        now = utcnow()
        for d in (1, 0):
            capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 36 + d), "clinical": (300, 250)}, 2), "phone", reported_at=now - timedelta(days=d))  # fmt: skip
            capacity.report_capacity(c, "UMCG", capacity.Figures({"ic": (40, 20), "clinical": (400, 300)}, 2), "phone", reported_at=now - timedelta(days=d))  # fmt: skip


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_a_partner_reads_the_situation_and_sees_no_case(app, client, make):
    reports(app, make)
    make.case(family_name="Ярмоленко")
    partner = make.user("partner")
    login(client, partner)
    assert client.get("/").location == "/situation/"
    html = client.get("/situation/").get_data(as_text=True)
    assert "Situation report" in html and "NW" in html and "Requests received" in html
    assert "Ярмоленко" not in html
    assert client.get("/cases/").status_code == 403
    token = make.token(partner)
    api = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    situation = client.get(
        "/api/v1/situation", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    nw_ic = next(r for r in situation["figures"] if r["region"] == "NW" and r["category"] == "ic")
    assert (
        nw_ic["occupied"] == 36
        and nw_ic["change_24h"] == -1
        and situation["pipeline"]["received"] == 1
    )


def test_the_pdf_reads_back_in_dutch_and_english(app, client, make):
    reports(app, make)
    login(client, make.user("viewer"))
    dutch = client.get("/situation/report.pdf?lang=nl")
    english = client.get("/situation/report.pdf?lang=en")
    assert dutch.mimetype == "application/pdf" and english.mimetype == "application/pdf"
    nl, en = pdf_text(dutch.get_data()), pdf_text(english.get_data())
    assert "Situatierapport" in nl and "Intensive care (volwassenen)" in nl and "NW" in nl
    assert "Situation report" in en and "Intensive care (adult)" in en and "90%" in en
    assert client.get("/situation/report.pdf?lang=uk").status_code in (302, 422)
    assert client.get("/situation/?date=2026-13-01").status_code in (302, 422)


def test_the_figures_csv_has_a_row_per_region_and_category(app, client, make):
    reports(app, make)
    login(client, make.user("coordinator"))
    rows = list(
        csv.DictReader(io.StringIO(client.get("/situation/figures.csv").get_data(as_text=True)))
    )
    nl_ic = next(r for r in rows if r["region"] == "NL" and r["category"] == "ic")
    assert nl_ic["capacity"] == "80" and nl_ic["occupied"] == "56"


def test_the_command_writes_the_pdf_and_mails_it_with_the_pdf_attached(app, runner, make, tmp_path):
    reports(app, make)
    out = tmp_path / "sitrep.pdf"
    done = runner.invoke(args=["sitrep", "--out", str(out), "--lang", "en"])
    assert done.exit_code == 0 and "Situation report" in pdf_text(out.read_bytes())
    app.config["EVAC_SITREP_RECIPIENTS"] = ["minvws@example.org", "rivm@example.org"]
    try:
        done = runner.invoke(args=["sitrep", "--mail"])
    finally:
        app.config["EVAC_SITREP_RECIPIENTS"] = []
    assert "queued for 2" in done.output
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert {m.recipient for m in mails} == {"minvws@example.org", "rivm@example.org"}
        assert mails[0].attachment.startswith(b"%PDF") and mails[0].attachment_name.endswith(
            "-nl.pdf"
        )
    assert runner.invoke(args=["sitrep"]).exit_code == 2


def test_the_fhir_measure_reports_validate_and_carry_the_regions_beds(app, client, make):
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.measurereport import MeasureReport

    reports(app, make)
    token = make.token(make.user("partner"))
    response = client.get("/api/v1/situation/fhir", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = Bundle.model_validate(response.get_json())  # raises on anything not FHIR
    by_region = {e.resource.subject.identifier.value: e.resource for e in bundle.entry}
    nw = MeasureReport.model_validate(by_region["NW"].model_dump())
    populations = {p.code.coding[0].code: p.count for p in nw.group[0].population}
    assert populations == {"numBeds": 340, "numBedsOcc": 286, "numICUBeds": 40, "numICUBedsOcc": 36}
    one = client.get(
        "/api/v1/situation/fhir?region=NN", headers={"Authorization": f"Bearer {token}"}
    )
    assert len(one.get_json()["entry"]) == 1


def test_edxl_have_lists_every_hospital_with_baseline_and_available_beds(app, client, make):
    from xml.etree import ElementTree as ET

    from evac.interop.have import NS

    reports(app, make)
    token = make.token(make.user("partner"))
    response = client.get("/api/v1/capacity/have.xml", headers={"Authorization": f"Bearer {token}"})
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{{{NS}}}HospitalStatus"
    ns = {"h": NS}
    azw = next(h for h in root.findall("h:Hospital", ns)
               if h.find("h:Organization/h:OrganizationInformation/h:OrganizationID", ns).text == "AZW")  # fmt: skip
    beds = {b.find("h:BedCategory", ns).text: (b.find("h:Capacity/h:BaselineCount", ns).text,
                                                b.find("h:Capacity/h:AvailableCount", ns).text)
            for b in azw.findall("h:HospitalBedCapacityStatus/h:BedCapacity", ns)}  # fmt: skip
    assert beds["AdultICU"] == ("40", "4") and beds["MedicalSurgical"] == ("300", "50")
    assert azw.find("h:LastUpdateTime", ns) is not None


def test_a_hospital_that_reported_within_a_day_is_not_listed_as_silent(app, make):
    """Today's report lists a hospital as not having reported for a day by the time now, not by
    the end of the day: a report from last night is hours old in the small hours, not a day."""
    from evac.services import situation

    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        now = utcnow()
        for code, hours in (("UMCG", 23), ("AZW", 25)):
            capacity.report_capacity(c, code, capacity.Figures({"ic": (40, 20)}, 2), "phone",
                                     reported_at=now - timedelta(hours=hours))  # fmt: skip
        silent = {code for code, *_ in situation.situation().stale}
    assert "AZW" in silent and "UMCG" not in silent


def test_a_mistyped_day_shows_todays_report_and_says_why(client, make):
    login(client, make.user("coordinator"))
    answer = client.get("/situation/?date=31-11-2026", follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert answer.request.path == "/situation/" and "Give the day as YYYY-MM-DD." in html
    assert "Situation report" in html
