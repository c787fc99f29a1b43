"""Signing in and out, throttling, the language switch and the headers every page carries."""

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


def test_after_sign_in_only_local_next_urls_are_followed(client, make):
    user = make.user("coordinator")
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": user.password, "csrf_token": token},
    )
    assert response.location == "/"


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
