"""The README's first command serves the demo for real: run `make demo` on a free port, wait for
the sign-in page, sign in as the demo coordinator and see the board, then stop it.

It once printed its address and exited with nothing listening; this test is why it cannot again.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    env = dict(os.environ)
    # Its own database, so the developer's instance/ (or the suite's) is left alone.
    env["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "demo.sqlite")
    env.pop("EVAC_ENV", None)
    log = open(tmp_path / "demo.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make, flask and the server stop together
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, "make demo exited: " + _read(log)
            try:
                if requests.get(base + "/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            pytest.fail("nothing listened within 240 s: " + _read(log))
        yield base, log
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=10)
                break
            except ProcessLookupError:  # it had stopped already
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-3000:]


def test_make_demo_serves_the_demo_and_the_printed_login_works(demo_server):
    base, log = demo_server
    printed = _read(log)
    assert f"evac runs at {base}/" in printed
    match = re.search(r"coordinator\s+(coordinator@evac\.example)\s+(\S+)", printed)
    assert match, printed
    session = requests.Session()
    form = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = session.post(
        base + "/login",
        data={"email": match.group(1), "password": match.group(2), "csrf_token": token},
        timeout=30,
    )
    assert response.status_code == 200 and response.url.rstrip("/") == base
    board = session.get(base + "/cases/", headers={"Accept-Language": "en"}, timeout=30)
    assert board.status_code == 200
    # The demo's requests are there, with their references and Cyrillic names.
    assert len(re.findall(r"EV-\d{4}-\d{5}", board.text)) >= 20
    assert re.search(r"[А-ЯІЇЄҐ][а-яіїєґ']+, ", board.text)
