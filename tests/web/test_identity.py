"""No page, API route, export or PDF shows a patient's identity to a user the access policy
(evac.access) keeps it from. Generated like the routes x roles test: cases with unique names in
every state a hospital can meet them in; for every role, every GET route it can reach, with every
sample value and with the names themselves as search terms, the answer (HTML, JSON, CSV or PDF
text) must hold no forbidden name.

Checked once by hand: printing `case.patient.display_name` straight from
templates/transport/flight.html (or the board) makes this test fail for the viewer.
"""

from __future__ import annotations

import io
import itertools
import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from evac.extensions import db
from evac.models import Case, ImportRecord, Offer, User
from evac.models.types import utcnow
from evac.services import capacity, offers, placement, transport, triage
from evac.services import cases as case_service
from tests.conftest import login, post_form

ACCEPT = offers.Acceptance(ward="B-3", contact_name="Dr. Visser", contact_phone="+31 50 000 0000")

# Family names found nowhere else in the application, so that a hit can only be a leak.
NAMES = {
    "received": "Жужелицька",
    "offered_umcg": "Ґедзьорович",
    "declined_umcg": "Щипавченко",
    "expired_umcg": "Їжакевич",
    "withdrawn_umcg": "Цвіркуненко",
    "accepted_umcg": "Ящурчишин",
    "accepted_mst2": "Хрущакевич",
}


@pytest.fixture
def world(app, make):
    """The cases, their offers, a flight and a proposal; returns names (both scripts) by case
    key, URL samples, and who each test user is."""
    users = {
        "coordinator": make.user("coordinator"),
        "viewer": make.user("viewer"),
        "umcg": make.user("hospital", "UMCG"),
        "mst2": make.user("hospital", "MST2"),
        # UMCG's region (NN): sees the patient UMCG accepted, nothing of other regions
        "nn_regional": make.user("regional", region="NN"),
        "partner": make.user("partner"),
    }
    refs = {key: make.case(family_name=name) for key, name in NAMES.items()}
    with app.test_request_context():
        coordinator = db.session.get(User, users["coordinator"].id)
        umcg = db.session.get(User, users["umcg"].id)
        mst2 = db.session.get(User, users["mst2"].id)
        for code in ("UMCG", "MST2"):
            capacity.report_capacity(
                coordinator, code, capacity.Figures({"clinical": (100, 50)}, 5), "phone"
            )
        for key, ref in refs.items():
            if key == "received":
                continue
            case = case_service.get_case(coordinator, ref)
            triage.triage_case(coordinator, ref, triage.starting_values(case))
        offer_ids = {}
        for key in ("offered_umcg", "declined_umcg", "expired_umcg", "withdrawn_umcg",
                    "accepted_umcg"):  # fmt: skip
            offer_ids[key] = offers.make_offer(coordinator, refs[key], "UMCG").id
        offer_ids["accepted_mst2"] = offers.make_offer(
            coordinator, refs["accepted_mst2"], "MST2"
        ).id
        offers.accept_offer(umcg, offer_ids["accepted_umcg"], ACCEPT)
        offers.accept_offer(mst2, offer_ids["accepted_mst2"], ACCEPT)
        offers.decline_offer(umcg, offer_ids["declined_umcg"], "no_bed", "Full tonight")
        offers.withdraw_offer(coordinator, offer_ids["withdrawn_umcg"], "Patient deteriorated")
        expired = db.session.get(Offer, offer_ids["expired_umcg"])
        expired.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        offers.expire_overdue()
        flight = transport.create_flight(coordinator, transport.FlightInput(
            code="IDENT-1", operator="SAS", planned_departure=None,
            planned_arrival=utcnow() + timedelta(hours=5), stretcher_places=9, seated_places=9))  # fmt: skip
        for key in ("accepted_umcg", "accepted_mst2", "offered_umcg"):
            transport.put_on_flight(coordinator, refs[key], flight.id)
        proposal_id = placement.propose(coordinator, [refs["declined_umcg"]]).id
        names = {}
        for key, ref in refs.items():
            case = db.session.scalar(select(Case).where(Case.reference == ref))
            names[key] = {case.patient.family_name, case.patient.family_name_latin,
                          case.patient.family_name_latin.upper()}  # fmt: skip
        leg_ids = [leg.id for ref in refs.values()
                   for leg in transport.case_legs(case_service.get_case(coordinator, ref))]  # fmt: skip
        samples = {
            "reference": list(refs.values()),
            "offer_id": list(offer_ids.values()),
            "flight_id": [flight.id],
            "leg_id": leg_ids[:3],
            "proposal_id": [proposal_id],
            "record_id": list(db.session.scalars(select(ImportRecord.id))),
            "code": ["UMCG", "MST2"],
            "filename": ["evac.css"],
            "token": ["no-such-token"],
            "user_id": [users["viewer"].id],
            "token_id": [1],
            "plan_id": [1],
            "scenario_id": [1],
            "note_id": [1],
            "quota_id": [1],
        }
    tokens = {who: make.token(user) for who, user in users.items()}
    return names, samples, users, tokens


def get_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in rule.methods and rule.endpoint not in ("static", "auth.login"):
            yield rule


NONSENSE = "Qwxzvyq"


