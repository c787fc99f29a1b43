"""Transfer documents: read back, versioned, verifiable, and only for those who may see them."""

import io
import re

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from evac.documents.content import L
from evac.extensions import db
from evac.models import AuditEvent, Document, User
from evac.services import capacity, cases, documents, offers, transport, triage
from evac.services.errors import Conflict, Forbidden, InvalidInput, NotFound


def actor(u) -> User:
    return db.session.get(User, u.id)


def text(doc: Document) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.pdf)).pages)


@pytest.fixture
def accepted(ctx, make):
    """A case accepted at UMCU, with allergies and isolation."""
    c = actor(make.user("coordinator"))
    capacity.report_capacity(c, "UMCU", capacity.Figures({"clinical": (50, 40)}, 3), "phone")
    ref = make.case(family_name="Коваленко", given_name="Ірина", allergies="Penicillin (rash)",
                    icd10=["S72.3"], medication="Enoxaparin 40 mg sc daily")  # fmt: skip
    triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
    offers.accept_offer(c, offers.make_offer(c, ref, "UMCU").id,
                        offers.Acceptance("Trauma B3", "Dr. E. Mulder", "+31 88 755 5555"))  # fmt: skip
    return c, ref


def test_the_pdf_reads_back_in_three_languages(accepted):
    c, ref = accepted
    doc = documents.transfer_document(c, ref, ("uk", "nl", "en"))
    content = text(doc)
    for lang in ("uk", "nl", "en"):
        with force_locale(lang):
            assert str(L["allergies"]) in content, lang
            assert str(L["receiving"]) in content, lang
    assert "Коваленко Ірина" in content and "KOVALENKO Iryna" in content
    assert "Penicillin (rash)" in content and "Isolation required" in content
    assert "S72.3 Fracture of shaft of femur" in content and "Trauma B3" in content
    assert content.count(ref) >= 2  # in the running header of every page, and the title
    pages = len(PdfReader(io.BytesIO(doc.pdf)).pages)
    flat = " ".join(content.split())
    assert 1 <= pages <= 3
    for page in range(1, pages + 1):  # "Page x of y" on every page, in every language
        assert re.search(rf"Page {page} [^0-9]{{0,20}}of {pages}", flat), page
    # Whoever holds any one page can call the centre.
    for page in PdfReader(io.BytesIO(doc.pdf)).pages:
        assert "+31 88 000 0000" in page.extract_text()


def test_pdf_has_the_three_languages_literally(accepted):
    c, ref = accepted
    content = text(documents.transfer_document(c, ref))
    for word in (
        "Алергії",
        "Allergieën",
        "Allergies",
        "Потрібна ізоляція",
        "Isolatie nodig",
        "Сторінка",
    ):
        assert word in content, word


def test_same_content_same_version_a_change_makes_a_new_one(accepted):
    c, ref = accepted
    first = documents.transfer_document(c, ref)
    assert documents.transfer_document(c, ref).id == first.id
    transport.add_leg(
        c, ref, transport.LegInput("micu", "Schiphol", "UMC Utrecht", carrier="MICU Utrecht 2")
    )
    second = documents.transfer_document(c, ref)
    assert second.version == 2 and "MICU Utrecht 2" in text(second)
    assert db.session.get(Document, first.id).superseded_at is not None
    old = documents.verify(c, first.token)
    assert not old.current and old.successor.version == 2
    assert documents.verify(c, second.token).current
    with pytest.raises(NotFound):
        documents.verify(c, "forged-token")


def test_the_fitness_confirmation_travels_with_the_patient(accepted):
    from datetime import timedelta

    from evac.models.types import utcnow

    c, ref = accepted
    departure = utcnow() + timedelta(hours=5)
    flight = transport.create_flight(c, transport.FlightInput(
        code="FIT-DOC", operator="SAS", planned_departure=departure,
        planned_arrival=departure + timedelta(hours=3), stretcher_places=2, seated_places=2))  # fmt: skip
    transport.put_on_flight(c, ref, flight.id)
    before = documents.transfer_document(c, ref)
    assert "Dr. I. Kovalenko" not in text(before)
    transport.confirm_fitness(c, ref, transport.FitnessInput(
        "Dr. I. Kovalenko", equipment="Oxygen 2 l/min", attendants="Flight nurse"))  # fmt: skip
    assert not documents.transfer_is_current(cases.get_case(c, ref))  # the nurse must see it
    after = " ".join(text(documents.transfer_document(c, ref)).split())
    assert "Fitness to fly confirmed" in after and "Придатність до перельоту підтверджено" in after
    assert "Dr. I. Kovalenko" in after and "Oxygen 2 l/min" in after and "Flight nurse" in after


