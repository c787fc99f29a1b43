"""Pages keep what they drew until the data changes (evac.web.page_cache): a kept page is never
older than the last committed change on any host, never another user's or another session's,
and never in another language."""

import re

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event

from evac import create_app
from evac.extensions import db
from evac.web import page_cache
from tests.conftest import login, request_data


class Statements:
    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.n = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.n += 1


def _get(app, client, path, **kw):
    with Statements(app) as s:
        response = client.get(path, **kw)
    assert response.status_code == 200, path
    return response.get_data(as_text=True), s.n


def test_a_page_seen_again_is_not_drawn_again(app, client, make):
    make.case()
    login(client, make.user("coordinator"))
    for path in ("/cases/", "/capacity/", "/capacity/regions/NN", "/"):
        first, drawing = _get(app, client, path)
        again, kept = _get(app, client, path)
        # who asks, the data's version, and for a region page the regions it may name
        assert kept <= 3 < drawing, (path, drawing, kept)
        # the same page, but for what is drawn per request (the session clock's second)
        strip = re.compile(r'data-ends="[^"]*"|until \d\d:\d\d|content="[^"]*"|value="[^"]*"')
        assert strip.sub("", again) == strip.sub("", first), path


def test_a_change_on_another_host_shows_at_once(app, client, make):
    make.case(family_name="Коваль")
    login(client, make.user("coordinator"))
    board, _ = _get(app, client, "/cases/")
    assert "Коваленко" not in board
    # Another host: its own process, its own kept pages, the same database.
    other = create_app({key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "EVAC_PASSWORD_HASH",
        "BABEL_DEFAULT_LOCALE")})  # fmt: skip
    try:
        import json

        from evac.services import intake
        from evac.terms import ImportChannel

        body = json.dumps(request_data(external_ref="OTHER-HOST-1", family_name="Коваленко"))
        with other.app_context():
            intake.register_requests(None, ImportChannel.FILE, body.encode(), filename="x.json")
    finally:
        with other.app_context():
            db.engine.dispose()
    board, _ = _get(app, client, "/cases/")
    assert "Коваленко" in board


def test_each_hospital_sees_its_own_board_at_the_same_moment(app, make):
    ours, theirs = make.case(family_name="Мельник"), make.case(family_name="Бондаренко")
    make.place_at(ours, "UMCG")
    make.place_at(theirs, "AMC")
    clients = {}
    for hospital in ("UMCG", "AMC"):
        clients[hospital] = app.test_client()
        login(clients[hospital], make.user("hospital", hospital))
    # no change between the two: the same version of the data, the same minute, the same page
    seen = {hospital: _get(app, client, "/cases/")[0] for hospital, client in clients.items()}
    assert ours in seen["UMCG"] and theirs not in seen["UMCG"]
    assert theirs in seen["AMC"] and ours not in seen["AMC"]


def test_a_kept_page_carries_the_forms_token_of_the_session_it_is_shown_in(app, make):
    """Two sign-ins of one coordinator (a desk and a laptop): each board's forms must work."""
    make.case()
    user = make.user("coordinator")
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    desk, laptop = app.test_client(), app.test_client()
    login(desk, user)
    login(laptop, user)
    for client in (desk, laptop):  # no change between the two
        html, _ = _get(app, client, "/cases/")
        layout = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        board_form = re.search(r'id="board-form">\s*<input type="hidden" name="csrf_token" '
                               r'value="([^"]+)"', html).group(1)  # fmt: skip
        assert serializer.loads(board_form) == serializer.loads(layout)


def test_the_language_is_part_of_what_is_kept(app, client, make):
    make.case()
    login(client, make.user("coordinator"))
    english, _ = _get(app, client, "/cases/")
    assert "No case matches" in english or "Propose hospitals for the selected cases" in english
    dutch, _ = _get(app, client, "/cases/", headers={"Accept-Language": "nl"})
    # the user has not chosen, so the browser's language decides, and the drawing follows it
    assert "Propose hospitals for the selected cases" not in dutch
    assert "Ziekenhuizen voorstellen voor de gekozen casussen" in dutch


def test_what_is_drawn_relative_to_now_is_at_most_a_minute_old(app, client, make, monkeypatch):
    make.case()
    login(client, make.user("coordinator"))
    _, drawing = _get(app, client, "/")
    _, kept = _get(app, client, "/")
    later = page_cache.time.monotonic() + page_cache.SECONDS
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    _, redrawn = _get(app, client, "/")
    assert kept < redrawn, (drawing, kept, redrawn)


def test_the_api_keeps_its_answer_per_token_holder(app, client, make):
    ours = make.case(family_name="Мельник")
    make.place_at(ours, "UMCG")
    tokens = {hospital: make.token(make.user("hospital", hospital)) for hospital in ("UMCG", "AMC")}
    answers = {}
    for hospital, token in tokens.items():
        response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        answers[hospital] = {c["reference"] for c in response.get_json()["cases"]}
    assert answers == {"UMCG": {ours}, "AMC": set()}
