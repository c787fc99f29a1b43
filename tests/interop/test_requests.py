"""The exchange format of ../shared/specs/intake.md: parsing and checking, no database."""

import json
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from evac.interop import requests as fmt
from evac.interop.transliteration import to_latin

TODAY = date(2026, 11, 25)
HEADER = (
    "external_ref,source,requested_at,sending_country,family_name,given_name,date_of_birth,"
    "sex,languages,diagnosis,icd10,requested_care,urgency,mobility,ventilated,companion_count"
)


def csv_file(*rows: str, bom: bool = False) -> bytes:
    text = "\n".join((HEADER, *rows)) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


GOOD_ROW = (
    "UCPM-1,eu_medevac,2026-11-20,UA,Шевченко,Олена,12.03.1984,Ж,uk;ru,"
    "Fracture,S72.0;T31.2,clinical,urgent,stretcher,так,1"
)


def test_a_csv_with_bom_cyrillic_and_dotted_dates_is_read():
    result = fmt.parse_csv(csv_file(GOOD_ROW, bom=True), TODAY)
    assert result.problems == []
    (req,) = result.requests
    d = req.data
    assert d["family_name"] == "Шевченко"
    assert d["family_name_latin"] == "Shevchenko"
    assert d["given_name_latin"] == "Olena"
    assert d["date_of_birth"] == "1984-03-12"
    assert d["sex"] == "female"
    assert d["languages"] == ["uk", "ru"]
    assert d["icd10"] == ["S72.0", "T31.2"]
    assert d["ventilated"] is True
    assert d["mdro_status"] == "unknown"
    assert len(d["companions"]) == 1
    assert req.row == 2


def test_every_problem_is_reported_by_row_and_field():
    bad = (
        "UCPM-2,eu_medevac,2026-11-20,UA,,Іван,31.02.1990,X,uk,Wound,S7.2,ward,soon,"
        "stretcher,maybe,0"
    )
    result = fmt.parse_csv(csv_file(GOOD_ROW, bad), TODAY)
    assert result.requests[:1] and len(result.requests) == 1
    by_field = {p.field: p for p in result.problems}
    assert {p.row for p in result.problems} == {3}
    assert set(by_field) >= {
        "family_name", "date_of_birth", "sex", "icd10", "requested_care", "urgency", "ventilated",
    }  # fmt: skip
    assert "S7.2" in by_field["icd10"].message
    assert "ward" in by_field["requested_care"].message
    assert "clinical" in by_field["requested_care"].message  # the allowed values are named


def test_missing_required_fields_and_missing_age():
    result = fmt.parse_json({"external_ref": "X", "source": "eu_medevac"}, TODAY)
    fields = {p.field for p in result.problems}
    assert {"requested_at", "family_name", "given_name", "sex", "diagnosis"} <= fields
    assert {"requested_care", "urgency", "mobility", "sending_country"} <= fields
    assert "date_of_birth" in fields  # neither date of birth nor age


def test_a_date_of_birth_in_the_future_is_refused():
    data = {**_json_request(), "date_of_birth": "2030-01-01"}
    assert [p.field for p in fmt.parse_json(data, TODAY).problems] == ["date_of_birth"]


def test_age_instead_of_date_of_birth():
    data = _json_request()
    del data["date_of_birth"]
    data["age_years"] = 7
    (req,) = fmt.parse_json(data, TODAY).requests
    assert req.data["age_years"] == 7 and req.data["date_of_birth"] is None


def test_json_batch_rows_are_indexes_and_companions_are_objects():
    batch = {"requests": [_json_request(), {**_json_request(), "external_ref": "B", "sex": "?"}]}
    result = fmt.parse_json(json.dumps(batch).encode(), TODAY)
    assert [p.row for p in result.problems] == [1]
    assert result.requests[0].data["companions"] == [
        {"name": "Марія Шевченко", "relation": "mother", "age_years": 41, "notes": None}
    ]


def test_domestic_requests_need_no_country():
    data = {**_json_request(), "source": "domestic", "sending_country": None}
    assert fmt.parse_json(data, TODAY).problems == []


def test_unknown_columns_are_ignored_and_blank_lines_skipped():
    text = HEADER + ",colour\n" + GOOD_ROW + ",blue\n\n"
    result = fmt.parse_csv(text.encode(), TODAY)
    assert result.problems == [] and len(result.requests) == 1


