"""The case state machine, without an app or a database."""

import pytest

from evac import workflow
from evac.terms import CaseStatus as S
from evac.terms import Role


def test_the_happy_path_from_request_to_closure():
    path = [
        ("triage", Role.COORDINATOR, S.TRIAGED),
        ("start_placing", Role.COORDINATOR, S.PLACING),
        ("offer", Role.COORDINATOR, S.OFFERED),
        ("accept", Role.HOSPITAL, S.ACCEPTED),
        ("schedule", workflow.SYSTEM, S.SCHEDULED),
        ("depart", workflow.SYSTEM, S.IN_TRANSIT),
        ("arrive", Role.HOSPITAL, S.ARRIVED),
        ("close", Role.COORDINATOR, S.CLOSED),
    ]
    status = S.RECEIVED
    for transition, role, expected in path:
        status = workflow.check(transition, status, role)
        assert status == expected


def test_a_declined_offer_goes_back_to_placing():
    assert workflow.check("decline", S.OFFERED, Role.HOSPITAL, "no bed") == S.PLACING
    assert workflow.check("expire", S.OFFERED, workflow.SYSTEM) == S.PLACING


@pytest.mark.parametrize(
    "transition,status",
    [("accept", S.RECEIVED), ("close", S.OFFERED), ("triage", S.ACCEPTED), ("offer", S.TRIAGED)],
)
def test_a_transition_from_the_wrong_state_is_refused(transition, status):
    with pytest.raises(workflow.TransitionError) as err:
        workflow.check(transition, status, Role.COORDINATOR)
    assert err.value.code == "not_from_state"


def test_roles_are_enforced():
    with pytest.raises(workflow.TransitionError) as err:
        workflow.check("triage", S.RECEIVED, Role.HOSPITAL)
    assert err.value.code == "not_for_role"
    with pytest.raises(workflow.TransitionError):
        workflow.check("offer", S.PLACING, Role.VIEWER)
    # Only the system lets an offer expire; a person withdraws it, with a reason.
    with pytest.raises(workflow.TransitionError):
        workflow.check("expire", S.OFFERED, Role.COORDINATOR)


def test_cancel_needs_a_reason_and_is_impossible_after_arrival():
    with pytest.raises(workflow.TransitionError) as err:
        workflow.check("cancel", S.PLACING, Role.COORDINATOR, "  ")
    assert err.value.code == "reason_required"
    assert workflow.check("cancel", S.IN_TRANSIT, Role.COORDINATOR, "died") == S.CANCELLED
    for status in (S.ARRIVED, S.CLOSED, S.CANCELLED):
        with pytest.raises(workflow.TransitionError):
            workflow.check("cancel", status, Role.COORDINATOR, "x")


def test_unknown_transition():
    with pytest.raises(workflow.TransitionError) as err:
        workflow.check("teleport", S.RECEIVED, Role.ADMIN)
    assert err.value.code == "unknown"


def test_allowed_lists_what_a_role_may_do_now():
    assert workflow.allowed(S.OFFERED, Role.HOSPITAL) == ["accept", "decline"]
    assert "cancel" in workflow.allowed(S.RECEIVED, Role.COORDINATOR)
    assert workflow.allowed(S.RECEIVED, Role.VIEWER) == []
    assert workflow.allowed(S.CLOSED, Role.ADMIN) == []


def test_open_states():
    assert workflow.is_open(S.PLACING)
    assert not workflow.is_open(S.CLOSED)
    assert not workflow.is_open(S.CANCELLED)
