"""The case board and the case page, as each role sees them."""

from tests.conftest import csrf_token, post_form


def test_the_board_counts_filters_and_links_cases(as_user, make):
    ref = make.case(urgency="immediate", family_name="Бойко")
    make.case(urgency="routine")
    client = as_user("coordinator")
    html = client.get("/cases/?urgency=immediate").get_data(as_text=True)
    assert ref in html and "1 case" in html and "Бойко" in html
    assert client.get("/cases/?status=nonsense&page=x").status_code == 200


def test_viewers_see_cases_de_identified(as_user, make):
    ref = make.case(family_name="Бойко", contact_name="Dr. Hnatiuk")
    client = as_user("viewer")
    assert "Бойко" not in client.get("/cases/").get_data(as_text=True)
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert ref in html and "Бойко" not in html and "Boiko" not in html
    assert "1984" not in html and "Hnatiuk" not in html  # no date of birth, no sender's contact
    assert "Penicillin" in html and "Open femur fracture" in html  # the clinical summary


def test_the_case_page_shows_patient_alerts_history_and_audit(as_user, make):
    ref = make.case(isolation_required=True, mdro_status="positive", allergies="Latex",
                    companions=[{"name": "Марія", "relation": "mother", "age_years": 60}])  # fmt: skip
    client = as_user("coordinator")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    for text in ("Шевченко", "Shevchenko", "Isolation required", "MDRO positive",
                 "Allergy: Latex", "Марія", "mother", "Request registered", "Audit trail"):  # fmt: skip
        assert text in html, text


