"""Load benchmark (not a test): a year of work on PostgreSQL, served by gunicorn, under load.

Builds a database of N cases (default 100,000) in the states a year of work leaves them in:
seed-demo and a few hundred requests imported through the CLI (and a 50-patient flight placed
through the services) give the real shape; bulk SQL clones those cases to N, with triage records,
offers, status history, audit events and companions, and adds capacity history for every
hospital (twice a day for 180 days); then VACUUM ANALYZE. Then it starts gunicorn (4 workers,
production settings, rate limits raised), signs in one browser per simulated user through the
form (each keeps its own session's cookies, as a browser does), creates an API token and
runs a closed-loop load (asyncio + aiohttp, one process, bounded by seconds and by request count)
at 1, 10 and 20 users against each page, beside a static file as the peer, and once more at 20
users while a coordinator's capacity report arrives every second (each a change, so the pages
evac keeps until the data changes are drawn again: the cost of a busy night). Last it times an
import of 10,000 requests through the CLI, a placement proposal for 200 cases and a 50-patient
flight bundle, each against its target. It only talks to 127.0.0.1.

    python bench/load.py [--cases 100000] [--seconds 10] [--max-requests 3000] [--keep-db]
    python bench/load.py --reuse-db [--keep-db]      # after a code change: skip the build
                                                      # (runs `flask db upgrade` on it first)

Needs PostgreSQL (--db, default postgresql://postgres@127.0.0.1/evac_load; the database is
dropped and made anew unless --reuse-db), httpx and aiohttp (pip install -e '.[bench]'). The database is
dropped at the end unless --keep-db. The 10,000 imported requests are deleted again after the
import is timed, so a rerun with --reuse-db measures the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COORDINATOR = "coordinator@evac.example"
SAMPLE_PREFIX = "LOAD-SAMPLE-"
FLIGHT_CODE = "LOAD-BUNDLE"

# Share of each state after a year (as in the review of 2026-11-30): cumulative bounds.
STATES = [
    ("closed", 0.659), ("arrived", 0.778), ("cancelled", 0.860), ("triaged", 0.911),
    ("received", 0.941), ("placing", 0.961), ("accepted", 0.976), ("offered", 0.986),
    ("scheduled", 0.996), ("in_transit", 1.0),
]  # fmt: skip
# The workflow path to each state (transition name, to state), after "register".
PATH = [
    ("triage", "triaged"), ("start_placing", "placing"), ("offer", "offered"),
    ("accept", "accepted"), ("schedule", "scheduled"), ("depart", "in_transit"),
    ("arrive", "arrived"), ("close", "closed"),
]  # fmt: skip
# p95 targets in ms (issue 15)
TARGETS = {"board": 100, "api": 100, "case": 80, "capacity": 150, "region": 150, "overview": 100}


# ---------------------------------------------------------------------------------------------
# Database


def psql_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def connect(url: str, autocommit: bool = False):
    import psycopg

    return psycopg.connect(psql_url(url), autocommit=autocommit)


def flask(url: str, *args: str, env: dict | None = None, quiet: bool = True) -> str:
    """Run a flask command of this checkout against the bench database."""
    full_env = {**os.environ, "DATABASE_URL": psql_url(url), "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("EVAC_ENV", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "evac", *args], cwd=ROOT,
                          env=full_env, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    if not quiet:
        print(done.stdout.strip())
    return done.stdout


def recreate(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def requests_file(path: Path, count: int, prefix: str, seed: int) -> Path:
    """Requests in the exchange format: the demo's generator, with their own references."""
    from evac.demo import demo_requests

    requests = demo_requests(count=count, seed=seed)
    for i, r in enumerate(requests):
        r["external_ref"] = f"{prefix}{i:06d}"
    path.write_text(json.dumps({"requests": requests}, ensure_ascii=False))
    return path


def app_for(url: str):
    from evac import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://" + url.split("://", 1)[1],
                       "EVAC_PASSWORD_HASH": "scrypt"})  # fmt: skip


