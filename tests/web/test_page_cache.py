"""Pages keep what they drew until the data changes (evac.web.page_cache): a kept page is never
older than the last committed change on any host, never another user's or another session's,
and never in another language."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from evac import access, create_app
from evac.extensions import db
from evac.models import User
from evac.web import page_cache
from tests.conftest import csrf_token, login, request_data
from tests.web.test_query_counts import Statements


def _get(app, client, path, **kw):
    with app.app_context():
        engine = db.engine
    with Statements(engine) as s:
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


def test_a_change_redraws_the_pages_that_read_what_changed_and_no_others(app, client, make):
    from evac.services import capacity

    make.case()
    coordinator = make.user("coordinator")
    login(client, coordinator)
    for path in ("/cases/", "/capacity/"):
        _get(app, client, path)
    with app.app_context():
        user = db.session.get(User, coordinator.id)
        capacity.report_capacity(user, "UMCG", capacity.Figures({"ic": (40, 37)}), "phone")
    board, drawing = _get(app, client, "/cases/")
    assert drawing <= 3, "a capacity report changed nothing the board shows"
    page, drawing = _get(app, client, "/capacity/")
    assert drawing > 3 and "37" in page
    make.case(family_name="Ткаченко")
    board, drawing = _get(app, client, "/cases/")
    assert drawing > 3 and "Ткаченко" in board


def test_a_kept_part_of_a_drawing_passes_on_what_it_read(app, make):
    """A drawing that serves another one kept from an earlier request depends on what that one
    read: when it changes, both are drawn again."""
    from flask_login import login_user
    from sqlalchemy import func, select

    from evac.models import Case

    coordinator = make.user("coordinator")
    make.case()

    def cases() -> str:
        return str(db.session.scalar(select(func.count()).select_from(Case)))

    def inner() -> object:
        return page_cache.kept("inner", cases, whole_address=False)

    def outer() -> object:
        return page_cache.kept("outer", lambda: f"outer of {inner()}", whole_address=False)

    def request(draw):
        with app.test_request_context("/"):
            login_user(db.session.get(User, coordinator.id))
            value = draw()
            db.session.remove()
            return value

    request(inner)  # kept from an earlier request
    assert request(outer) == "outer of 1"
    make.case()
    assert request(outer) == "outer of 2"


@pytest.mark.parametrize(
    ("role", "place", "ours_at", "theirs_at"),
    [("hospital", "hospital", "UMCG", "AMC"), ("regional", "region", "NN", "SZN")],
)
def test_hospitals_and_regions_see_their_own_board_at_the_same_moment(
    app, make, role, place, ours_at, theirs_at
):
    """Region NN holds UMCG, region SZN holds AMC (the registry)."""
    ours, theirs = make.case(family_name="Мельник"), make.case(family_name="Бондаренко")
    make.place_at(ours, "UMCG")
    make.place_at(theirs, "AMC")
    clients = {}
    for at in (ours_at, theirs_at):
        clients[at] = app.test_client()
        login(clients[at], make.user(role, **{place: at}))
    # no change between the two: the same version of the data, the same page
    seen = {at: _get(app, client, "/cases/")[0] for at, client in clients.items()}
    assert ours in seen[ours_at] and theirs not in seen[ours_at]
    assert theirs in seen[theirs_at] and ours not in seen[theirs_at]


def test_two_coordinators_share_one_drawing_each_with_their_own_form_token(app, make):
    make.case()
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    first, second = app.test_client(), app.test_client()
    login(first, make.user("coordinator"))
    login(second, make.user("coordinator"))
    _, drawing = _get(app, first, "/cases/")
    html, shared = _get(app, second, "/cases/")
    assert shared <= 3 < drawing, (drawing, shared)  # who asks, the version, the regions
    board_form = re.search(r'id="board-form">\s*<input type="hidden" name="csrf_token" '
                           r'value="([^"]+)"', html).group(1)  # fmt: skip
    layout = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    assert serializer.loads(board_form) == serializer.loads(layout)
    assert "evac-form-token-" not in html


def test_a_search_is_kept_for_the_one_who_made_it(app, make):
    """Whether a colleague looked for a name must not show in how fast the board answers."""
    make.case(family_name="Коваль")
    first, second = app.test_client(), app.test_client()
    login(first, make.user("coordinator"))
    login(second, make.user("coordinator"))
    _get(app, first, "/cases/?q=kov")
    _, again = _get(app, first, "/cases/?q=kov")
    _, colleague = _get(app, second, "/cases/?q=kov")
    assert again <= 3 < colleague, (again, colleague)


def test_users_of_one_viewpoint_get_the_same_answers_from_the_policy(app, make):
    """What kept pages rest on: the policy looks at a user's role, hospital and region only."""
    from evac.models import Case, User

    waiting, at_umcg, at_amc = make.case(), make.case(), make.case()
    make.place_at(at_umcg, "UMCG")
    make.place_at(at_amc, "AMC")
    users = [make.user(role, **extra) for role, extra in (
        ("coordinator", {}), ("coordinator", {}), ("viewer", {}), ("viewer", {}),
        ("hospital", {"hospital": "UMCG"}), ("hospital", {"hospital": "UMCG"}),
        ("hospital", {"hospital": "AMC"}), ("regional", {"region": "NN"}),
        ("regional", {"region": "NN"}), ("regional", {"region": "SZN"}))]  # fmt: skip
    with app.app_context():
        cases = [db.session.scalar(db.select(Case).where(Case.reference == r))
                 for r in (waiting, at_umcg, at_amc)]  # fmt: skip
        answers: dict[tuple, set] = {}
        for u in users:
            user = db.session.get(User, u.id)
            seen = tuple((access.detail_for(user, c), access.sees_identity(user, c)) for c in cases)
            listed = tuple(db.session.scalars(access.visible_cases(user).with_only_columns(Case.id)
                                              .order_by(Case.id)))  # fmt: skip
            answers.setdefault(access.viewpoint(user), set()).add(
                (seen, listed, access.sees_free_text(user))
            )
    assert len(answers) == 6
    assert all(len(found) == 1 for found in answers.values()), answers


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