def test_what_nobody_said_is_unknown_never_no(ctx, make):
    c = actor(make.user("coordinator"))
    silent, said_no = make.case(), make.case(war_related=False)
    flat = lambda ref: " ".join(text(documents.transfer_document(c, ref)).split())  # noqa: E731
    unknown, no = "невідомо / onbekend / unknown", "Ні / Nee / No"
    # The two differ only in war_related: left out by one sender, "no" from the other.
    silent_text, no_text = flat(silent), flat(said_no)
    assert silent_text.count(unknown) == no_text.count(unknown) + 1
    assert no_text.count(no) == silent_text.count(no) + 1


def test_languages_are_chosen_and_checked(accepted):
    c, ref = accepted
    two = documents.transfer_document(c, ref, documents.languages_from("uk,nl"))
    assert two.languages == ["uk", "nl"] and "Allergies /" not in text(two)
    with pytest.raises(InvalidInput):
        documents.languages_from("uk,de")


def test_who_may_have_the_document(accepted, make):
    c, ref = accepted
    assert documents.transfer_document(actor(make.user("hospital", "UMCU")), ref).kind == "transfer"
    with pytest.raises(NotFound):
        documents.transfer_document(actor(make.user("hospital", "UMCG")), ref)
    with pytest.raises(Forbidden):
        documents.transfer_document(actor(make.user("viewer")), ref)
    pending = make.case()
    triage.triage_case(c, pending, triage.starting_values(cases.get_case(c, pending)))
    offers.make_offer(c, pending, "UMCU")
    with pytest.raises(NotFound):  # offered, not yet accepted: the hospital sees no document
        documents.transfer_document(actor(make.user("hospital", "UMCU")), pending)


def test_acceptance_confirmation_and_its_precondition(accepted, make):
    c, ref = accepted
    doc = documents.acceptance_confirmation(c, ref)
    content = text(doc)
    assert "UMC Utrecht" in content and "Trauma B3" in content and doc.languages == ["en", "uk"]
    with pytest.raises(Conflict):
        documents.acceptance_confirmation(c, make.case())


def test_downloads_are_audited(accepted):
    c, ref = accepted
    doc = documents.transfer_document(c, ref)
    documents.record_download(c, doc)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.downloaded")
    ).all()
    assert [(e.user_id, e.data["version"]) for e in events] == [(c.id, 1)]
    assert documents.filename(doc) == f"{ref}-transfer-v1-uk-nl-en.pdf"


def test_a_flights_documents_are_checked_at_once_as_each_alone(accepted, make):
    c, ref = accepted
    other = make.case(family_name="Бойко", given_name="Тарас")
    first, second = cases.get_case(c, ref), cases.get_case(c, other)
    documents.transfer_document(c, ref, ("uk", "nl", "en"))
    assert documents.transfers_current([first, second]) == {first.id}
    assert documents.transfer_is_current(first) and not documents.transfer_is_current(second)
    # What the document prints changes: it is no longer current, alone or with the flight.
    triage.triage_case(c, other, triage.starting_values(second))
    offers.accept_offer(c, offers.make_offer(c, other, "UMCU").id,
                        offers.Acceptance("Ward 4", "Dr. A", "+31 30 000 0000"))  # fmt: skip
    documents.transfer_document(c, other, ("uk", "nl", "en"))
    assert documents.transfers_current([first, second]) == {first.id, second.id}
    db.session.get(type(first), first.id).clinical.medication = "Changed 5 mg"
    db.session.commit()
    assert documents.transfers_current([first, second]) == {second.id}
    assert not documents.transfer_is_current(cases.get_case(c, ref))