def sample_flight(url: str, patients: int = 50) -> int:
    """A flight with `patients` accepted patients, through the services (triage, offer,
    acceptance, boarding), from the imported sample; returns how many made it on board."""
    from contextlib import suppress

    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import Case, User
    from evac.services import offers, transport, triage
    from evac.services.errors import Conflict

    app = app_for(url)
    with app.test_request_context():
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        flight = transport.create_flight(
            coordinator, transport.FlightInput(FLIGHT_CODE, "bench", None, None, 60, 120)
        )
        sample = db.session.scalars(
            select(Case).where(Case.external_ref.like(SAMPLE_PREFIX + "%")).order_by(Case.id)
        ).all()
        on_board = 0
        for case in sample:
            if on_board == patients:
                break
            triage.triage_case(coordinator, case.reference, triage.starting_values(case))
            case = db.session.get(Case, case.id)
            isolation = bool(case.triage and case.triage.isolation_required)
            room = next((c for c in offers.candidates(case)
                         if c.free >= 1 and (not isolation or c.isolation_free >= 1)), None)  # fmt: skip
            if room is None:
                continue
            offer = offers.make_offer(coordinator, case.reference, room.hospital.code)
            with suppress(Conflict):
                offers.accept_offer(coordinator, offer.id, offers.Acceptance(
                    "Trauma ward B3", "Dr. M. de Jong", "+31 88 755 5555"))  # fmt: skip
                transport.put_on_flight(coordinator, case.reference, flight.id)
                on_board += 1
        # the rest of the sample: most triaged, some left in the queue
        for i, case in enumerate(sample):
            case = db.session.get(Case, case.id)
            if case.status == "received" and i % 4:
                triage.triage_case(coordinator, case.reference, triage.starting_values(case))
        db.session.remove()
    return on_board


