"""No patient identity in logs: a database error that quotes a name leaves only its class and
SQLSTATE in the error log, and gunicorn's access log (with the README's configuration) leaves
out the query string where a board search carries the name."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from evac.extensions import db
from tests.conftest import request_data

NAME = "Ярмолюкевич"  # found nowhere else
LATIN = "Yarmoliukevych"


@pytest.fixture
def refusing_trigger(app):
    """A database that refuses new patients with a message naming them, as PostgreSQL's DETAIL
    and CONTEXT lines name values."""
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(
                "CREATE FUNCTION refuse_patient() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused patient %', NEW.family_name; END $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            conn.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON patient FOR EACH ROW "
                "EXECUTE FUNCTION refuse_patient()"
            ))  # fmt: skip
        else:
            conn.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON patient "
                "BEGIN SELECT RAISE(ABORT, 'refused patient'); END"
            ))  # fmt: skip
    yield
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse" + (
            " ON patient" if conn.dialect.name == "postgresql" else "")))  # fmt: skip
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION refuse_patient()"))


def test_a_database_error_naming_a_patient_leaves_no_name_in_the_log(
    app, client, make, refusing_trigger, caplog
):
    token = make.token(make.user("coordinator"))
    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 and a log line
    try:
        response = client.post(
            "/api/v1/requests",
            json=request_data(family_name=NAME, contact_name="Dr. Hnatiuk"),
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert NAME not in response.get_data(as_text=True)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    logged += caplog.text
    assert "SQLSTATE" in logged and "message withheld" in logged  # the error is still logged
    for secret in (NAME, LATIN, "Hnatiuk"):
        assert secret not in logged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_with_the_readme_configuration_logs_no_search_terms(app, make, tmp_path):
    requests = pytest.importorskip("requests")
    user = make.user("coordinator")
    make.case(family_name=NAME)
    port = _free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="gunicorn-test-key-" + "x" * 32,
        EVAC_BIND=f"127.0.0.1:{port}",
        EVAC_WORKERS="1",
        EVAC_ACCESS_LOG=str(access),
        EVAC_ERROR_LOG=str(errors),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:evac.gunicorn_conf", "evac:create_app()"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/login", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.1)
        session = requests.Session()
        form = session.get(base + "/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        session.post(base + "/login", data={"email": user.email, "password": user.password,
                                            "csrf_token": token})  # fmt: skip
        for term in (NAME, LATIN):
            found = session.get(base + "/cases/", params={"q": term})
            assert found.status_code == 200 and NAME in found.text  # the search worked
        session.get(
            base + "/cases/", params={"q": LATIN}, headers={"Referer": f"{base}/?q={LATIN}"}
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    logged = access.read_text() + errors.read_text()
    assert "GET /cases/ HTTP/1.1" in logged  # the requests are logged, their queries are not
    for secret in (NAME, LATIN, json.dumps(NAME)[1:-1], "%D0%AF"):
        assert secret not in logged


def test_a_failing_page_shows_our_error_page_in_the_users_language(app, client, make, monkeypatch):
    from evac.services import cases as case_service
    from tests.conftest import login

    login(client, make.user("coordinator"))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(case_service, "case_board", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        english = client.get("/cases/")
        dutch = client.get("/cases/", headers={"Accept-Language": "nl"})
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert english.status_code == 500 and "went wrong on our side" in english.get_data(as_text=True)
    assert "evac" in english.get_data(as_text=True)  # the app's own layout, not a bare page
    assert "Er ging aan onze kant iets mis" in dutch.get_data(as_text=True)