class _OnlyTheViewpoint:
    """The signed-in user as a kept drawing may know them: what evac.access.viewpoint names
    (and what follows from it), nothing that tells one colleague from another."""

    SEEN = frozenset({"role", "role_enum", "has_role", "is_coordinating", "hospital_id",
                      "hospital", "region_id", "region", "is_authenticated", "is_anonymous",
                      "is_active", "locale"})  # fmt: skip

    def __init__(self, user):
        object.__setattr__(self, "_user", user)

    def __getattr__(self, name):
        assert name in self.SEEN, f"a kept drawing read current_user.{name}"
        return getattr(object.__getattribute__(self, "_user"), name)


@pytest.mark.parametrize("role", ["coordinator", "admin", "viewer", "hospital", "regional",
                                  "partner"])  # fmt: skip
def test_kept_drawings_read_nothing_of_the_user_but_the_viewpoint(app, make, monkeypatch, role):
    """The guard behind sharing: every kept page, drawn for every role, with a current_user
    that refuses anything beyond role, hospital and region (a name, an id, a session...)."""
    from flask import g

    reference = make.case()
    make.place_at(reference, "UMCG")
    user = make.user(role)
    token = make.token(user)
    drawn_for_any_session = page_cache._drawn_for_any_session

    def strictly(compute):
        own = {name: g.get(name) for name in ("_login_user", "api_user")}
        for name, user in own.items():
            if user is not None:
                setattr(g, name, _OnlyTheViewpoint(user))
        try:
            return drawn_for_any_session(compute)
        finally:
            for name, user in own.items():
                if user is not None:
                    setattr(g, name, user)

    monkeypatch.setattr(page_cache, "_drawn_for_any_session", strictly)
    client = app.test_client()
    login(client, user)
    for path in ("/", "/cases/", f"/cases/{reference}", "/capacity/", "/capacity/regions/NN",
                 "/cases/?q=she"):  # fmt: skip
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 403), response.status_code


def test_what_a_page_read_before_its_drawing_is_part_of_it(app, client, make):
    """The region page looks its region up before it asks for the kept drawing; drawn while its
    history is held from an earlier drawing, the region's name is all it reads of the region."""
    from evac.models import Region

    login(client, make.user("coordinator"))
    _get(app, client, "/capacity/regions/NN")  # the history is held from here on
    dutch = app.test_client()
    login(dutch, make.user("coordinator"))
    dutch.post("/language", data={"locale": "nl", "csrf_token": csrf_token(dutch, "/")})
    _get(app, dutch, "/capacity/regions/NN")  # another drawing: the same history, in Dutch
    with app.app_context():
        region = db.session.scalar(db.select(Region).where(Region.code == "NN"))
        old_name, region.name = region.name, "Noord-Nederland (renamed)"
        db.session.commit()
    try:
        page, _ = _get(app, dutch, "/capacity/regions/NN")
        assert "Noord-Nederland (renamed)" in page
    finally:
        with app.app_context():
            db.session.scalar(db.select(Region).where(Region.code == "NN")).name = old_name
            db.session.commit()