BULK_SQL = """
SELECT setseed(0.42);
SET session_replication_role = replica;  -- the rows below are consistent; no FK checks needed
CREATE TEMP TABLE tpl AS
  SELECT row_number() OVER (ORDER BY c.id) - 1 AS rn, c.id AS tid,
         coalesce(t.bed_category, c.requested_care) AS bed_category
  FROM "case" c LEFT JOIN triage_record t ON t.id = c.triage_id
  WHERE c.flight_id IS NULL AND c.source <> 'return';
CREATE TEMP TABLE hc AS
  SELECT category, hospital_id, row_number() OVER w - 1 AS rn, count(*) OVER w AS n
  FROM hospital_beds WHERE category <> 'isolation'
  WINDOW w AS (PARTITION BY category ORDER BY hospital_id);
CREATE TEMP TABLE m AS
  SELECT g, tid, bed_category, id, status, received_at,
         CASE WHEN status NOT IN ('received', 'cancelled') OR (status = 'cancelled' AND r2 < 0.4)
              THEN nextval('triage_record_id_seq') END AS triage_id,
         r2
  FROM (
    SELECT g, t.tid, t.bed_category, nextval('case_id_seq') AS id, r, random() AS r2,
           CASE {states} END AS status
    FROM (SELECT g, random() AS r FROM generate_series(1, {n}) g) s
    JOIN tpl t ON t.rn = s.g % (SELECT count(*) FROM tpl)
  ) x
  CROSS JOIN LATERAL (SELECT now() - CASE
      WHEN status = 'closed' THEN interval '1 day' * (30 + r2 * 335)
      WHEN status = 'cancelled' THEN interval '1 day' * (1 + r2 * 364)
      WHEN status = 'arrived' THEN interval '1 day' * (3 + r2 * 60)
      ELSE interval '1 hour' * (1 + r2 * 500) END AS received_at) a;
ALTER TABLE m ADD COLUMN hospital_id int;
UPDATE m SET hospital_id = hc.hospital_id FROM hc
  WHERE hc.category = m.bed_category AND hc.rn = (m.g * 31) % hc.n
    AND m.status IN ('accepted', 'scheduled', 'in_transit', 'arrived', 'closed', 'offered');
UPDATE m SET hospital_id = NULL, status = 'placing'
  WHERE hospital_id IS NULL AND status IN ('accepted', 'scheduled', 'in_transit', 'arrived',
                                           'closed', 'offered');
CREATE INDEX ON m (tid);
ANALYZE m;
SELECT id INTO TEMP coordinator FROM "user" WHERE email = '{coordinator}';

INSERT INTO "case" (id, reference, status, source, external_ref, request_hash, request,
  requested_at, received_at, sending_country, sending_facility, origin_hospital_id,
  requested_care, urgency, mobility, fit_to_fly, war_related, contact_name, contact_phone,
  contact_email, notes, import_record_id, cancel_reason, triage_id, hospital_id, flight_id,
  return_of_id, outcome, outcome_on, updated_at, destination_region_id, destination_country,
  destination_facility, include_own_region, region_queue_id, escalated_at, escalation_reason,
  quota_id, group_ref)
SELECT m.id, 'EV-' || extract(year FROM m.received_at)::int || '-' || lpad(m.id::text, greatest(5, length(m.id::text)), '0'),
  m.status, c.source, 'LOAD-' || m.id, c.request_hash, c.request,
  m.received_at - interval '2 hours', m.received_at, c.sending_country, c.sending_facility,
  c.origin_hospital_id, c.requested_care, c.urgency, c.mobility, c.fit_to_fly, c.war_related,
  c.contact_name, c.contact_phone, c.contact_email, c.notes, c.import_record_id,
  CASE WHEN m.status = 'cancelled' THEN 'Withdrawn by the sender' END,
  m.triage_id, m.hospital_id, NULL, NULL,
  CASE WHEN m.status = 'closed' THEN (ARRAY['discharged', 'transferred', 'returned',
    'discharged'])[1 + (m.g % 4)] END,
  CASE WHEN m.status = 'closed' THEN (m.received_at + interval '20 days')::date END,
  m.received_at + interval '1 day', NULL, NULL, NULL, false,
  CASE WHEN c.escalated_at IS NULL THEN c.region_queue_id END, NULL, NULL, NULL, NULL
FROM m JOIN "case" c ON c.id = m.tid;

INSERT INTO patient (case_id, family_name, given_name, family_name_latin, given_name_latin,
  date_of_birth, age_years, sex, languages, weight_kg, search_text)
SELECT m.id, p.family_name, p.given_name, p.family_name_latin, p.given_name_latin,
  p.date_of_birth, p.age_years, p.sex, p.languages, p.weight_kg, p.search_text
FROM m JOIN patient p ON p.case_id = m.tid;

INSERT INTO clinical_picture (case_id, diagnosis, icd10, ventilated, oxygen_l_min, mdro_status,
  isolation_required, allergies, medication)
SELECT m.id, p.diagnosis, p.icd10, p.ventilated, p.oxygen_l_min, p.mdro_status,
  p.isolation_required, p.allergies, p.medication
FROM m JOIN clinical_picture p ON p.case_id = m.tid;

INSERT INTO companion (case_id, name, relation, age_years, notes)
SELECT m.id, p.name, p.relation, p.age_years, p.notes
FROM m JOIN companion p ON p.case_id = m.tid;

INSERT INTO triage_record (id, case_id, at, user_id, bed_category, urgency, mobility, ventilated,
  oxygen_l_min, isolation_required, mdro_status, companions_count, companions_need_lodging,
  languages, interpreter_needed, fit_to_fly, clinical_notes, suggestions, changes)
SELECT m.triage_id, m.id, m.received_at + interval '3 hours', (SELECT id FROM coordinator),
  m.bed_category, c.urgency, c.mobility, coalesce(p.ventilated, false), p.oxygen_l_min,
  coalesce(p.isolation_required, false), p.mdro_status,
  (SELECT count(*) FROM companion x WHERE x.case_id = m.tid), false, pt.languages, true,
  c.fit_to_fly, NULL, '{{}}'::jsonb, '{{}}'::jsonb
FROM m JOIN "case" c ON c.id = m.tid JOIN clinical_picture p ON p.case_id = m.tid
  JOIN patient pt ON pt.case_id = m.tid
WHERE m.triage_id IS NOT NULL;

-- the accepted offer of every placed case, a pending one for offered cases, and declines
INSERT INTO offer (case_id, hospital_id, status, bed_category, isolation, created_at,
  created_by_id, deadline, responded_at, responded_by_id, ward, contact_name, contact_phone,
  decline_reason)
SELECT m.id, m.hospital_id, CASE WHEN m.status = 'offered' THEN 'pending' ELSE 'accepted' END,
  m.bed_category, false, m.received_at + interval '5 hours', (SELECT id FROM coordinator),
  CASE WHEN m.status = 'offered' THEN now() + interval '30 days'
       ELSE m.received_at + interval '6 hours' END,
  CASE WHEN m.status <> 'offered' THEN m.received_at + interval '5.5 hours' END,
  CASE WHEN m.status <> 'offered' THEN (SELECT id FROM coordinator) END,
  CASE WHEN m.status <> 'offered' THEN 'Ward B3' END,
  CASE WHEN m.status <> 'offered' THEN 'Dr. M. de Jong' END,
  CASE WHEN m.status <> 'offered' THEN '+31 88 755 5555' END, NULL
FROM m WHERE m.hospital_id IS NOT NULL
UNION ALL
SELECT m.id, hc.hospital_id, 'declined', m.bed_category, false,
  m.received_at + interval '4 hours', (SELECT id FROM coordinator),
  m.received_at + interval '5 hours', m.received_at + interval '4.5 hours', NULL, NULL, NULL,
  NULL, 'no_bed'
FROM m JOIN hc ON hc.category = m.bed_category AND hc.rn = (m.g * 17 + 5) % hc.n
WHERE (m.status = 'placing' AND m.r2 < 0.5) OR (m.hospital_id IS NOT NULL AND m.r2 < 0.12);

CREATE TEMP TABLE path (step int, transition text, from_status text, to_status text);
INSERT INTO path VALUES {path};
CREATE TEMP TABLE sc AS
  SELECT m.id AS case_id, p.step, p.from_status, p.to_status, p.transition,
         m.received_at + interval '3 hours' * p.step AS at
  FROM m JOIN path p ON p.step = 0
    OR (m.status = 'cancelled' AND m.triage_id IS NOT NULL AND p.step = 1)
    OR (m.status <> 'cancelled' AND p.step > 0 AND p.step <= (SELECT step FROM path
                                                                WHERE to_status = m.status))
  UNION ALL
  SELECT m.id, 1, CASE WHEN m.triage_id IS NULL THEN 'received' ELSE 'triaged' END,
         'cancelled', 'cancel', m.received_at + interval '1 day'
  FROM m WHERE m.status = 'cancelled';
INSERT INTO status_change (case_id, from_status, to_status, transition, at, user_id, reason)
SELECT case_id, from_status, to_status, transition, at,
  CASE WHEN step > 0 THEN (SELECT id FROM coordinator) END,
  CASE WHEN transition = 'cancel' THEN 'Withdrawn by the sender' END
FROM sc ORDER BY at;
INSERT INTO audit_event (at, user_id, actor, action, object_type, object_ref, case_id, data)
SELECT sc.at, CASE WHEN step > 0 THEN (SELECT id FROM coordinator) END,
  CASE WHEN step > 0 THEN 'Pieter Jansen <coordinator@evac.example>' ELSE 'system' END,
  CASE WHEN step = 0 THEN 'case.registered' ELSE 'case.' || transition END, 'case',
  'EV-' || sc.case_id, sc.case_id,
  CASE WHEN step = 0 THEN jsonb_build_object('external_ref', 'LOAD-' || sc.case_id)
       ELSE jsonb_build_object('from', from_status, 'to', to_status) END
FROM sc ORDER BY sc.at;

-- capacity history before the demo's 14 days: every hospital twice a day for 180 days
CREATE TEMP TABLE reports AS
  SELECT nextval('capacity_report_id_seq') AS id, h.id AS hospital_id,
    date_trunc('day', now()) - interval '1 day' * d + interval '12 hours' * k
      + interval '7 hours' AS reported_at,
    0.72 + 0.2 * random() AS level
  FROM hospital h, generate_series(15, 194) d, generate_series(0, 1) k;
INSERT INTO capacity_report (id, hospital_id, reported_at, user_id, channel, isolation_free)
SELECT id, hospital_id, reported_at, NULL, 'portal', (random() * 4)::int FROM reports;
INSERT INTO capacity_figure (report_id, category, capacity, occupied, surge)
SELECT r.id, b.category, b.capacity,
  least(b.capacity, round(b.capacity * (r.level + 0.1 * random() - 0.05))::int), 0
FROM reports r JOIN hospital_beds b ON b.hospital_id = r.hospital_id
WHERE b.category NOT IN ('isolation', 'airborne');  -- rooms are not beds: no history
SET session_replication_role = DEFAULT;
"""


