"""The case state machine: the states a case passes through, the allowed transitions, and which
role may make each. Pure rules, no Flask and no database: services ask this module before they
change a case, and templates ask it which actions to offer.

received -> triaged -> placing -> offered -> accepted -> scheduled -> in_transit -> arrived -> closed
                          ^          |
                          +-declined-+     any state before arrived -> cancelled (with a reason)
                                           cancelled -> received (reopened, with a reason)
"""

from __future__ import annotations

from dataclasses import dataclass

from evac.terms import CaseStatus as S
from evac.terms import Role

# The system itself (expiry of offers, states derived from transport legs) acts as this role.
SYSTEM = "system"

COORDINATION = frozenset({Role.COORDINATOR, Role.ADMIN})
# The national centre, or a region's centre (RCPS) for its own region's requests: the services
# check that the case belongs to the regional coordinator's region.
PLACING = COORDINATION | {Role.REGIONAL}
RECEIVING_HOSPITAL = frozenset({Role.HOSPITAL})


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[S]
    target: S
    roles: frozenset[str]
    needs_reason: bool = False


_BEFORE_ARRIVAL = frozenset(
    {S.RECEIVED, S.TRIAGED, S.PLACING, S.OFFERED, S.ACCEPTED, S.SCHEDULED, S.IN_TRANSIT}
)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # Re-triage is allowed until an offer is out: the facts may change while we place.
        Transition("triage", frozenset({S.RECEIVED, S.TRIAGED, S.PLACING}), S.TRIAGED, PLACING),
        Transition("start_placing", frozenset({S.TRIAGED}), S.PLACING, PLACING),
        Transition("offer", frozenset({S.PLACING}), S.OFFERED, PLACING),
        Transition("accept", frozenset({S.OFFERED}), S.ACCEPTED, RECEIVING_HOSPITAL | COORDINATION),
        Transition(
            "decline",
            frozenset({S.OFFERED}),
            S.PLACING,
            RECEIVING_HOSPITAL | COORDINATION,
            needs_reason=True,
        ),
        Transition("expire", frozenset({S.OFFERED}), S.PLACING, frozenset({SYSTEM})),
        Transition("withdraw", frozenset({S.OFFERED}), S.PLACING, PLACING, needs_reason=True),
        Transition("schedule", frozenset({S.ACCEPTED}), S.SCHEDULED, COORDINATION | {SYSTEM}),
        Transition("unschedule", frozenset({S.SCHEDULED}), S.ACCEPTED, COORDINATION | {SYSTEM}),
        Transition("depart", frozenset({S.SCHEDULED}), S.IN_TRANSIT, COORDINATION | {SYSTEM}),
        # From accepted too: a patient may come by transport the centre did not organise.
        Transition(
            "arrive",
            frozenset({S.ACCEPTED, S.SCHEDULED, S.IN_TRANSIT}),
            S.ARRIVED,
            RECEIVING_HOSPITAL | COORDINATION | {SYSTEM},
        ),
        Transition("close", frozenset({S.ARRIVED}), S.CLOSED, COORDINATION),
        Transition("cancel", _BEFORE_ARRIVAL, S.CANCELLED, PLACING, needs_reason=True),
        # Undoing a cancellation: the case starts over at triage, since its bed, offers and
        # flight place were given back when it was cancelled and the facts may have moved on.
        Transition("reopen", frozenset({S.CANCELLED}), S.RECEIVED, PLACING, needs_reason=True),
    )
}

OPEN_STATES = frozenset(S) - {S.CLOSED, S.CANCELLED}
# States in which a case holds (or is about to hold) a bed at its receiving hospital.
HOLDS_BED = frozenset({S.ACCEPTED, S.SCHEDULED, S.IN_TRANSIT})
# Waiting for a hospital: placement may propose one.
PLACEABLE = frozenset({S.TRIAGED, S.PLACING})
# A receiving hospital is known: it sees the whole case and its documents.
RECEIVED_BY_HOSPITAL = HOLDS_BED | {S.ARRIVED, S.CLOSED}
# May be put on a flight: from triage (the manifest is planned before placement) to acceptance.
FLIGHT_READY = PLACEABLE | {S.OFFERED, S.ACCEPTED}


class TransitionError(Exception):
    """A transition the workflow does not allow; the message says why, in plain words."""

    def __init__(self, code: str, transition: str, status: S, role: str | None = None):
        self.code = code
        self.transition = transition
        self.status = status
        self.role = role
        super().__init__(f"{code}: {transition} from {status} by {role}")


def check(transition: str, status: S | str, role: str, reason: str | None = None) -> S:
    """The state a case moves to by `transition`, or TransitionError when it may not."""
    status = S(status)
    t = TRANSITIONS.get(transition)
    if t is None:
        raise TransitionError("unknown", transition, status, role)
    if status not in t.source:
        raise TransitionError("not_from_state", transition, status, role)
    if role not in t.roles:
        raise TransitionError("not_for_role", transition, status, role)
    if t.needs_reason and not (reason and reason.strip()):
        raise TransitionError("reason_required", transition, status, role)
    return t.target


def allowed(status: S | str, role: str) -> list[str]:
    """The transitions a user of `role` may make on a case in `status`, in workflow order."""
    status = S(status)
    return [name for name, t in TRANSITIONS.items() if status in t.source and role in t.roles]


def is_open(status: S | str) -> bool:
    return S(status) in OPEN_STATES


# The transport states follow from the legs; only arrival is confirmed by a person.
_TRANSPORT_PATHS = {
    (S.ACCEPTED, S.SCHEDULED): ["schedule"],
    (S.ACCEPTED, S.IN_TRANSIT): ["schedule", "depart"],
    (S.SCHEDULED, S.IN_TRANSIT): ["depart"],
    (S.SCHEDULED, S.ACCEPTED): ["unschedule"],
}


def state_from_legs(status: S | str, has_legs: bool, departed: bool) -> S:
    """Where an accepted case stands by its legs: scheduled once transport is planned, in
    transit once a leg has left. Other states are not the legs' business."""
    status = S(status)
    if status not in (S.ACCEPTED, S.SCHEDULED, S.IN_TRANSIT):
        return status
    if departed:
        return S.IN_TRANSIT
    if status == S.IN_TRANSIT:
        return S.IN_TRANSIT  # a patient on the way does not become "planned" again
    return S.SCHEDULED if has_legs else S.ACCEPTED


def transport_path(current: S | str, target: S | str) -> list[str]:
    """The transitions that take a case from one transport state to another."""
    if S(current) == S(target):
        return []
    return list(_TRANSPORT_PATHS[(S(current), S(target))])