def test_files_that_are_not_request_files():
    assert (
        fmt.parse_csv(b"\xff\xfe\x00garbage", TODAY)
        .problems[0]
        .message.startswith("The file is not UTF-8")
    )
    assert "lacks the columns" in fmt.parse_csv(b"a,b\n1,2\n", TODAY).problems[0].message
    assert fmt.parse_csv(b"", TODAY).problems
    assert fmt.parse_csv(HEADER.encode(), TODAY).problems  # a header and nothing else
    assert "Not valid JSON" in fmt.parse_json(b"{nope", TODAY).problems[0].message
    assert fmt.parse_json(b"[1, 2]", TODAY).problems
    assert fmt.parse_json(b'{"requests": []}', TODAY).problems
    assert fmt.parse_file("requests.xlsx", b"PK", TODAY).problems[0].field == "file"


def test_the_same_request_has_the_same_fingerprint_and_a_change_changes_it():
    a = fmt.parse_json(_json_request(), TODAY).requests[0]
    b = fmt.parse_json(_json_request(), TODAY).requests[0]
    c = fmt.parse_json({**_json_request(), "urgency": "immediate"}, TODAY).requests[0]
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_transliteration_follows_the_ukrainian_passport_system():
    assert to_latin("Шевченко Юлія") == "Shevchenko Yuliia"
    assert to_latin("Згурський") == "Zghurskyi"
    assert to_latin("Єрмоленко Ївга") == "Yermolenko Yivha"
    assert to_latin("Smith") == "Smith"


@given(st.dictionaries(st.text(max_size=20), st.one_of(st.none(), st.text(), st.integers(),
       st.floats(), st.booleans(), st.lists(st.text(), max_size=3)), max_size=12))  # fmt: skip
def test_no_input_makes_the_parser_raise(raw):
    result = fmt.parse_json(raw, TODAY)
    assert result.requests or result.problems


def _json_request() -> dict:
    return {
        "external_ref": "UCPM-MEDEVAC-2026-00042",
        "source": "eu_medevac",
        "requested_at": "2026-11-20T08:00:00Z",
        "sending_country": "ua",
        "family_name": "Шевченко",
        "given_name": "Олена",
        "date_of_birth": "1984-03-12",
        "sex": "female",
        "diagnosis": "Fracture",
        "requested_care": "clinical",
        "urgency": "urgent",
        "mobility": "seated",
        "companions": [{"name": "Марія Шевченко", "relation": "mother", "age_years": 41}],
    }


def test_json_takes_the_types_its_schema_states_and_csv_the_spec_s_lenient_forms():
    lenient = {"ventilated": "так", "age_years": "7", "sex": "Ж", "date_of_birth": "12.03.1984",
               "weight_kg": "61,5", "icd10": "S72.0;T31.2", "urgency": "URGENT"}  # fmt: skip
    result = fmt.parse_json({**_json_request(), **lenient}, TODAY)
    assert {p.field for p in result.problems} == set(lenient)
    messages = {p.field: p.message for p in result.problems}
    assert "true or false" in messages["ventilated"]
    assert "YYYY-MM-DD" in messages["date_of_birth"]
    # The same values in a CSV file (or the form) are read as the spec allows there.
    row = ("UCPM-1,eu_medevac,2026-11-20,UA,Шевченко,Олена,12.03.1984,Ж,uk,Fracture,"
           "S72.0;T31.2,clinical,URGENT,stretcher,так,0")  # fmt: skip
    (req,) = fmt.parse_csv(csv_file(row), TODAY).requests
    assert (req.data["sex"], req.data["urgency"], req.data["ventilated"]) == (
        "female", "urgent", True)  # fmt: skip


def test_a_blank_text_is_left_out_but_a_blank_code_or_list_item_is_a_mistake():
    blank_text = {**_json_request(), "notes": "  ", "sending_facility": ""}
    (req,) = fmt.parse_json(blank_text, TODAY).requests
    assert req.data["notes"] is None and req.data["sending_facility"] is None
    for field, value in (("sending_country", ""), ("sending_hospital", " "),
                         ("devices", ["chest drain", " "])):  # fmt: skip
        problems = fmt.parse_json({**_json_request(), field: value}, TODAY).problems
        assert [p.field for p in problems] == [field], field


def test_dates_lie_between_1900_and_today_and_time_stamps_in_this_century_or_the_last():
    cases = {
        ("date_of_birth", "1899-12-31"): "between 1900-01-01 and 2026-11-25",
        ("mdro_screened_at", "2026-11-26"): "in the future",
        ("requested_at", "2100-01-01T00:00:00Z"): "between 1900-01-01 and 2099-12-31",
        ("date_of_birth", "2023-02-29"): "not a date",
    }
    for (field, value), words in cases.items():
        problems = fmt.parse_json({**_json_request(), field: value}, TODAY).problems
        assert [p.field for p in problems] == [field] and words in problems[0].message, value
    ok = {"date_of_birth": "1900-01-01", "mdro_screened_at": "2026-11-25"}
    assert fmt.parse_json({**_json_request(), **ok}, TODAY).problems == []