def bulk_sql(n: int) -> str:
    states = " ".join(f"WHEN r < {bound} THEN '{name}'" for name, bound in STATES)
    rows = ["(0, 'register', NULL, 'received')"]
    previous = "received"
    for step, (transition, to) in enumerate(PATH, start=1):
        rows.append(f"({step}, '{transition}', '{previous}', '{to}')")
        previous = to
    return BULK_SQL.format(
        states=states + " ELSE 'in_transit'",
        path=", ".join(rows),
        n=int(n),
        coordinator=COORDINATOR,
    )


def build(url: str, cases: int, sample: int) -> dict:
    """The database of `cases` cases; returns the phases' times in seconds."""
    times = {}
    started = time.perf_counter()
    recreate(url)
    flask(url, "db", "upgrade")
    flask(url, "seed-demo")
    times["upgrade + seed-demo"] = time.perf_counter() - started
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = requests_file(Path(folder) / "sample.json", sample, SAMPLE_PREFIX, seed=23)
        flask(url, "import-requests", str(path))
    times[f"import-requests ({sample}, CLI)"] = time.perf_counter() - t
    t = time.perf_counter()
    boarded = sample_flight(url)
    times[f"sample workflow + flight of {boarded} (services)"] = time.perf_counter() - t
    with connect(url) as conn:
        existing = conn.execute('SELECT count(*) FROM "case"').fetchone()[0]
    t = time.perf_counter()
    with connect(url) as conn:
        conn.execute(bulk_sql(max(0, cases - existing)))
        conn.commit()
    times[f"bulk SQL ({max(0, cases - existing)} cases)"] = time.perf_counter() - t
    t = time.perf_counter()
    with connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    times["VACUUM ANALYZE"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - started
    return times


def shape(url: str) -> str:
    with connect(url) as conn:
        states = conn.execute('SELECT status, count(*) FROM "case" GROUP BY 1 ORDER BY 2 DESC')
        mix = ", ".join(f"{s} {n}" for s, n in states)
        counts = []
        for table in ("triage_record", "offer", "status_change", "audit_event", "companion",
                      "capacity_report", "capacity_figure"):  # fmt: skip
            counts.append(f"{table} {conn.execute(f'SELECT count(*) FROM {table}').fetchone()[0]}")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return f"cases: {mix}\n{', '.join(counts)}; database {size.fetchone()[0]}"


# ---------------------------------------------------------------------------------------------
# Serving


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": psql_url(url), "PYTHONPATH": str(ROOT),
           "EVAC_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "EVAC_BIND": f"127.0.0.1:{port}", "EVAC_WORKERS": "4",
           "EVAC_RATELIMIT_API": "1000000 per minute", "EVAC_RATELIMIT_LOGIN": "1000 per minute",
           "EVAC_REQUIRE_2FA": "0"}  # fmt: skip
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:evac.gunicorn_conf",
                "evac:create_app()"]  # fmt: skip
    return subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 90 s")