def urls(rule, samples, search_terms):
    """(url, search term or None) for every sample value, and for lists and exports the names
    themselves as search terms."""
    values = [samples[a] for a in sorted(rule.arguments)]
    for combo in itertools.product(*values):
        url = rule.build(dict(zip(sorted(rule.arguments), combo, strict=True)),
                         append_unknown=False)[1]  # fmt: skip
        yield url, None
        if not rule.arguments:
            yield url + "?sort=name&dir=asc", None
            yield url + "?status=placing&lang=uk,nl,en", None
            for term in [NONSENSE, *search_terms]:
                yield f"{url}?q={quote(term)}&external_ref={quote(term)}", term
        elif "pdf" in url:
            yield url + "?lang=uk,nl,en", None


def text_of(response) -> str:
    body = response.get_data()
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if response.mimetype == "application/json":
        # JSON escapes non-ASCII; read it back so that Cyrillic names are found as written.
        return json.dumps(response.get_json(), ensure_ascii=False)
    return body.decode("utf-8", "replace")


# For each user: the cases whose patient they may identify. Everything else is forbidden.
ALLOWED = {
    "viewer": set(),
    "umcg": {"accepted_umcg"},
    "mst2": {"accepted_mst2"},
    "nn_regional": {"accepted_umcg"},
    "partner": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_no_page_api_route_export_or_pdf_shows_a_forbidden_name(app, client, world, who):
    names, samples, users, tokens = world
    login(client, users[who])
    forbidden = {n for key, ns in names.items() if key not in ALLOWED[who] for n in ns}
    search_terms = [n for ns in names.values() for n in ns if not n.isupper()]
    case_of = {n: ref for key, ref in zip(NAMES, samples["reference"], strict=True)
               for n in names[key]}  # fmt: skip
    leaks, fetched, errors, baseline = [], 0, [], {}
    for rule in get_routes(app):
        for url, term in urls(rule, samples, search_terms):
            headers = {"Authorization": f"Bearer {tokens[who]}"} if url.startswith("/api/") else {}
            response = client.get(url, headers=headers)
            fetched += 1
            if response.status_code >= 500:
                errors.append(f"{url}: {response.status_code}")
                continue
            text = text_of(response)
            if term == NONSENSE:
                baseline[rule.rule] = text
            elif term is not None:
                # The search box repeats what was typed; that is no leak. What must not show is
                # the case the name belongs to, unless the list shows it whatever is searched.
                text = text.replace(term, "")
                ref = case_of[term]
                if term in forbidden and ref in text and ref not in baseline[rule.rule]:
                    leaks.append(f"{url}: finds {ref} by its patient's name")
            found = sorted(n for n in forbidden if n in text)
            if found:
                leaks.append(f"{url}: {found}")
    assert errors == []
    assert leaks == []
    assert fetched > 100  # the walk really went everywhere


def test_the_allowed_names_are_shown_so_the_walk_can_see_them(client, world):
    """The other side of the test above: where the policy allows a name, the pages do show it,
    so an empty result above is not a blind spot."""
    names, samples, users, tokens = world
    login(client, users["umcg"])
    board = client.get("/cases/").get_data(as_text=True)
    assert any(n in board for n in names["accepted_umcg"])
    ref = samples["reference"][list(NAMES).index("accepted_umcg")]
    api = client.get(f"/api/v1/cases/{ref}", headers={"Authorization": f"Bearer {tokens['umcg']}"})
    assert any(n in text_of(api) for n in names["accepted_umcg"])
    found = client.get("/cases/?q=" + quote(NAMES["accepted_umcg"])).get_data(as_text=True)
    assert ref in found
    # ... while the coordinator sees every name, on the board and on the flight.
    post_form(client, "/logout", page="/cases/")
    login(client, users["coordinator"])
    board = client.get("/cases/").get_data(as_text=True)
    assert all(NAMES[key] in board for key in NAMES)


def test_a_hospital_does_not_find_by_name_a_patient_it_has_not_accepted(client, world):
    names, samples, users, _tokens = world
    login(client, users["umcg"])
    ref = samples["reference"][list(NAMES).index("offered_umcg")]
    # By reference the pending offer is on the board (de-identified) ...
    assert ref in client.get("/cases/?q=" + ref).get_data(as_text=True)
    # ... by the patient's name it is not.
    assert ref not in client.get("/cases/?q=" + quote(NAMES["offered_umcg"])).get_data(as_text=True)


def test_a_declined_or_expired_case_is_gone_for_the_hospital(client, world):
    names, samples, users, _tokens = world
    login(client, users["umcg"])
    for key in ("declined_umcg", "expired_umcg", "withdrawn_umcg", "accepted_mst2"):
        ref = samples["reference"][list(NAMES).index(key)]
        assert client.get(f"/cases/{ref}").status_code == 404, key
        assert ref not in client.get("/cases/").get_data(as_text=True), key


def test_no_e_mail_names_a_patient(app, world):
    """Offers, acceptances, declines, withdrawals and expiries all sent mail above; none of it
    carries a patient's name, whoever it went to."""
    from evac.models import OutboxMessage

    names = {n for ns in world[0].values() for n in ns}
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert len(messages) >= 6
        for message in messages:
            text = message.subject + message.body
            assert not [n for n in names if n in text], message.subject