def test_cancel_from_the_case_page(as_user, make):
    ref = make.case()
    client = as_user("coordinator")
    response = post_form(
        client, f"/cases/{ref}/cancel", {"reason": "Died in hospital"}, page=f"/cases/{ref}"
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Died in hospital" in html and "status-cancelled" in html


def test_a_cancelled_case_is_reopened_from_its_page(as_user, make):
    ref = make.case()
    client = as_user("coordinator")
    post_form(client, f"/cases/{ref}/cancel", {"reason": "Wrong case"}, page=f"/cases/{ref}")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Reopen case" in html and "Cancel case" not in html
    response = post_form(client, f"/cases/{ref}/reopen", {"reason": "Cancelled by mistake"},
                         page=f"/cases/{ref}", follow_redirects=True)  # fmt: skip
    html = response.get_data(as_text=True)
    assert "is open again and waits for triage" in html and "status-received" in html
    assert "Reopened" in html and "Reopen case" not in html


def test_what_the_sender_left_out_reads_unknown_and_what_they_denied_reads_no(as_user, make):
    silent, said_no = make.case(), make.case(war_related=False)
    client = as_user("coordinator")

    def war_related(ref):
        html = client.get(f"/cases/{ref}").get_data(as_text=True)
        return html.split("War-related</dt><dd>", 1)[1].split("</dd>", 1)[0]

    assert "unknown" in war_related(silent) and war_related(said_no) == "No"


def test_cancel_without_reason_says_why(as_user, make):
    ref = make.case()
    client = as_user("coordinator")
    response = post_form(client, f"/cases/{ref}/cancel", {"reason": ""}, page=f"/cases/{ref}",
                         follow_redirects=True)  # fmt: skip
    assert "Give a reason." in response.get_data(as_text=True)


def test_an_unknown_case_is_a_404(as_user):
    assert as_user("coordinator").get("/cases/EV-1999-99999").status_code == 404


def test_the_audit_trail_and_triage_history_read_as_sentences(app, as_user, make):
    from evac.extensions import db
    from evac.models import User
    from evac.services import capacity, cases, offers, triage

    ref = make.case(isolation_required=False, mdro_status="negative")
    client = as_user("coordinator")
    with app.app_context():
        c = db.session.get(User, client.user.id)
        capacity.report_capacity(c, "UMCG", capacity.Figures({"clinical": (80, 40)}, 2), "phone")
        values = triage.starting_values(cases.get_case(c, ref))
        values.isolation_required = True
        triage.triage_case(c, ref, values)
        offers.make_offer(c, ref, "UMCG")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Isolation required changed from no to <strong>yes</strong>" in html
    assert "Offered to UMCG, answer before" in html and "Placing → Offered" in html
    assert "case.offer" not in html.split('data-action="case.offer"')[-1]  # no raw codes shown
    assert "False" not in html and "True" not in html
    dutch = client.get(f"/cases/{ref}", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Aangeboden aan UMCG, antwoord vóór" in dutch
    assert "Isolatie nodig gewijzigd van nee in <strong>ja</strong>" in dutch


def test_one_search_box_finds_a_case_by_reference_name_senders_reference_or_flight(
    app, as_user, make
):
    from datetime import timedelta

    from evac.extensions import db
    from evac.models import User
    from evac.models.types import utcnow
    from evac.services import cases, transport, triage

    ref = make.case(family_name="Гордієнко", external_ref="UCPM-SEARCH-77")
    client = as_user("coordinator")
    with app.app_context():
        c = db.session.get(User, client.user.id)
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        flight = transport.create_flight(c, transport.FlightInput(
            code="NOR-SEARCH-9", operator="SAS", planned_departure=None,
            planned_arrival=utcnow() + timedelta(hours=5), stretcher_places=5, seated_places=5))  # fmt: skip
        transport.put_on_flight(c, ref, flight.id)
    assert 'id="header-q"' in client.get("/").get_data(as_text=True)
    for term in (ref, "гордієнко", "Hordiienko", "SEARCH-77", "nor-search"):
        assert ref in client.get("/cases/", query_string={"q": term}).get_data(as_text=True), term
    assert ref not in client.get("/cases/", query_string={"q": "nomatch"}).get_data(as_text=True)


def test_a_coordinator_corrects_a_misspelt_name_audited_with_a_new_document_version(
    app, as_user, make
):
    from evac.extensions import db
    from evac.models import User
    from evac.services import documents

    ref = make.case(family_name="Шевчнко", date_of_birth="1984-03-21")
    client = as_user("coordinator")
    with app.app_context():
        c = db.session.get(User, client.user.id)
        first = documents.transfer_document(c, ref, ("en",)).version
    form = {"family_name": "Шевченко", "given_name": "Олена", "family_name_latin": "",
            "given_name_latin": "", "date_of_birth": "1984-03-12", "sex": "female"}  # fmt: skip
    bad = post_form(client, f"/cases/{ref}/correct", {**form, "date_of_birth": "2999-01-01"},
                    page=f"/cases/{ref}", follow_redirects=True)  # fmt: skip
    assert "lies in the future" in bad.get_data(as_text=True)
    post_form(client, f"/cases/{ref}/correct", form, page=f"/cases/{ref}")
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Шевченко" in html and "Shevchenko" in html and "12" in html
    assert "Request corrected: family name from Шевчнко to Шевченко" in html
    with app.app_context():
        c = db.session.get(User, client.user.id)
        assert documents.transfer_document(c, ref, ("en",)).version == first + 1


def test_a_name_in_latin_script_is_not_spelled_twice(as_user, make):
    dutch = make.case(family_name="de Graaf", given_name="Johanna", external_ref="NL-1")
    ukrainian = make.case(external_ref="UA-1")  # Шевченко, Олена
    client = as_user("coordinator")
    page = client.get(f"/cases/{dutch}").get_data(as_text=True)
    assert "de Graaf, Johanna" in page and "(de Graaf, Johanna)" not in page
    board = client.get("/cases/?q=graaf").get_data(as_text=True)
    assert board.count("de Graaf, Johanna") == 1
    page = client.get(f"/cases/{ukrainian}").get_data(as_text=True)
    assert "Шевченко, Олена" in page and "(Shevchenko, Olena)" in page


def test_a_language_beyond_the_usual_ones_is_named_in_the_readers_language(as_user, make):
    ref = make.case(languages=["uk", "tr"], external_ref="TR-1")
    client = as_user("coordinator")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Ukrainian, Turkish" in page
    client.post("/language", data={"locale": "nl", "csrf_token": csrf_token(client, "/")})
    assert "Oekraïens, Turks" in client.get(f"/cases/{ref}").get_data(as_text=True)
    client.post("/language", data={"locale": "uk", "csrf_token": csrf_token(client, "/")})
    assert "українська, турецька" in client.get(f"/cases/{ref}").get_data(as_text=True)
