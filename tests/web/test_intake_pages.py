"""The upload page and the request form."""

import io

from tests.conftest import csrf_token

HEADER = (
    "external_ref,source,requested_at,sending_country,family_name,given_name,date_of_birth,"
    "sex,diagnosis,icd10,requested_care,urgency,mobility"
)
GOOD = "UCPM-7,eu_medevac,2026-11-20,UA,Бойко,Тарас,01.02.1990,Ч,Burns,T31.2,burns,urgent,stretcher"
BAD = "UCPM-8,eu_medevac,2026-11-20,UA,Мельник,,01.02.1990,Ч,Wound,S7.2,burns,urgent,stretcher"


def upload(client, content: bytes, name: str = "requests.csv"):
    token = csrf_token(client, "/intake/upload")
    return client.post(
        "/intake/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def csv(*rows) -> bytes:
    return ("\ufeff" + "\n".join((HEADER, *rows)) + "\n").encode()


def test_a_good_file_is_imported_and_its_cases_are_on_the_board(as_user):
    client = as_user("coordinator")
    response = upload(client, csv(GOOD))
    assert response.status_code == 302 and "/intake/imports/" in response.location
    record = client.get(response.location).get_data(as_text=True)
    assert "UCPM-7" in record and "Бойко" in record
    board = client.get("/cases/?q=Бойко").get_data(as_text=True)
    assert "Бойко, Тарас" in board


def test_a_bad_file_shows_every_problem_beside_its_row_and_imports_nothing(as_user):
    client = as_user("coordinator")
    response = upload(client, csv(GOOD, BAD))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html
    assert "UCPM-8 · Мельник" in html  # the row, named as the coordinator knows it
    assert "given_name" in html and "S7.2" in html
    assert "Бойко" not in client.get("/cases/").get_data(as_text=True)


def test_the_same_file_twice_reports_duplicates(as_user):
    client = as_user("coordinator")
    upload(client, csv(GOOD))
    response = upload(client, csv(GOOD))
    assert response.status_code == 302
    page = client.get(response.location, follow_redirects=True).get_data(as_text=True)
    assert "Imported 0 requests; 1 were already registered." in page


def test_a_file_of_another_kind_is_refused_with_a_message(as_user):
    client = as_user("coordinator")
    response = upload(client, b"PK\x03\x04", "requests.xlsx")
    assert response.status_code == 422
    assert "Only .csv and .json files" in response.get_data(as_text=True)


def test_one_request_by_hand(as_user):
    client = as_user("coordinator")
    token = csrf_token(client, "/intake/new")
    form = {
        "csrf_token": token, "external_ref": "PHONE-2026-11-25-1", "source": "eu_medevac",
        "requested_at": "2026-11-25", "sending_country": "UA", "family_name": "Коваленко",
        "given_name": "Ірина", "age_years": "34", "sex": "female", "languages": "uk;ru",
        "diagnosis": "Burns 30% TBSA", "icd10": "T31.3", "requested_care": "burns",
        "urgency": "immediate", "mobility": "stretcher", "mdro_status": "unknown",
        "isolation_required": "yes", "companion_count": "1", "companion_notes": "husband",
    }  # fmt: skip
    response = client.post("/intake/new", data=form)
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Коваленко" in html and "Kovalenko" in html and "Isolation required" in html


def test_a_bad_request_by_hand_is_shown_again_with_its_problems(as_user):
    client = as_user("coordinator")
    token = csrf_token(client, "/intake/new")
    form = {
        "csrf_token": token, "external_ref": "PHONE-1", "source": "eu_medevac",
        "requested_at": "2026-11-25", "sending_country": "XX", "family_name": "Коваленко",
        "given_name": "Ірина", "sex": "female", "diagnosis": "Burns", "icd10": "burns",
        "requested_care": "burns", "urgency": "urgent", "mobility": "stretcher",
        "mdro_status": "unknown",
    }  # fmt: skip
    response = client.post("/intake/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is not an ICD-10 code" in html and "XX" in html and "Give date_of_birth" in html
    assert 'value="Коваленко"' in html  # nothing typed is lost


def test_every_choice_of_the_form_offers_unknown_once(as_user):
    import re

    html = as_user("coordinator").get("/intake/new").get_data(as_text=True)
    for name, options in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        labels = [t.strip().lower() for t in re.findall(r"<option[^>]*>([^<]*)</option>", options)]
        assert labels.count("unknown") <= 1, name