def test_the_signed_in_user_is_kept_until_a_user_changes(app, client, make):
    from evac.services import signin, users

    me, admin = make.user("coordinator"), make.user("admin")
    with app.app_context():
        name = db.session.get(User, me.id).name
    login(client, me)
    _get(app, client, "/cases/")
    board, kept = _get(app, client, "/cases/")
    assert name in board and kept <= 1, kept  # the data's versions, not the user
    with app.app_context():  # an administrator renames her, on another host say
        actor = db.session.get(User, admin.id)
        users.update_user(actor, me.id, name="Anna Jansen", role="coordinator",
                          hospital_code=None, expires_on=None)  # fmt: skip
    board, _ = _get(app, client, "/cases/")
    assert "Anna Jansen" in board and name not in board
    with app.app_context():  # she signs out in her other browser: this session ends too
        signin.sign_out(db.session.get(User, me.id))
    response = client.get("/cases/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_header_is_kept_for_each_user_and_page(app, make):
    first, second = app.test_client(), app.test_client()
    anna, ben = make.user("coordinator"), make.user("coordinator")
    with app.app_context():
        names = {u.id: db.session.get(User, u.id).name for u in (anna, ben)}
    login(first, anna)
    login(second, ben)
    for client, me, other in ((first, anna, ben), (second, ben, anna), (first, anna, ben)):
        for path, current in (("/cases/", "Cases"), ("/capacity/", "Capacity")):
            html, _ = _get(app, client, path)
            header = html.split("</header>")[0]
            # who is signed in: this user, never the colleague the header was first drawn for
            assert names[me.id] in header and names[other.id] not in header, path
            # the page's own address to come back to after choosing a language, and its tab
            assert f'name="next" value="{path}' in header, path
            assert re.search(rf'aria-current="page">{current}', header), path
            assert "evac-form-token-" not in html


def test_an_api_token_kept_stops_working_when_revoked_or_at_its_end(app, client, make):
    import time
    from datetime import timedelta

    from sqlalchemy import select

    from evac.models import ApiToken
    from evac.models.types import utcnow
    from evac.services import users

    partner = make.user("coordinator")
    token = make.token(partner)
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):  # the first notes the token's use, which the second reads back
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
    _, kept = _get(app, client, "/api/v1/cases", headers=headers)
    assert kept <= 1, kept  # the versions only: neither the token nor its user read again
    with app.app_context():  # revoked, on another host say: refused at the next request
        users.revoke_api_token(db.session.scalar(select(ApiToken.id)))
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    # A token whose end comes while it is kept: refused from that moment, though nothing
    # was written that would have it read again.
    second = make.token(partner)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        stored.expires_at = ends = utcnow() + timedelta(seconds=1.5)
        db.session.commit()
    headers = {"Authorization": f"Bearer {second}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    time.sleep(max(0.0, (ends - utcnow()).total_seconds()) + 0.1)
    assert client.get("/api/v1/cases", headers=headers).status_code == 401


def test_an_account_locked_or_a_token_revoked_with_sql_is_refused_within_seconds(
    app, client, make, monkeypatch
):
    """During an incident a database administrator may lock accounts with SQL, outside evac,
    where no version moves: a kept user is read again within seconds all the same. With the
    README's statement in the same transaction, at once."""
    from sqlalchemy import text

    from evac.models.types import utcnow

    reference = make.case()
    at_once, within, holder = (make.user("coordinator") for _ in range(3))
    headers = {"Authorization": f"Bearer {make.token(holder)}"}
    browsers = {}
    for person in (at_once, within):
        browsers[person.id] = app.test_client()
        login(browsers[person.id], person)
        assert browsers[person.id].get(f"/cases/{reference}").status_code == 200  # now kept
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    lock = text('UPDATE "user" SET active = :off, session_version = session_version + 1 '
                "WHERE id = :id")  # fmt: skip
    with app.app_context(), db.engine.begin() as sql:  # psql, with the README's last statement
        sql.execute(lock, {"off": False, "id": at_once.id})
        sql.execute(text("INSERT INTO table_version (name, value) VALUES ('*', 1) ON CONFLICT "
                         "(name) DO UPDATE SET value = table_version.value + 1"))  # fmt: skip
    answer = browsers[at_once.id].get(f"/cases/{reference}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    # kept again, after the numbers moved
    assert browsers[within.id].get(f"/cases/{reference}").status_code == 200
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    with app.app_context(), db.engine.begin() as sql:  # psql, and nothing else
        sql.execute(lock, {"off": False, "id": within.id})
        sql.execute(text("UPDATE api_token SET revoked_at = :now"), {"now": utcnow()})
    later = page_cache.time.monotonic() + page_cache.USER_SECONDS + 0.1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    answer = browsers[within.id].get(f"/cases/{reference}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.get("/api/v1/cases", headers=headers).status_code == 401


def test_new_since_the_last_visit_is_asked_only_when_cases_changed(app, client, make):
    login(client, make.user("coordinator"))
    _get(app, client, "/")
    html, quiet = _get(app, client, "/")
    section = html.split('id="new-since"')[1].split("</section>")[0]
    assert "Nothing new." in section and quiet <= 1, quiet  # the versions, nothing else
    reference = make.case()
    html, _ = _get(app, client, "/")
    assert reference in html.split('id="new-since"')[1].split("</section>")[0]
    # the page refreshing itself keeps showing what came in since the coordinator last looked
    html, _ = _get(app, client, "/", headers={"X-Evac-Live": "1"})
    assert reference in html.split('id="new-since"')[1].split("</section>")[0]
    html, _ = _get(app, client, "/")  # looked: nothing new since
    assert "Nothing new." in html.split('id="new-since"')[1].split("</section>")[0]