def cookies_of(response) -> dict[str, str]:
    """Set-Cookie by hand: the production cookies are Secure, and this is plain HTTP."""
    found = {}
    headers = response.headers  # httpx lists a repeated header with get_list, aiohttp with getall
    if hasattr(headers, "get_list"):
        values = headers.get_list("set-cookie")
    else:
        values = headers.getall("set-cookie", [])
    for header in values:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def sign_in(base: str, email: str, password: str) -> dict[str, str]:
    """A new sign-in session: its cookies."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        jar = cookies_of(page)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        if token is None:
            token = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
        header = "; ".join(f"{k}={v}" for k, v in jar.items())
        answer = client.post("/login", headers={"Cookie": header}, data={
            "csrf_token": token.group(1), "email": email, "password": password})  # fmt: skip
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.text[:500]}")
        jar.update(cookies_of(answer))
    return jar


@dataclass
class Browser:
    """One user's browser: its own sign-in session, whose cookies it keeps from answer to answer
    as a browser does (by hand: the production cookies are Secure, and this is plain HTTP), or
    a system with a bearer token."""

    jar: dict[str, str] | None = None
    bearer: str | None = None

    def headers(self) -> dict[str, str]:
        if self.bearer:
            return {"Authorization": f"Bearer {self.bearer}"}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}

    def keep(self, response) -> None:
        if self.jar is not None:
            self.jar.update(cookies_of(response))


@dataclass
class Cell:
    page: str
    users: int
    times: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    target: str | None = None
    wall: float = 0.0
    load: float = 0.0
    writes: float = 0.0  # capacity reports per second sent beside the load
    written: int = 0
    client_cpu: float = 0.0  # seconds of CPU the load client itself used in the cell

    def q(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    @property
    def rps(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0

    @property
    def client_ms(self) -> float:
        """The load client's CPU per request, in ms: what it took from the server's cores."""
        return self.client_cpu * 1000 / len(self.times) if self.times else 0.0

    @property
    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 200)


async def run_cell(base: str, path: str, browsers: list[Browser], users: int, seconds: float,
                   max_requests: int, cell: Cell, writer: Writer | None = None) -> None:  # fmt: skip
    """The closed loop. aiohttp, not httpx: on this machine the load client shares the server's
    two cores, and httpx's async client spent 5 ms of CPU per request (as much as a kept page
    costs the server) where aiohttp spends about 1 ms; the cell records the client's CPU."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=users + 1)
    timeout = aiohttp.ClientTimeout(total=120)
    # Cookies are kept by hand, per simulated browser (Browser.keep), never shared.
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as client:  # fmt: skip

        async def get(browser: Browser) -> int:
            async with client.get(path, headers=browser.headers(), allow_redirects=False) as answer:
                await answer.read()
                browser.keep(answer)
                return answer.status

        for browser in browsers[:users]:  # warm this worker's caches and the connection
            await get(browser)
        deadline = time.perf_counter() + seconds
        sent = 0

        async def user(browser: Browser) -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                started = time.perf_counter()
                try:
                    status = await get(browser)
                except aiohttp.ClientError:
                    status = 0
                cell.times.append(time.perf_counter() - started)
                cell.statuses[status] = cell.statuses.get(status, 0) + 1

        async def write() -> None:
            # A coordinator's changes while others read: each one is a new version of the
            # data, so every page kept before it is drawn again (evac.web.page_cache).
            while time.perf_counter() < deadline and sent < max_requests:
                async with client.put(writer.path, json=writer.body(cell.written),
                                      headers=writer.browser.headers()) as answer:  # fmt: skip
                    assert answer.status == 200, (await answer.text())[:300]
                cell.written += 1
                await asyncio.sleep(1 / cell.writes)

        started, cpu = time.perf_counter(), time.process_time()
        work = [user(browsers[i % len(browsers)]) for i in range(users)]
        if writer is not None and cell.writes:
            work.append(write())
        await asyncio.gather(*work)
        cell.wall = time.perf_counter() - started
        cell.client_cpu = time.process_time() - cpu
    cell.load = os.getloadavg()[0]


