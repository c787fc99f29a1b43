"""Signing in and out, throttling, the language switch and the headers every page carries."""

import re

import pytest

from tests.conftest import csrf_token, login, post_form


def test_sign_in_and_out(client, make):
    user = make.user("coordinator")
    assert client.get("/").status_code == 302
    login(client, user)
    assert "Open cases" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    response = post_form(client, "/logout", page="/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/cases/").status_code == 302


def test_a_wrong_password_is_refused_and_repeated_failures_lock(client, make):
    user = make.user("coordinator")
    for _ in range(5):
        response = post_form(client, "/login", {"email": user.email, "password": "nope"})
        assert response.status_code == 401
    response = post_form(client, "/login", {"email": user.email, "password": user.password})
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(as_text=True)


NEXT_PAYLOADS = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "http:/evil.example",
]


@pytest.mark.parametrize("target", NEXT_PAYLOADS)
def test_after_sign_in_only_local_next_urls_are_followed(client, make, target):
    user = make.user("coordinator")
    token = csrf_token(client)
    response = client.post(
        "/login?next=" + target,
        data={"email": user.email, "password": user.password, "csrf_token": token},
    )
    assert response.status_code == 302 and response.location == "/"


def test_a_nul_in_the_next_url_is_refused_plainly(client, make):
    user = make.user("coordinator")
    token = csrf_token(client)
    response = client.post(
        "/login?next=/%00/evil",
        data={"email": user.email, "password": user.password, "csrf_token": token},
    )
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def test_a_local_next_url_is_followed(client, make):
    user = make.user("coordinator")
    token = csrf_token(client)
    response = client.post(
        "/login?next=/cases/%3Fstatus%3Dtriaged",
        data={"email": user.email, "password": user.password, "csrf_token": token},
    )
    assert response.location == "/cases/?status=triaged"


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/cases/")


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client, make):
    user = make.user("coordinator")
    login(client, user)
    stolen = _session_cookie(client)
    assert _replay(app, stolen).status_code == 200
    post_form(client, "/logout", page="/")
    response = _replay(app, stolen)
    assert response.status_code == 302 and "/login" in response.location


def test_a_new_password_or_a_deactivation_ends_every_session(app, client, make):
    user = make.user("coordinator")
    login(client, user)
    elsewhere = app.test_client()
    login(elsewhere, user)
    response = post_form(client, "/account/password", {"current": user.password,
                         "password": "harbour lantern cedar", "repeat": "harbour lantern cedar"},
                         page="/account")  # fmt: skip
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200  # this session goes on
    assert elsewhere.get("/cases/").status_code == 302  # the other one ended
    admin_client = app.test_client()
    login(admin_client, make.user("admin"))
    post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "0"}, page="/account")
    assert client.get("/cases/").status_code == 302


def test_a_session_ends_after_the_idle_time_and_the_absolute_lifetime(app, client, make):
    user = make.user("coordinator")
    login(client, user)
    html = client.get("/").get_data(as_text=True)
    assert "Signed in until" in html and 'data-ends="' in html
    with client.session_transaction() as s:
        s["seen_at"] -= 31 * 60
    response = client.get("/cases/")
    assert response.status_code == 302 and "/login" in response.location
    assert "next=/cases/" in response.location
    login(client, user)
    with client.session_transaction() as s:
        s["signed_in_at"] -= 12 * 3600 + 1
    assert client.get("/cases/").status_code == 302


def test_asking_how_long_is_left_does_not_keep_the_session_going(client, make):
    login(client, make.user("viewer"))
    with client.session_transaction() as s:
        s["seen_at"] -= 600
        seen = s["seen_at"]
    status = client.get("/session").get_json()
    with client.session_transaction() as s:
        assert s["seen_at"] == seen
    assert status["ends_at"] == seen + 30 * 60
    token = csrf_token(client, "/account")
    kept = client.post("/session", headers={"X-CSRFToken": token}).get_json()
    assert kept["ends_at"] > status["ends_at"]


def _totp_user(client, make):
    import pyotp

    user = make.user("coordinator")
    login(client, user)
    html = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    secret = secret.replace(" ", "")
    totp = pyotp.TOTP(secret)
    response = post_form(client, "/account/two-factor", {"code": totp.now()},
                         page="/account/two-factor")  # fmt: skip
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>",
                       response.get_data(as_text=True))  # fmt: skip
    assert response.status_code == 200 and len(codes) == 10
    post_form(client, "/logout", page="/")
    return user, totp, codes


