"""Transport on the pages and through the API: flights, the arrival board, arrival, return."""

from datetime import timedelta

from evac.extensions import db
from evac.models import User
from evac.models.types import utcnow
from evac.services import capacity, cases, offers, transport, triage
from tests.conftest import login, post_form

ACCEPT = offers.Acceptance(ward="B3", contact_name="Dr. Mulder", contact_phone="+31 30 000")


def accepted_on_flight(app, make, n=1, code="UMCU"):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, code, capacity.Figures({"clinical": (100, 80)}, 10), "phone")
        arrival = utcnow() + timedelta(hours=2)
        flight = transport.create_flight(c, transport.FlightInput(code="NOR-1", operator="SAS",
                 planned_departure=arrival - timedelta(hours=4), planned_arrival=arrival,
                 stretcher_places=18, seated_places=39))  # fmt: skip
        refs = []
        for _ in range(n):
            ref = make.case()
            triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
            offers.accept_offer(c, offers.make_offer(c, ref, code).id, ACCEPT)
            transport.put_on_flight(c, ref, flight.id)
            transport.confirm_fitness(c, ref, transport.FitnessInput(physician="Dr. Kovalenko"))
            refs.append(ref)
        return flight.id, refs


def test_plan_a_flight(as_user):
    client = as_user("coordinator")
    form = {"code": "nor-1125", "operator": "SAS", "departure_place": "Rzeszów", "arrival_airport": "GRQ",
            "planned_departure": "2026-11-26T09:00", "planned_arrival": "2026-11-26T13:30",
            "stretcher_places": "18", "seated_places": "39"}  # fmt: skip
    response = post_form(client, "/flights/new", form, page="/flights/new")
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert (
        "NOR-1125" in html
        and "Groningen Airport Eelde" in html
        and "0 of 18 stretcher places" in html
    )
    again = post_form(client, "/flights/new", form, page="/flights/new")
    assert again.status_code == 422 and "exists already" in again.get_data(as_text=True)


def test_the_arrival_board_is_worked_to_the_end(app, as_user, make):
    flight_id, (ref,) = accepted_on_flight(app, make)
    client = as_user("coordinator")
    board = f"/flights/{flight_id}"
    assert "Waiting" in client.get(board).get_data(as_text=True)
    post_form(client, f"{board}/status", {"status": "departed"}, page=board)
    post_form(client, f"{board}/status", {"status": "landed"}, page=board)
    with app.app_context():
        leg = transport.case_legs(cases.get_case(db.session.get(User, client.user.id), ref))[1]
    post_form(client, f"/legs/{leg.id}", {"event": "departed", "carrier": "AZN 07-114"}, page=board)
    html = client.get(board).get_data(as_text=True)
    assert "On the way" in html and "AZN 07-114" in html
    post_form(client, f"/legs/{leg.id}", {"event": "arrived"}, page=board)
    html = client.get(board).get_data(as_text=True)
    assert 'class="arrival-arrived"' in html and "status-arrived" in html


def test_a_hospital_confirms_arrival_from_its_portal(app, client, make):
    _flight_id, (ref,) = accepted_on_flight(app, make)
    login(client, make.user("hospital", "UMCU"))
    portal = client.get("/hospital/").get_data(as_text=True)
    assert "Confirm arrival" in portal
    # The ward sees when to expect the patient: the planned end of the drive from the airport.
    with app.app_context():
        from flask_babel import format_datetime
        from sqlalchemy import select

        from evac.models import Case

        case = db.session.scalar(select(Case).where(Case.reference == ref))
        eta = transport.case_legs(case)[-1].planned_arrival
        with app.test_request_context():
            shown = format_datetime(eta, "short")
    assert eta is not None and shown in portal
    response = post_form(client, f"/cases/{ref}/arrival", {}, page="/hospital/")
    assert response.status_code == 302
    assert "status-arrived" in client.get(f"/cases/{ref}").get_data(as_text=True)


def test_a_full_flight_says_so(app, as_user, make):
    flight_id, _refs = accepted_on_flight(app, make)
    with app.app_context():
        from evac.models import Flight

        db.session.get(Flight, flight_id).stretcher_places = 1
        db.session.commit()
    ref = make.case(mobility="stretcher")
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
    client = as_user("coordinator")
    response = post_form(client, f"/flights/{flight_id}/cases", {"reference": ref}, page=f"/flights/{flight_id}",
                         follow_redirects=True)  # fmt: skip
    assert "has no place left" in response.get_data(as_text=True)


def test_putting_no_patient_on_a_flight_says_what_to_do(app, as_user, make):
    flight_id, _refs = accepted_on_flight(app, make)
    client = as_user("coordinator")
    response = post_form(client, f"/flights/{flight_id}/cases", {}, page=f"/flights/{flight_id}",
                         follow_redirects=True)  # fmt: skip
    assert "Tick the patients to put on the flight first." in response.get_data(as_text=True)