@dataclass
class Writer:
    path: str
    browser: Browser
    category: str
    capacity: int

    def body(self, n: int) -> dict:
        occupied = self.capacity // 2 + n % 2
        return {"categories": {self.category: {"capacity": self.capacity, "occupied": occupied}}}


def writer_for(url: str, browser: Browser) -> Writer:
    with connect(url) as conn:
        code, category, capacity = conn.execute(
            """SELECT h.code, b.category, b.capacity FROM hospital_beds b
               JOIN hospital h ON h.id = b.hospital_id
               WHERE b.category = 'clinical' AND b.capacity > 2 ORDER BY h.code LIMIT 1"""
        ).fetchone()
    return Writer(f"/api/v1/hospitals/{code}/capacity", browser, category, capacity)


def pages(url: str) -> list[tuple[str, str, str, str | None]]:
    """(name, path, auth, target key) of every page to load."""
    with connect(url) as conn:
        case = conn.execute("""SELECT reference FROM "case" WHERE status = 'placing'
                               AND external_ref LIKE 'LOAD-%' ORDER BY id LIMIT 1""").fetchone()
        region = conn.execute("SELECT code FROM region ORDER BY code LIMIT 1").fetchone()
    return [
        ("static /static/evac.css (peer)", "/static/evac.css", "cookie", None),
        ("overview /", "/", "cookie", "overview"),
        ("board /cases/", "/cases/", "cookie", "board"),
        ("board ?page=500", "/cases/?page=500", "cookie", "board"),
        ("board ?q=shev", "/cases/?q=shev", "cookie", "board"),
        ("board ?status=triaged", "/cases/?status=triaged", "cookie", "board"),
        ("API /api/v1/cases", "/api/v1/cases", "bearer", "api"),
        (f"case page /cases/{case[0]} (placing)", f"/cases/{case[0]}", "cookie", "case"),
        ("capacity /capacity/", "/capacity/", "cookie", "capacity"),
        (f"region /capacity/regions/{region[0]}", f"/capacity/regions/{region[0]}", "cookie",
         "region"),
    ]  # fmt: skip


