"""Recording triage: suggestions kept, history kept, the case follows the latest triage."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import AuditEvent, User
from evac.services import cases, triage
from evac.services.errors import Conflict, Forbidden, InvalidInput


def actor(u) -> User:
    return db.session.get(User, u.id)


def test_the_queue_is_most_urgent_then_longest_waiting(ctx, make):
    routine = make.case(urgency="routine")
    urgent_old = make.case(urgency="urgent")
    urgent_new = make.case(urgency="urgent")
    immediate = make.case(urgency="immediate")
    coordinator = actor(make.user())
    queue = [c.reference for c in triage.waiting_for_triage(coordinator)]
    assert queue == [immediate, urgent_old, urgent_new, routine]
    assert triage.queue_length(coordinator) == 4
    assert triage.queue_length(actor(make.user("hospital"))) == 0


def test_triage_records_values_suggestions_and_audit(ctx, make):
    ref = make.case(date_of_birth="2019-05-01", requested_care="clinical", languages=["uk"])
    coordinator = actor(make.user())
    case = cases.get_case(coordinator, ref)
    values = triage.starting_values(case)
    assert values.bed_category == "paediatric" and values.isolation_required  # suggested
    record = triage.triage_case(coordinator, ref, replace(values, clinical_notes="Calm child"))
    case = cases.get_case(coordinator, ref)
    assert case.status == "triaged" and case.triage.id == record.id
    assert record.suggestions["bed_category"] == {"value": "paediatric", "rule": "child"}
    assert record.changes["bed_category"] == ["clinical", "paediatric"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.triage"))
    assert "bed_category" in event.data["changes"]


def test_re_triage_keeps_the_history_and_moves_the_board(ctx, make):
    ref = make.case(urgency="routine")
    coordinator = actor(make.user())
    case = cases.get_case(coordinator, ref)
    first = triage.triage_case(coordinator, ref, triage.starting_values(case))
    second = triage.triage_case(
        coordinator, ref, replace(triage.starting_values(case), urgency="immediate")
    )
    case = cases.get_case(coordinator, ref)
    assert [r.id for r in triage.history(case)] == [second.id, first.id]
    assert second.changes == {"urgency": ["routine", "immediate"]}
    assert case.urgency == "immediate" and case.request["urgency"] == "routine"
    assert [s.to_status for s in case.status_changes] == ["received", "triaged"]


def test_a_ventilated_patient_on_a_ward_is_refused(ctx, make):
    ref = make.case()
    coordinator = actor(make.user())
    values = replace(triage.starting_values(cases.get_case(coordinator, ref)), ventilated=True,
                     bed_category="clinical")  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        triage.triage_case(coordinator, ref, values)
    assert err.value.problems[0].field == "bed_category"
    assert cases.get_case(coordinator, ref).status == "received"


def test_only_coordinators_triage_and_not_after_an_offer(ctx, make):
    ref = make.case()
    coordinator = actor(make.user())
    values = triage.starting_values(cases.get_case(coordinator, ref))
    with pytest.raises(Forbidden):
        triage.triage_case(actor(make.user("viewer")), ref, values)
    cases.cancel_case(coordinator, ref, "withdrawn by sender")
    with pytest.raises(Conflict):
        triage.triage_case(coordinator, ref, values)


def test_a_ventilated_burn_patient_goes_to_a_burn_centre(ctx, make):
    ref = make.case(icd10=["T31.3"], ventilated=True, requested_care="ic")
    coordinator = actor(make.user())
    values = triage.starting_values(cases.get_case(coordinator, ref))
    assert values.bed_category == "burns"
    assert triage.triage_case(coordinator, ref, values).bed_category == "burns"
