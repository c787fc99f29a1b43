"""Who may use which route, generated from app.url_map: every route is public by an explicit
list, or declares its roles and refuses everyone else. Hospital users never reach another
hospital's case. Every form needs its CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evac.terms import Role
from tests.conftest import csrf_token, login

# The only routes anyone may use without signing in.
PUBLIC = {
    "auth.login",
    "auth.second_factor",
    "auth.invitation",
    "i18n.set_language",
    "api.openapi",
    "static",
}

ALL = {"admin", "coordinator", "hospital", "partner", "regional", "viewer"}
# all who may know that single cases exist: not the care chain's partners
CASE_READERS = ALL - {"partner"}
COORD = {"admin", "coordinator"}
# the national centre, and a regional centre for the requests on its desk
PLACING = {"admin", "coordinator", "regional"}

# The access policy, written down independently of the code: a route added without an entry
# here, or declaring other roles than these, fails the test.
POLICY = {
    "dashboard.index": ALL,
    "dashboard.add_note": COORD,
    "dashboard.resolve_note": COORD,
    "auth.logout": ALL,
    "auth.session_status": ALL,
    "auth.account": ALL,
    "auth.change_password": ALL,
    "auth.two_factor": ALL,
    "auth.two_factor_off": ALL,
    "admin.users": {"admin"},
    "admin.new_user": {"admin"},
    "admin.import_users": {"admin"},
    "admin.user": {"admin"},
    "admin.set_active": {"admin"},
    "admin.reset_two_factor": {"admin"},
    "admin.reinvite": {"admin"},
    "admin.tokens": {"admin"},
    "admin.revoke_token": {"admin"},
    "cases.board": CASE_READERS,
    "cases.detail": CASE_READERS,
    "cases.cancel": PLACING,
    "cases.reopen": PLACING,
    "cases.escalate": {"regional"},
    "cases.group": PLACING,
    "cases.correct": PLACING,
    "spreading.index": PLACING,
    "spreading.propose": PLACING,
    "spreading.plan": PLACING,
    "spreading.evaluate": PLACING,
    "spreading.issue": COORD,
    "spreading.instance": PLACING,
    "spreading.quotas": PLACING,
    "spreading.quota": PLACING,
    "spreading.back_home": PLACING,
    "spreading.bring_home": COORD,
    "intake.upload": COORD,
    "intake.new_request": COORD,
    "intake.records": COORD,
    "intake.record": COORD,
    "triage.queue": PLACING,
    "triage.triage_case": PLACING,
    "capacity.overview": ALL,
    "capacity.region": ALL,
    "situation.report": ALL,
    "situation.pdf": ALL,
    "situation.figures": ALL,
    "api.get_situation": ALL,
    "api.get_situation_fhir": ALL,
    "api.get_have": ALL,
    "situation.have": ALL,
    "scenarios.index": {"admin", "coordinator", "viewer", "partner", "regional"},
    "scenarios.show": {"admin", "coordinator", "viewer", "partner", "regional"},
    "scenarios.compare": {"admin", "coordinator", "viewer", "partner", "regional"},
    "scenarios.pdf": {"admin", "coordinator", "viewer", "partner", "regional"},
    "scenarios.create": COORD,
    "scenarios.share": COORD,
    "situation.fhir": ALL,
    "capacity.report": {"admin", "coordinator", "hospital"},
    "capacity.closure": {"admin", "coordinator", "hospital"},
    "capacity.upload": COORD,
    "capacity.transport": COORD,
    "capacity.export": {"admin", "coordinator", "viewer"},
    "api.get_capacity": ALL,
    "api.put_capacity": {"admin", "coordinator", "hospital"},
    "hospital.portal": {"hospital"},
    "hospital.offer": {"admin", "coordinator", "hospital"},
    "hospital.accept": {"admin", "coordinator", "hospital"},
    "hospital.decline": {"admin", "coordinator", "hospital"},
    "offers.make": PLACING,
    "offers.withdraw": PLACING,
    "api.list_offers": {"admin", "coordinator", "hospital"},
    "api.accept_offer": {"hospital"},
    "api.decline_offer": {"hospital"},
    "transport.flights": {"admin", "coordinator", "viewer"},
    "transport.new_flight": COORD,
    "transport.flight": {"admin", "coordinator", "viewer"},
    "transport.flight_status": COORD,
    "transport.reinstate_flight": COORD,
    "transport.confirm_fitness": COORD,
    "transport.add_to_flight": COORD,
    "transport.remove_from_flight": COORD,
    "transport.record_leg": COORD,
    "transport.add_leg": COORD,
    "transport.confirm_arrival": {"admin", "coordinator", "hospital"},
    "transport.close": COORD,
    "transport.plan_return": COORD,
    "api.confirm_arrival": {"admin", "coordinator", "hospital"},
    "placement.propose_case": PLACING,
    "placement.propose_batch": COORD,
    "placement.own_region": COORD,
    "placement.propose_flight": COORD,
    "placement.proposal": PLACING,
    "placement.evaluate": PLACING,
    "placement.make_offers": PLACING,
    "placement.instance": PLACING,
    "placement.admin_settings": {"admin"},
    "documents.transfer": {"admin", "coordinator", "hospital"},
    "documents.acceptance": {"admin", "coordinator", "hospital"},
    "documents.manifest": COORD,
    "documents.bundle": COORD,
    "documents.verify": CASE_READERS,
    "api.transfer_document": {"admin", "coordinator", "hospital"},
    "api.post_requests": COORD,
    "api.list_cases": CASE_READERS,
    "api.get_case": CASE_READERS,
    "api.get_case_fhir": CASE_READERS,
}


@pytest.fixture
def samples(make, app):
    """A value for every URL argument, pointing at objects the hospital user (UMCG) may see."""
    reference = make.case()
    make.place_at(reference, "UMCG")
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import ImportRecord

    with app.app_context():
        record_id = db.session.scalar(select(ImportRecord.id))
    from evac.models import User
    from evac.services import capacity, cases, offers, triage

    with app.app_context():
        coordinator = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(
            coordinator, "UMCG", capacity.Figures({"clinical": (10, 1)}, 2), "phone"
        )
        offered = make.case()
        triage.triage_case(
            coordinator, offered, triage.starting_values(cases.get_case(coordinator, offered))
        )
        offer_id = offers.make_offer(coordinator, offered, "UMCG").id
        from datetime import timedelta

        from evac.models.types import utcnow
        from evac.services import transport

        flight = transport.create_flight(coordinator, transport.FlightInput(
            code="ACCESS-1", operator="SAS", planned_departure=None,
            planned_arrival=utcnow() + timedelta(hours=5), stretcher_places=5, seated_places=5))  # fmt: skip
        transport.put_on_flight(coordinator, offered, flight.id)
        leg_id = transport.case_legs(cases.get_case(coordinator, offered))[0].id
        flight_id = flight.id
        from evac.services import placement

        waiting = make.case()
        triage.triage_case(
            coordinator, waiting, triage.starting_values(cases.get_case(coordinator, waiting))
        )
        proposal_id = placement.propose(coordinator, [waiting]).id
        from evac.models import ApiToken

        make.token(make.user("viewer"))
        token_id = db.session.scalar(select(ApiToken.id))
        user_id = coordinator.id
        plan_id, quota_id = spreading_sample(coordinator)
    return {"user_id": user_id, "token_id": token_id, "plan_id": plan_id, "quota_id": quota_id,
            "scenario_id": 1, "note_id": 1,"reference": reference, "record_id": record_id, "filename": "evac.css", "code": "UMCG",
            "offer_id": offer_id, "flight_id": flight_id, "leg_id": leg_id, "proposal_id": proposal_id, "token": "no-such-token"}  # fmt: skip


def spreading_sample(coordinator) -> tuple[int, int]:
    """A national spreading plan and one transfer quota from it (NN sends to NW)."""
    from evac.extensions import db
    from evac.models import Region, SpreadingPlan, TransferQuota

    plan = SpreadingPlan(user_id=coordinator.id, scope="national", status="proposed",
                         instance={"units": []}, result={"moves": [], "units": [], "objective": 0})  # fmt: skip
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    quota = TransferQuota(plan=plan, from_region=regions["NN"], to_region=regions["NW"],
                          category="ic", patients=1)  # fmt: skip
    db.session.add_all([plan, quota])
    db.session.commit()
    return plan.id, quota.id


def routes(app):
    for rule in sorted(
        app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule)
    ):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_for_rule(rule, samples) -> str:
    missing = [a for a in rule.arguments if a not in samples]
    assert not missing, (
        f"add a sample value for {missing} ({rule.rule}) to tests/web/test_access.py"
    )
    return rule.build({a: samples[a] for a in rule.arguments}, append_unknown=False)[1]


def call(client, method, url, token=None, api_token=None):
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
        return client.open(url, method=method, headers=headers, json={})
    data = {"csrf_token": token} if method != "GET" and token else {}
    return client.open(url, method=method, data=data)


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC
        and not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert undeclared == []
    public = [
        r.endpoint
        for r in app.url_map.iter_rules()
        if getattr(app.view_functions[r.endpoint], "allowed_roles", 0) is None
    ]
    assert set(public) <= PUBLIC


def test_every_route_allows_exactly_the_roles_of_the_policy(app):
    declared = {
        rule.endpoint: set(app.view_functions[rule.endpoint].allowed_roles)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC
    }
    assert declared == POLICY


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_routes_refuse_the_roles_that_may_not_use_them(app, client, make, samples, role):
    user = make.user(role, "UMCG" if role == "hospital" else None)
    login(client, user)
    token, api_token = csrf_token(client, "/login"), make.token(user)
    wrong = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        allowed = role in app.view_functions[rule.endpoint].allowed_roles
        response = call(client, method, url_for_rule(rule, samples), token, api_token)
        refused = response.status_code in (401, 403)
        if rule.endpoint != "auth.logout":  # signing out rightly ends on the sign-in page
            refused = refused or "/login" in (response.location or "")
        if response.status_code >= 500 or allowed == bool(refused):
            wrong.append(f"{method} {rule.rule}: {response.status_code} (allowed={allowed})")
        if rule.endpoint == "auth.logout":
            login(client, user)
    assert wrong == []


def test_anonymous_visitors_are_sent_to_sign_in(app, client, samples):
    token = csrf_token(client, "/login")
    wrong = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        response = call(client, method, url_for_rule(rule, samples), token)
        expected = 401 if rule.rule.startswith("/api/") else 302
        if response.status_code != expected or (
            expected == 302 and "/login" not in response.location
        ):
            wrong.append(f"{method} {rule.rule}: {response.status_code}")
    assert wrong == []


def test_a_hospital_never_reaches_another_hospitals_case(app, client, make, samples):
    other = make.user("hospital", "MST2")
    login(client, other)
    token, api_token = csrf_token(client, "/login"), make.token(other)
    seen = []
    for rule, method in routes(app):
        if "reference" not in rule.arguments:
            continue
        response = call(client, method, url_for_rule(rule, samples), token, api_token)
        if response.status_code not in (403, 404):
            seen.append(f"{method} {rule.rule}: {response.status_code}")
    assert seen == []
    assert samples["reference"] not in client.get("/cases/").get_data(as_text=True)


def test_every_form_needs_its_csrf_token(app, client, make, samples):
    login(client, make.user("admin"))
    unprotected = []
    for rule, method in routes(app):
        if method == "GET" or rule.rule.startswith("/api/"):
            continue
        response = client.open(url_for_rule(rule, samples), method=method, data={})
        if response.status_code != 400 or "expired" not in response.get_data(as_text=True):
            unprotected.append(f"{method} {rule.rule}: {response.status_code}")
    assert unprotected == []


def test_the_api_ignores_session_cookies(client, make):
    """A signed-in browser session is no API credential: the API wants a bearer token, so a
    forged cross-site request carrying cookies gets nowhere."""
    login(client, make.user("coordinator"))
    assert client.get("/api/v1/cases").status_code == 401
