"""Cases: what each role may see, the board's filters, cancelling, and the audit trail."""

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from evac.extensions import db
from evac.models import AuditEvent, User
from evac.services import cases
from evac.services.errors import Conflict, Forbidden, NotFound


def user(u) -> User:
    return db.session.get(User, u.id)


def board(u, **filters):
    return cases.case_board(user(u), cases.BoardFilters(**filters))


def test_coordinators_and_viewers_see_every_case_hospitals_only_their_own(ctx, make):
    mine = make.case()
    theirs = make.case()
    make.place_at(mine, "UMCG")
    make.place_at(theirs, "MST2")
    unplaced = make.case()
    umcg = make.user("hospital", "UMCG")
    assert {c.reference for c in board(make.user("coordinator")).cases} == {mine, theirs, unplaced}
    assert board(make.user("viewer")).total == 3
    assert [c.reference for c in board(umcg).cases] == [mine]
    assert cases.get_case(user(umcg), mine).reference == mine
    for other in (theirs, unplaced):
        with pytest.raises(NotFound):
            cases.get_case(user(umcg), other)


def test_board_filters_search_sort_and_counts(ctx, make):
    a = make.case(urgency="immediate", family_name="Бойко", given_name="Тарас")
    b = make.case(urgency="routine", requested_care="burns")
    c = make.case(source="domestic", sending_hospital="UMCU", sending_country=None)
    coordinator = make.user()
    assert [x.reference for x in board(coordinator, urgency="immediate").cases] == [a]
    assert [x.reference for x in board(coordinator, category="burns").cases] == [b]
    assert [x.reference for x in board(coordinator, source="domestic").cases] == [c]
    assert [x.reference for x in board(coordinator, region="MN").cases] == [c]
    assert [x.reference for x in board(coordinator, q="бойко").cases] == [a]
    assert [x.reference for x in board(coordinator, q="BOIKO").cases] == [a]
    assert [x.reference for x in board(coordinator, q=b.lower()).cases] == [b]
    by_urgency = board(coordinator, sort="urgency", descending=False).cases
    assert by_urgency[0].reference == a
    assert board(coordinator).counts == {"received": 3}
    assert board(coordinator, status="triaged").total == 0
    page2 = board(coordinator, per_page=2, page=2)
    assert page2.pages == 2 and len(page2.cases) == 1


def test_viewers_cannot_search_by_name(ctx, make):
    make.case(family_name="Бойко")
    assert board(make.user("viewer"), q="Бойко").total == 0


def test_cancel_records_reason_history_and_audit(ctx, make):
    ref = make.case()
    coordinator = make.user()
    case = cases.cancel_case(user(coordinator), ref, "Patient died before transport")
    assert case.status == "cancelled" and case.cancel_reason.startswith("Patient died")
    assert case.status_changes[-1].reason == "Patient died before transport"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.cancel"))
    assert event.user_id == coordinator.id and event.data == {"from": "received", "to": "cancelled"}
    with pytest.raises(Conflict):
        cases.cancel_case(user(coordinator), ref, "again")


def test_cancel_needs_a_coordinator_and_a_reason(ctx, make):
    ref = make.case()
    with pytest.raises(Forbidden):
        cases.cancel_case(user(make.user("viewer")), ref, "no")
    with pytest.raises(Conflict):
        cases.cancel_case(user(make.user()), ref, "   ")
    assert cases.get_case(user(make.user()), ref).status == "received"


def test_a_case_cancelled_by_mistake_is_reopened_for_triage(ctx, make):
    ref = make.case()
    coordinator = make.user()
    cases.cancel_case(user(coordinator), ref, "Wrong case")
    with pytest.raises(Forbidden):
        cases.reopen_case(user(make.user("viewer")), ref, "still needs to come")
    with pytest.raises(Conflict):
        cases.reopen_case(user(coordinator), ref, " ")  # a reason is needed
    case = cases.reopen_case(user(coordinator), ref, "Cancelled the wrong case")
    assert case.status == "received" and case.cancel_reason is None
    assert case.status_changes[-1].reason == "Cancelled the wrong case"
    with pytest.raises(Conflict):
        cases.reopen_case(user(coordinator), ref, "again")  # open cases are not reopened


def test_the_audit_trail_cannot_be_changed_or_deleted_in_the_database(ctx, make):
    make.case()
    event_id = db.session.scalar(select(AuditEvent.id))
    with pytest.raises(DBAPIError):
        db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(actor="x"))
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(text("DELETE FROM audit_event"))
    db.session.rollback()
    assert db.session.get(AuditEvent, event_id).actor == "system"


def test_only_coordinators_read_the_audit_trail(ctx, make):
    ref = make.case()
    coordinator, viewer = user(make.user()), user(make.user("viewer"))
    case = cases.get_case(coordinator, ref)
    assert [e.action for e in cases.audit_trail(coordinator, case)] == ["case.registered"]
    assert cases.audit_trail(viewer, case) == []