def test_two_factor_sign_in_with_a_code_and_with_a_recovery_code(app, client, make):
    user, totp, codes = _totp_user(client, make)
    response = post_form(client, "/login", {"email": user.email, "password": user.password})
    assert response.location == "/login/code"
    assert client.get("/cases/").status_code == 302  # not signed in yet
    wrong = post_form(client, "/login/code", {"code": "000000"}, page="/login/code")
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    with app.app_context():
        from evac.extensions import db
        from evac.models import User

        db.session.get(User, user.id).totp_last_step = None  # the enrolment used this step
        db.session.commit()
    response = post_form(client, "/login/code", {"code": totp.now()}, page="/login/code")
    assert response.status_code == 302 and client.get("/cases/").status_code == 200
    post_form(client, "/logout", page="/")
    post_form(client, "/login", {"email": user.email, "password": user.password})
    response = post_form(client, "/login/code", {"code": codes[0]}, page="/login/code")
    assert response.status_code == 302
    assert "9 are left" in client.get("/").get_data(as_text=True)
    post_form(client, "/logout", page="/")
    post_form(client, "/login", {"email": user.email, "password": user.password})
    again = post_form(client, "/login/code", {"code": codes[0]}, page="/login/code")
    assert again.status_code == 401


def test_a_role_that_requires_two_factor_sets_it_up_first(app, client, make):
    app.config["EVAC_REQUIRE_2FA"] = True
    try:
        user = make.user("coordinator")
        token = csrf_token(client)
        response = client.post("/login", data={"email": user.email, "password": user.password,
                                                "csrf_token": token})  # fmt: skip
        assert response.location == "/account/two-factor"
        blocked = client.get("/cases/")
        assert blocked.status_code == 302 and blocked.location == "/account/two-factor"
        assert client.get("/account/two-factor").status_code == 200
    finally:
        app.config["EVAC_REQUIRE_2FA"] = False


def test_an_invitation_sets_the_password_with_the_policy_explained(app, client, make):
    from evac.extensions import db
    from evac.models import User
    from evac.services import users

    with app.app_context():
        admin = db.session.get(User, make.user("admin").id)
        link = users.invite_user(admin, "nieuw@umcg.example", "viewer").link
    path = link.split("localhost", 1)[1]
    weak = post_form(client, path, {"password": "password1234", "repeat": "password1234"},
                     page=path)  # fmt: skip
    assert weak.status_code == 422 and "commonly used" in weak.get_data(as_text=True)
    ok = post_form(client, path, {"password": "harbour lantern cedar",
                   "repeat": "harbour lantern cedar"}, page=path)  # fmt: skip
    assert ok.status_code == 302
    assert client.get(path).status_code == 404  # used once


def test_sign_in_is_rate_limited_per_client_address_with_retry_after(app, client, make):
    app.config["EVAC_RATELIMIT_LOGIN"] = "3 per minute"
    try:
        token = csrf_token(client)
        codes = [client.post("/login", data={"email": f"x{i}@y.example", "password": "x",
                                              "csrf_token": token}).status_code
                 for i in range(4)]  # fmt: skip
        assert codes == [401, 401, 401, 429]
        limited = client.post("/login", data={"email": "a@b.example", "password": "x",
                                               "csrf_token": token})  # fmt: skip
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "Too many requests" in limited.get_data(as_text=True)
    finally:
        app.config["EVAC_RATELIMIT_LOGIN"] = "100000 per minute"


def test_the_api_is_rate_limited_with_retry_after(app, client, make):
    app.config["EVAC_RATELIMIT_API"] = "2 per minute"
    try:
        token = make.token(make.user("viewer"))
        headers = {"Authorization": f"Bearer {token}"}
        codes = [client.get("/api/v1/capacity", headers=headers).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = client.get("/api/v1/capacity", headers=headers)
        assert int(limited.headers["Retry-After"]) > 0 and limited.get_json()["errors"]
    finally:
        app.config["EVAC_RATELIMIT_API"] = "100000 per minute"


def test_production_sends_hsts(tmp_path):
    from evac import create_app

    prod = create_app({"EVAC_ENV": "production", "SECRET_KEY": "x" * 40,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite"})  # fmt: skip
    response = prod.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_language_choice_is_remembered_for_the_user(app, client, make):
    user = make.user("coordinator")
    login(client, user)
    response = post_form(client, "/language", {"locale": "uk", "next": "/cases/"}, page="/")
    assert response.location == "/cases/"
    html = client.get("/cases/").get_data(as_text=True)
    assert 'lang="uk"' in html and "Справи" in html
    # A new session of the same user starts in Ukrainian too.
    other = app.test_client()
    login(other, user)
    assert 'lang="uk"' in other.get("/cases/").get_data(as_text=True)


def test_the_browser_language_is_used_before_a_choice(client):
    html = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="nl"' in html and "Inloggen" in html


def test_pages_carry_security_headers_and_are_not_cached(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