def serve_and_load(url: str, args) -> list[Cell]:
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp()) / "gunicorn.log"
    process = None
    cells = []
    try:
        process = start_gunicorn(url, port, log)
        wait_until_up(base, process, log)
        from evac.demo import DEMO_PASSWORD

        users_list = [int(u) for u in args.users.split(",")]
        # Each simulated user is a coordinator in a browser of their own: their own sign-in
        # session, so what evac keeps for one is not what it hands another.
        token = flask(url, "create-api-token", COORDINATOR, "--label", "bench/load.py",
                      "--days", "1").strip().splitlines()[-1]  # fmt: skip
        auth = {
            "cookie": [Browser(jar=sign_in(base, COORDINATOR, DEMO_PASSWORD))
                       for _ in range(max(users_list))],
            "bearer": [Browser(bearer=token)],  # one partner system, many requests at once
        }  # fmt: skip
        writer = writer_for(url, auth["bearer"][0])
        for name, path, kind, target in pages(url):
            browser = auth[kind][0]
            first = httpx.get(base + path, headers=browser.headers(), timeout=120)
            if first.status_code != 200:
                print(f"! {name}: {first.status_code} {first.text[:200]!r}", flush=True)
            # every worker warm (templates, catalogues, connection) before the clock runs
            asyncio.run(run_cell(base, path, auth[kind], 4, 600, 8, Cell(name, 4)))
            for users in users_list:
                cell = Cell(name, users, target=target)
                asyncio.run(run_cell(base, path, auth[kind], users, args.seconds,
                                     args.max_requests, cell))  # fmt: skip
                cells.append(cell)
                print(f"  {name} @{users}: p95 {cell.q(0.95):.0f} ms, {cell.rps:.1f} rps, "
                      f"n {len(cell.times)}, errors {cell.errors}, load {cell.load:.1f}",
                      flush=True)  # fmt: skip
            if args.writes_per_second > 0:
                users = max(users_list)
                cell = Cell(name, users, target=target, writes=args.writes_per_second)
                asyncio.run(run_cell(base, path, auth[kind], users, args.seconds,
                                     args.max_requests, cell, writer))  # fmt: skip
                cells.append(cell)
                print(f"  {name} @{users} + {cell.written} writes: p95 {cell.q(0.95):.0f} ms, "
                      f"{cell.rps:.1f} rps, errors {cell.errors}", flush=True)  # fmt: skip
    finally:
        stop(process)
    return cells