def test_time_stamps_with_a_zone_are_read_in_utc_and_without_one_as_utc():
    for sent, stored in (("2026-11-20T08:00:00+02:00", "2026-11-20T06:00:00+00:00"),
                         ("2026-11-20t08:00z", "2026-11-20T08:00:00+00:00"),
                         ("2026-11-20 08:00:00.5", "2026-11-20T08:00:00.500000+00:00"),
                         ("2026-11-20", "2026-11-20T00:00:00+00:00")):  # fmt: skip
        (req,) = fmt.parse_json({**_json_request(), "requested_at": sent}, TODAY).requests
        assert req.data["requested_at"] == stored, sent
    for wrong in ("2026-11-20T24:00:00Z", "2026-11-20T08:00:00+02:60", "20261120T0800"):
        problems = fmt.parse_json({**_json_request(), "requested_at": wrong}, TODAY).problems
        assert [p.field for p in problems] == ["requested_at"], wrong


@given(
    st.dates(date(1890, 1, 1), date(2110, 12, 31)), st.dates(date(1900, 1, 1), date(2099, 12, 31))
)
def test_the_date_pattern_of_the_schema_holds_exactly_the_dates_the_importer_takes(d, last):
    """The schema states the range rule as a regular expression; it must hold every calendar
    date from 1900 up to the last day, and nothing else."""
    pattern = re.compile(fmt.date_pattern(last))
    assert bool(pattern.fullmatch(d.isoformat())) == (fmt.FIRST_DATE <= d <= last)


def test_the_date_pattern_knows_leap_days_and_month_lengths():
    pattern = re.compile(fmt.date_pattern(date(2026, 11, 25)))
    assert pattern.fullmatch("2024-02-29") and pattern.fullmatch("2000-02-29")
    for not_a_day in ("1900-02-29", "2023-02-29", "2025-04-31", "2026-13-01", "2026-00-10"):
        assert not pattern.fullmatch(not_a_day), not_a_day


def test_a_nul_character_in_a_field_s_name_is_refused_without_repeating_it():
    (problem,) = fmt.parse_json({**_json_request(), "not\x00es": "x"}, TODAY).problems
    assert problem.field == "not\ufffdes" and "NUL" in problem.message


def test_what_the_review_found_stays_fixed():
    # A premature newborn's weight (0.3 kg is the spec's lowest)
    (req,) = fmt.parse_json({**_json_request(), "weight_kg": 0.5}, TODAY).requests
    assert req.data["weight_kg"] == 0.5
    # A field named resourceType among those evac does not read does not make it FHIR
    assert fmt.parse_json({**_json_request(), "resourceType": "x"}, TODAY).problems == []
    # A text of spaces only longer than its field is too long, as the schema says
    problems = fmt.parse_json({**_json_request(), "contact_phone": " " * 51}, TODAY).problems
    assert [p.field for p in problems] == ["contact_phone"]
    # Codes in either case, as the schema states them; spaces around are not a code
    (req,) = fmt.parse_json({**_json_request(), "icd10": ["s72.0"], "languages": ["UK"]},
                            TODAY).requests  # fmt: skip
    assert (req.data["icd10"], req.data["languages"]) == (["S72.0"], ["uk"])
    problems = fmt.parse_json({**_json_request(), "icd10": [" S72.0"]}, TODAY).problems
    assert [p.field for p in problems] == ["icd10"]
    # Nested deeper than recursion would go, in a field evac does not read
    deep = json.dumps({**_json_request(), "extra": json.loads("[" * 900 + "]" * 900)})
    assert fmt.parse_json(deep.encode(), TODAY).requests
    # A number of more than 4,300 digits is refused, not a crash
    assert (
        "Not valid JSON"
        in fmt.parse_json(b'{"age_years": ' + b"9" * 5000 + b"}", TODAY).problems[0].message
    )


def test_an_arrival_time_is_read_in_utc_whatever_its_own_date():
    moment = fmt.read_moment("2026-11-26T00:30:00+01:00", TODAY)  # 23:30 UTC on the 25th
    assert moment.isoformat() == "2026-11-25T23:30:00+00:00"
    assert fmt.read_moment("2026-11-25T10:00:00", TODAY) is None  # no zone
    assert fmt.read_moment("yesterday", TODAY) is None


def test_a_nul_in_a_json_file_is_found_in_a_value_and_in_a_name():
    # In a file, JSON can only write a NUL as \u0000: whatever the text holds, it is found
    request = {**_json_request(), "family_name": "Nul\u0000Name", "extra": {"de\u0000ep": 1}}
    raw = json.dumps({"requests": [_json_request(), request]}).encode()
    problems = fmt.parse_json(raw, TODAY).problems
    assert {(p.row, p.field) for p in problems} == {(1, "family_name"), (1, "extra.de\ufffdep")}
