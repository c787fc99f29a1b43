"""Test fixtures: one app and one database for the whole run, emptied after every test.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL names one
(CI runs the suite on both). Its schema comes from the Alembic migrations, as in production.
CSRF protection stays on: tests post the token a real browser would.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from evac import create_app, data_version
from evac.extensions import db

# Kept between tests: the registry every test may use.
KEPT_TABLES = {"alembic_version", "region", "hospital", "data_version", "table_version"}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "evac-test.sqlite")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    _recreate_postgres_database(url)
    return url


def _recreate_postgres_database(url: str) -> None:
    """A fresh, empty database for this run, so the migrations are tested from nothing."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "EVAC_BASE_URL": "http://localhost",
            "EVAC_LOGIN_MAX_FAILURES": 5,
            "EVAC_PASSWORD_HASH": "pbkdf2:sha256:1000",
            # The suite signs in hundreds of times from one address; the rate-limit tests
            # lower these for themselves.
            "EVAC_RATELIMIT_LOGIN": "100000 per minute",
            "EVAC_RATELIMIT_API": "100000 per minute",
            # Tests read English; Dutch and Ukrainian pages are tested by asking for them.
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from evac.services import registry

        upgrade(directory=app.extensions["migrate"].directory)
        registry.load_registry()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _wipe(app) -> None:
    """Delete every row but the registry's. The audit trail refuses deletes, so its guard is
    lifted for the cleanup: session_replication_role on PostgreSQL, the triggers on SQLite."""
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEPT_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    conn.execute(table.delete())
            else:
                triggers = conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                ).all()
                for name, _sql in triggers:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for table in tables:
                    conn.execute(table.delete())
                for _name, sql in triggers:
                    conn.execute(text(sql))
            data_version.move_on(conn)  # outside a Session: what pages kept is stale now
        db.session.remove()


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    yield
    _wipe(app)
    from evac.extensions import limiter
    from evac.services import capacity, outlook

    # The history caches are keyed on the reports' count and highest id, which SQLite hands
    # out again once the rows are wiped; in use, reports are never deleted.
    capacity.forget_history()
    outlook._drawn.cache_clear()

    with app.app_context():
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An app context, for tests that call services directly."""
    with app.test_request_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------------------------------------
# Builders: exactly the users and cases a test needs, made through the services.


@dataclass(frozen=True)
class TestUser:
    id: int
    email: str
    password: str
    role: str
    hospital: str | None = None


PASSWORD = "correct-horse-battery"


def request_data(**overrides) -> dict:
    """A valid evacuation request in the exchange format; override what the test is about."""
    data = {
        "external_ref": "UCPM-MEDEVAC-2026-00001",
        "source": "eu_medevac",
        "requested_at": "2026-11-20T08:00:00+00:00",
        "sending_country": "UA",
        "sending_facility": "Lviv Regional Clinical Hospital",
        "family_name": "Шевченко",
        "given_name": "Олена",
        "date_of_birth": "1984-03-12",
        "sex": "female",
        "languages": ["uk"],
        "diagnosis": "Open femur fracture after shelling",
        "icd10": ["S72.3"],
        "requested_care": "clinical",
        "urgency": "urgent",
        "mobility": "stretcher",
        "mdro_status": "unknown",
        "allergies": "Penicillin",
    }
    data.update(overrides)
    return data


class Make:
    """Builders (`make.user(...)`, `make.case(...)`) returning plain values, not ORM objects, so
    a test never holds on to a row from another session."""

    def __init__(self, app):
        self.app = app
        self._n = 0

    def user(self, role: str = "coordinator", hospital: str | None = None, **kw) -> TestUser:
        from evac.services import users

        if role == "hospital" and hospital is None:
            hospital = "UMCG"
        region = kw.pop("region", "NN" if role == "regional" else None)
        self._n += 1
        email = kw.pop("email", f"{role}{self._n}@test.example")
        with self.app.app_context():
            user, _ = users.create_user(
                email,
                role,
                password=PASSWORD,
                hospital_code=hospital,
                region_code=region,
                name=f"{role} {self._n}",
            )
            return TestUser(user.id, user.email, PASSWORD, role, hospital)

    def token(self, user: TestUser) -> str:
        from evac.services import users

        with self.app.app_context():
            return users.create_api_token(user.email, "test")

    def case(self, **fields) -> str:
        """Register one request through intake; returns the case reference."""
        import json

        from evac.services import intake
        from evac.terms import ImportChannel

        self._n += 1
        fields.setdefault("external_ref", f"UCPM-MEDEVAC-2026-{self._n:05d}")
        payload = json.dumps(request_data(**fields)).encode()
        with self.app.app_context():
            result = intake.register_requests(
                None, ImportChannel.FILE, payload, filename="test.json"
            )
            return result.created[0].reference

    def place_at(self, reference: str, hospital_code: str) -> None:
        """Give a case a receiving hospital directly (setup for visibility tests)."""
        from sqlalchemy import select

        from evac.models import Case, Hospital

        with self.app.app_context():
            case = db.session.scalar(select(Case).where(Case.reference == reference))
            case.hospital = db.session.scalar(
                select(Hospital).where(Hospital.code == hospital_code)
            )
            db.session.commit()


@pytest.fixture
def make(app):
    return Make(app)


CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token a browser would find in the page's forms."""
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def login(client, user: TestUser) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": user.password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def as_user(client, make):
    """A client signed in as a new user of the given role: `as_user("coordinator")`."""

    def sign_in(role: str = "coordinator", hospital: str | None = None):
        user = make.user(role, hospital)
        login(client, user)
        client.user = user
        return client

    return sign_in


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kw):
    """POST a form the way the browser does: with the CSRF token of the page it is on."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or "/login")
    return client.post(url, data=data, **kw)


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------------
# A real server for the browser tests.


@pytest.fixture(scope="session")
def live_server(app):
    from werkzeug.serving import make_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("EVAC_CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
