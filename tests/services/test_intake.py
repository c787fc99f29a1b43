"""Registering requests: all or nothing, duplicates, conflicts, the raw payload kept."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from evac.extensions import db
from evac.models import AuditEvent, Case, ImportRecord
from evac.services import intake
from evac.terms import CaseStatus, ImportChannel
from tests.conftest import request_data


def register(payload, actor=None, filename="batch.json"):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return intake.register_requests(actor, ImportChannel.FILE, raw, filename=filename)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_creates_cases_with_references_history_and_audit(ctx):
    batch = {"requests": [request_data(external_ref="A-1"), request_data(external_ref="A-2")]}
    result = register(batch)
    refs = [c.reference for c in result.created]
    assert len(refs) == 2 and all(r.startswith("EV-") for r in refs)
    case = db.session.scalar(select(Case).where(Case.external_ref == "A-1"))
    assert case.status == CaseStatus.RECEIVED
    assert case.patient.family_name == "Шевченко"
    assert case.patient.family_name_latin == "Shevchenko"
    assert [s.to_status for s in case.status_changes] == ["received"]
    assert result.record.outcome == "imported" and result.record.imported_count == 2
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("case.registered") == 2 and "intake.imported" in actions


def test_one_bad_row_imports_nothing_but_keeps_what_was_received(ctx):
    batch = {
        "requests": [
            request_data(external_ref="B-1"),
            request_data(external_ref="B-2", icd10=["fracture"]),
        ]
    }
    with pytest.raises(intake.IntakeRejected) as err:
        register(batch)
    assert count(Case) == 0
    assert [(p.row, p.field) for p in err.value.problems] == [(1, "icd10")]
    record = db.session.get(ImportRecord, err.value.record.id)
    assert record.outcome == "rejected"
    assert json.loads(record.raw) == batch  # nothing received is lost
    assert record.problems[0]["field"] == "icd10"


def test_the_same_request_twice_is_a_duplicate(ctx):
    first = register(request_data())
    second = register(request_data())
    assert count(Case) == 1
    assert second.created == [] and [c.reference for c in second.duplicates] == [
        first.created[0].reference
    ]
    assert second.record.outcome == "duplicates"


def test_a_changed_duplicate_is_a_conflict_and_rejects_the_batch(ctx):
    first = register(request_data())
    with pytest.raises(intake.IntakeRejected) as err:
        register(
            {"requests": [request_data(external_ref="NEW-1"), request_data(urgency="immediate")]}
        )
    (problem,) = err.value.problems
    assert first.created[0].reference in problem.message and "urgency" in problem.message
    assert count(Case) == 1  # the new request in the batch was not imported either


def test_the_same_reference_twice_in_one_batch_with_different_content(ctx):
    with pytest.raises(intake.IntakeRejected) as err:
        register({"requests": [request_data(), request_data(urgency="routine")]})
    assert err.value.problems[0].row == 1


def test_the_same_external_ref_from_another_source_is_another_case(ctx):
    register(request_data())
    register(request_data(source="domestic", sending_hospital="UMCU", sending_country=None))
    assert count(Case) == 2


def test_domestic_requests_name_their_dutch_hospital(ctx):
    result = register(
        request_data(source="domestic", sending_hospital="umcu", sending_country=None)
    )
    assert result.created[0].origin_hospital.code == "UMCU"
    with pytest.raises(intake.IntakeRejected) as err:
        register(request_data(external_ref="D-2", source="domestic", sending_hospital="NOPE"))
    assert "NOPE" in err.value.problems[0].message
    with pytest.raises(intake.IntakeRejected):
        register(request_data(external_ref="D-3", source="domestic", sending_facility="Somewhere"))


def test_csv_files_go_through_the_same_rules(ctx):
    csv = (
        "\ufeffexternal_ref,source,requested_at,sending_country,family_name,given_name,"
        "date_of_birth,sex,diagnosis,requested_care,urgency,mobility\n"
        "C-1,eu_medevac,20.11.2026,UA,Бойко,Тарас,01.02.1990,Ч,Burns,burns,urgent,stretcher\n"
    ).encode()
    result = register(csv, filename="requests.csv")
    assert result.created[0].patient.sex == "male"
    assert result.created[0].patient.date_of_birth.isoformat() == "1990-02-01"


def test_only_coordinators_register(ctx, make):
    from evac.models import User
    from evac.services.errors import Forbidden

    viewer = db.session.get(User, make.user("viewer").id)
    with pytest.raises(Forbidden):
        register(request_data(), actor=viewer)
    assert count(ImportRecord) == 0


JUNK = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.lists(
        st.dictionaries(
            st.sampled_from(list(request_data()) + ["companions", "age_years", "x"]),
            st.one_of(st.none(), st.text(max_size=30), st.integers(-5, 200), st.booleans(),
                      st.lists(st.text(max_size=5), max_size=2)),
        ),
        min_size=1, max_size=3,
    ).map(lambda reqs: json.dumps({"requests": reqs}).encode()),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=JUNK, name=st.sampled_from(["x.json", "x.csv"]))
def test_malformed_input_never_raises_unexpectedly_nor_leaves_cases(ctx, raw, name):
    before = count(Case)
    try:
        result = register(raw, filename=name)
    except intake.IntakeRejected as err:
        assert err.problems and all(p.message for p in err.problems)
        assert count(Case) == before
        assert db.session.get(ImportRecord, err.record.id).raw == raw
    else:
        assert result.created or result.duplicates
