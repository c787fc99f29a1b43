"""The triage queue and form."""

from tests.conftest import csrf_token


def test_the_queue_shows_waiting_cases_and_the_count_in_the_navigation(as_user, make):
    ref = make.case(urgency="immediate")
    client = as_user("coordinator")
    html = client.get("/triage/").get_data(as_text=True)
    assert ref in html and "Шевченко" in html
    assert '>Triage <span class="badge">1</span>' in client.get("/cases/").get_data(as_text=True)


def test_the_form_shows_suggestions_with_their_rule(as_user, make):
    ref = make.case(icd10=["T31.2"], requested_care="clinical")
    html = as_user("coordinator").get(f"/cases/{ref}/triage").get_data(as_text=True)
    assert 'data-field="bed_category"' in html and "Burn injury (ICD-10 T20-T32)" in html
    assert '<option selected value="burns">' in html


def triage_form(client, ref, **changes):
    data = {"csrf_token": csrf_token(client, f"/cases/{ref}/triage"), "bed_category": "burns",
            "urgency": "urgent", "mobility": "stretcher", "mdro_status": "unknown",
            "isolation_required": "y", "companions_count": "0", "languages": "uk",
            "interpreter_needed": "y", "fit_to_fly": "yes", "ventilated": ""}  # fmt: skip
    data.update(changes)
    return client.post(f"/cases/{ref}/triage", data=data)


def test_saving_goes_on_to_the_next_waiting_case(as_user, make):
    first = make.case(urgency="immediate", icd10=["T31.2"])
    second = make.case(urgency="urgent")
    client = as_user("coordinator")
    response = triage_form(client, first)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{second}/triage")
    html = client.get(f"/cases/{first}").get_data(as_text=True)
    assert "Burn injury (ICD-10 T20-T32)" in html and "status-triaged" in html


def test_a_refused_triage_is_shown_again_with_the_reason(as_user, make):
    ref = make.case()
    client = as_user("coordinator")
    response = triage_form(client, ref, ventilated="yes", bed_category="clinical")
    assert response.status_code == 422
    assert "needs an intensive care bed" in response.get_data(as_text=True)
    response = triage_form(client, ref, languages="uk; klingon;;")
    assert response.status_code == 422
    assert "&#39;klingon&#39; is not a language code such as uk or ru." in response.get_data(
        as_text=True
    )


def test_ventilation_the_sender_left_unknown_stays_unknown_until_the_coordinator_decides(
    app, as_user, make
):
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import Case, TriageRecord

    ref = make.case()  # the request says nothing of ventilation
    client = as_user("coordinator")
    form = client.get(f"/cases/{ref}/triage").get_data(as_text=True)
    ventilated = form.split('name="ventilated"')[1].split("</select>")[0]
    assert '<option selected value="">Not known</option>' in ventilated
    assert triage_form(client, ref, ventilated="").status_code == 302  # confirmed as shown
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    row = page.split(">Ventilated</td>")[1].split("</tr>")[0]
    assert "unknown" in row and "No" not in row
    # the sender's picture above the triage says whose it is
    assert "As the sender reported it." in page.split(">Triage</h2>")[0]

    def last_triage():
        with app.app_context():
            case_id = db.session.scalar(select(Case.id).where(Case.reference == ref))
            return db.session.scalars(
                select(TriageRecord).where(TriageRecord.case_id == case_id)
                .order_by(TriageRecord.id.desc())
            ).first()  # fmt: skip

    first = last_triage()
    assert first.ventilated is None and "ventilated" not in first.changes
    assert triage_form(client, ref, ventilated="no").status_code == 302  # now known: a change
    second = last_triage()
    assert second.ventilated is False and second.changes["ventilated"] == [None, False]