def test_close_and_plan_a_return_from_the_case_page(app, as_user, make):
    _flight_id, (ref,) = accepted_on_flight(app, make)
    client = as_user("coordinator")
    post_form(client, f"/cases/{ref}/arrival", {}, page=f"/cases/{ref}")
    post_form(client, f"/cases/{ref}/close", {"outcome": "discharged"}, page=f"/cases/{ref}")
    response = post_form(client, f"/cases/{ref}/return", {"destination": "abroad", "country": "UA",
                         "facility": "Lviv", "urgency": "routine"}, page=f"/cases/{ref}")  # fmt: skip
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Return transfer" in html and ref in html and "Lviv" in html


def test_api_arrival(app, client, make):
    _flight_id, (ref,) = accepted_on_flight(app, make)
    other = make.token(make.user("hospital", "UMCG"))
    headers = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    assert (
        client.post(f"/api/v1/cases/{ref}/arrival", json={}, headers=headers(other)).status_code
        == 404
    )
    token = make.token(make.user("hospital", "UMCU"))
    bad = client.post(
        f"/api/v1/cases/{ref}/arrival", json={"at": "yesterday"}, headers=headers(token)
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/cases/{ref}/arrival", json={"at": utcnow().isoformat()}, headers=headers(token)
    )
    assert ok.status_code == 200 and ok.json["status"] == "arrived"
    again = client.post(f"/api/v1/cases/{ref}/arrival", json={}, headers=headers(token))
    assert again.status_code == 409


def test_a_flight_cancelled_by_mistake_is_planned_again_from_its_page(app, as_user, make):
    flight_id, (ref,) = accepted_on_flight(app, make)
    with app.app_context():
        from evac.models import Flight

        f = db.session.get(Flight, flight_id)
        f.planned_departure, f.planned_arrival = (
            f.planned_arrival,
            f.planned_arrival + timedelta(hours=4),
        )
        db.session.commit()
    client = as_user("coordinator")
    page = f"/flights/{flight_id}"
    post_form(client, f"{page}/status", {"status": "cancelled", "reason": "Clicked the wrong flight"},
              page=page)  # fmt: skip
    html = client.get(page).get_data(as_text=True)
    assert "Plan this flight again" in html and "Cancel the flight" not in html
    response = post_form(client, f"{page}/reinstate", {}, page=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Back on board: {ref}." in html and "Plan this flight again" not in html
    assert "Cancel the flight" in html


def test_fitness_to_fly_is_confirmed_from_the_case_page_and_shown_on_the_flight(app, as_user, make):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "UMCU", capacity.Figures({"clinical": (100, 80)}, 10), "phone")
        departure = utcnow() + timedelta(minutes=30)
        flight_id = transport.create_flight(c, transport.FlightInput(code="FIT-2", operator="SAS",
                    planned_departure=departure, planned_arrival=departure + timedelta(hours=3),
                    stretcher_places=4, seated_places=4)).id  # fmt: skip
        ref = make.case()
        triage.triage_case(c, ref, triage.starting_values(cases.get_case(c, ref)))
        offers.accept_offer(c, offers.make_offer(c, ref, "UMCU").id, ACCEPT)
        transport.put_on_flight(c, ref, flight_id)
    client = as_user("coordinator")
    board = f"/flights/{flight_id}"
    assert "fitness to fly not confirmed" in client.get(board).get_data(as_text=True)
    refused = post_form(client, f"{board}/status", {"status": "departed"}, page=board,
                        follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert f"No physician has confirmed that {ref} may fly" in refused

    page = f"/cases/{ref}"
    assert "Not confirmed yet" in client.get(page).get_data(as_text=True)
    blank = post_form(
        client, f"{page}/fitness", {"physician": ""}, page=page, follow_redirects=True
    )
    assert "Name the physician who confirms." in blank.get_data(as_text=True)
    html = post_form(client, f"{page}/fitness", {"physician": "Dr. I. Kovalenko",
                     "equipment": "Transport ventilator", "attendants": "IC nurse"}, page=page,
                     follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Confirmed by Dr. I. Kovalenko" in html and "Transport ventilator" in html
    assert "Physician who confirms" not in html  # the form is gone once confirmed
    html = client.get(board).get_data(as_text=True)
    assert "fitness to fly not confirmed" not in html and "fit to fly" in html
    post_form(client, f"{board}/status", {"status": "departed"}, page=board)
    with app.app_context():
        from evac.models import Flight

        assert db.session.get(Flight, flight_id).status == "departed"
