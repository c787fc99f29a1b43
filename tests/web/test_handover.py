"""The handover log: a coordinator pins a note for the next shift; it shows on the overview and
in the situation report until someone resolves it."""

from tests.conftest import login, post_form


def test_a_note_is_pinned_shown_and_resolved(app, client, make):
    login(client, make.user("coordinator"))
    assert "No open notes" in client.get("/").get_data(as_text=True)
    bad = post_form(client, "/handover", {"text": "  "}, page="/", follow_redirects=True)
    assert "Write the note first" in bad.get_data(as_text=True)
    post_form(client, "/handover", {"text": "Flight NOR-1207 delayed to 16:30; call UMCG back"},
              page="/")  # fmt: skip
    html = client.get("/").get_data(as_text=True)
    assert "Flight NOR-1207 delayed" in html
    assert "Flight NOR-1207 delayed" in client.get("/situation/").get_data(as_text=True)
    viewer = app.test_client()
    login(viewer, make.user("viewer"))
    seen = viewer.get("/").get_data(as_text=True)
    assert "Flight NOR-1207 delayed" in seen and 'action="/handover"' not in seen
    import re

    resolve = re.search(r'action="(/handover/\d+/resolve)"', html).group(1)
    post_form(client, resolve, page="/")
    assert "Flight NOR-1207 delayed" not in client.get("/").get_data(as_text=True)


def test_the_cockpit_shows_flight_readiness_and_full_regions(app, client, make):
    from evac.models import User
    from evac.services import capacity, documents
    from tests.web.test_transport_pages import accepted_on_flight

    flight_id, refs = accepted_on_flight(app, make, n=2)
    with app.app_context():
        from evac.extensions import db

        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 38)}, 2), "phone")
    login(client, make.user("coordinator"))
    html = client.get("/").get_data(as_text=True)
    flights = html.split('id="flights-soon"')[1].split("</section>")[0]
    assert "0 documents current" in flights  # accepted and on the road, documents not rendered
    assert "NW" in html.split('id="full-regions"')[1].split("</section>")[0]
    with app.app_context():
        documents.prepare_flights()
    flights = (
        client.get("/").get_data(as_text=True).split('id="flights-soon"')[1].split("</section>")[0]
    )
    assert "ready" in flights


def test_a_region_shown_at_90_percent_is_among_the_regions_at_90_or_more(app, client, make):
    from evac.models import User
    from evac.services import capacity

    with app.app_context():
        from evac.extensions import db

        c = db.session.get(User, make.user("coordinator").id)
        # 112 of 125: 89.6 %, which every page shows as 90 %
        capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (125, 112)}, 2), "phone")
    login(client, make.user("coordinator"))
    full = client.get("/").get_data(as_text=True).split('id="full-regions"')[1]
    full = full.split("</section>")[0]
    assert "NW" in full and "90%" in full