def table(cells: list[Cell]) -> str:
    static = {c.users: c for c in cells if c.target is None and not c.writes}
    lines = ["| page | users | p50 ms | p95 ms | p99 ms | rps | n | errors | p95 / static p95 "
             "| target p95 | verdict | load avg | client CPU ms/request |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for c in cells:
        peer = static.get(c.users)
        ratio = f"{c.q(0.95) / peer.q(0.95):.1f}x" if peer and c.target else "-"
        users = f"{c.users} + {c.writes:g} write/s" if c.writes else str(c.users)
        target = TARGETS.get(c.target)
        verdict = "-" if target is None else ("ok" if c.q(0.95) <= target else "MISS")
        lines.append(
            f"| {c.page} | {users} | {c.q(0.5):.0f} | {c.q(0.95):.0f} | {c.q(0.99):.0f} | "
            f"{c.rps:.1f} | {len(c.times)} | {c.errors or '-'} | {ratio} | "
            f"{target if target else '-'} | {verdict} | {c.load:.1f} | {c.client_ms:.1f} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Timed operations


def delete_cases_of_import(url: str, record_id: int) -> int:
    """Remove what an import made (cases, their rows, the record and its audit events), so that
    a rerun measures the same database. The audit table refuses deletes; the superuser's
    replica role skips that trigger here, in a bench database only."""
    with connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        ids = [r[0] for r in conn.execute('SELECT id FROM "case" WHERE import_record_id = %s',
                                          (record_id,))]  # fmt: skip
        tables = conn.execute("""SELECT conrelid::regclass::text FROM pg_constraint
                                 WHERE confrelid = '"case"'::regclass AND contype = 'f'
                                 AND conrelid <> '"case"'::regclass""").fetchall()  # fmt: skip
        for (name,) in tables:
            conn.execute(f"DELETE FROM {name} WHERE case_id = ANY(%s)", (ids,))
        conn.execute('DELETE FROM "case" WHERE id = ANY(%s)', (ids,))
        conn.execute("""DELETE FROM audit_event WHERE object_type = 'importrecord'
                        AND object_ref = %s""", (str(record_id),))  # fmt: skip
        conn.execute("DELETE FROM import_record WHERE id = %s", (record_id,))
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
    with connect(url, autocommit=True) as conn:  # autovacuum may be off: leave no dead rows
        conn.execute("VACUUM ANALYZE")
    return len(ids)


def time_import(url: str, n: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = requests_file(Path(folder) / "import.json", n, f"LOAD-IMPORT-{int(time.time())}-",
                             seed=31)  # fmt: skip
        started = time.perf_counter()
        out = flask(url, "import-requests", str(path), env={"EVAC_MAX_BATCH": str(n)})
        took = time.perf_counter() - started
    with connect(url) as conn:
        record = conn.execute("SELECT max(id) FROM import_record").fetchone()[0]
    removed = delete_cases_of_import(url, record)
    return took, f"{out.strip()}; {removed} removed again"


def time_placement(url: str, n: int) -> tuple[float, str]:
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import Case, User
    from evac.services import placement

    app = app_for(url)
    with app.test_request_context():
        actor = db.session.scalar(select(User).where(User.email == COORDINATOR))
        references = db.session.scalars(
            select(Case.reference).where(Case.status == "triaged", Case.region_queue_id.is_(None),
                                         Case.group_ref.is_(None), Case.flight_id.is_(None))
            .order_by(Case.received_at.desc()).limit(n)
        ).all()  # fmt: skip
        started = time.perf_counter()
        proposal = placement.propose(actor, list(references))
        took = time.perf_counter() - started
        note = f"{len(references)} cases, solver {proposal.result.get('status', '?')}"
        db.session.remove()
    return took, note


def time_bundle(url: str) -> tuple[float, str]:
    from sqlalchemy import select

    from evac.extensions import db
    from evac.models import Flight, User
    from evac.services import documents

    with connect(url) as conn:  # cold: no document of the flight's patients is current
        conn.execute("""DELETE FROM document WHERE flight_id = (SELECT id FROM flight
                        WHERE code = %s) OR case_id IN (SELECT id FROM "case" WHERE flight_id =
                        (SELECT id FROM flight WHERE code = %s))""", (FLIGHT_CODE, FLIGHT_CODE))  # fmt: skip
        patients = conn.execute("""SELECT count(*) FROM "case" WHERE flight_id =
                                   (SELECT id FROM flight WHERE code = %s)""",
                                (FLIGHT_CODE,)).fetchone()[0]  # fmt: skip
        conn.commit()
    app = app_for(url)
    with app.test_request_context():
        actor = db.session.scalar(select(User).where(User.email == COORDINATOR))
        flight = db.session.scalar(select(Flight).where(Flight.code == FLIGHT_CODE))
        started = time.perf_counter()
        doc = documents.flight_bundle(actor, flight.id)
        took = time.perf_counter() - started
        size = len(doc.pdf)
        db.session.remove()
    return took, f"{patients} patients, cold, {size / 1024:.0f} KiB"


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1/evac_load")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="requests imported via the CLI")
    parser.add_argument("--users", default="1,10,20")
    parser.add_argument("--seconds", type=float, default=10, help="per page and user count")
    parser.add_argument("--max-requests", type=int, default=3000, help="per page and user count")
    parser.add_argument("--writes-per-second", type=float, default=1.0,
                        help="capacity reports sent beside the largest user count, in a cell of "
                        "its own per page (0: none)")  # fmt: skip
    parser.add_argument("--import-size", type=int, default=10_000)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a rerun")
    parser.add_argument("--reuse-db", action="store_true", help="skip the build")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-timings", action="store_true")
    args = parser.parse_args()
    # Ctrl-C and kill run the finally blocks (stop gunicorn), even when started in the background
    # by a shell that set SIGINT to be ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    print(f"evac at {commit or '?'}; python {sys.version.split()[0]}", flush=True)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)  # fmt: skip
    try:
        if not args.reuse_db:
            times = build(args.db, args.cases, args.sample)
            print("build: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
        else:  # the code may bring migrations (an index, say): apply them, then fresh statistics
            started = time.perf_counter()
            flask(args.db, "db", "upgrade")
            with connect(args.db, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            print(
                f"reused {args.db}: db upgrade + VACUUM ANALYZE {time.perf_counter() - started:.1f} s"
            )
        print(shape(args.db), flush=True)
        cells = [] if args.skip_load else serve_and_load(args.db, args)
        timed = []
        if not args.skip_timings:
            for name, target, fn in (
                (f"import of {args.import_size} requests (CLI, one transaction)", 10.0,
                 lambda: time_import(args.db, args.import_size)),
                ("placement proposal, 200 cases (services/placement.propose)", 0.6,
                 lambda: time_placement(args.db, 200)),
                ("50-patient flight bundle (services/documents.flight_bundle)", 10.0,
                 lambda: time_bundle(args.db)),
            ):  # fmt: skip
                took, note = fn()
                timed.append((name, took, target, note))
                print(f"  {name}: {took:.2f} s ({note})", flush=True)
        print()
        if cells:
            print(f"pages: gunicorn 4 sync workers, {args.seconds:.0f} s or {args.max_requests} "
                  "requests per cell, closed loop, one client process on the same machine")  # fmt: skip
            print(table(cells))
        if timed:
            print()
            print("| operation | seconds | target | verdict | note |")
            print("|---|---|---|---|---|")
            for name, took, target, note in timed:
                verdict = "ok" if took <= target else "MISS"
                print(f"| {name} | {took:.2f} | <= {target:g} | {verdict} | {note} |")
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if not args.keep_db:
            drop(args.db)
            print(f"dropped {args.db.rsplit('/', 1)[1]} (--keep-db keeps it)")


if __name__ == "__main__":
    main()
