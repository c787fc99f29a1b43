"""The data's versions (evac.data_version): every committed change moves on the versions of the
tables it wrote, inside the changing transaction as its last statement; reading, rolling back
and a savepoint do not."""

import pytest
from sqlalchemy import event, text

from evac import data_version
from evac.extensions import db
from evac.models import User
from evac.services import capacity
from tests.conftest import csrf_token, login


@pytest.mark.parametrize(
    ("statement", "tables"),
    [
        ('INSERT INTO "case" (reference) VALUES (?)', {"case"}),
        ("  update hospital_beds SET occupied = 3", {"hospital_beds"}),
        ('DELETE FROM "offer" WHERE id = 1', {"offer"}),
        # a sign-in attempt changes everything, for known and unknown addresses alike
        ("UPDATE login_throttle SET failures = 2", {"*"}),
        ("INSERT OR REPLACE INTO hospital_beds (id) VALUES (1)", {"hospital_beds"}),
        ("/* a comment */ DELETE FROM offer", {"offer"}),
        ('UPDATE "case" SET hospital_id = (SELECT id FROM hospital LIMIT 1)', {"case", "hospital"}),
        ('TRUNCATE table_version, "case"', {"*"}),
        ("REFRESH MATERIALIZED VIEW occupancy", {"*"}),
        ("UPDATE some_table_evac_does_not_know SET x = 1", {"*"}),
        ("-- why\nSELECT 1", set()),
        ("SAVEPOINT sa_savepoint_1", set()),
        ("UPDATE data_version SET value = value + 1 WHERE id = 1", set()),  # previous release
        (
            "INSERT INTO table_version (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE "
            "SET value = table_version.value + 1",
            set(),
        ),  # fmt: skip
        ('SELECT * FROM "case" FOR UPDATE SKIP LOCKED', set()),
        ("WITH hit AS (SELECT id FROM patient) SELECT count(*) FROM hit", set()),
        ("WITH gone AS (DELETE FROM offer RETURNING id) SELECT count(*) FROM gone", {"offer"}),
        ("CREATE INDEX ix_x ON patient (search_text)", {"*"}),
        ("SELECT pg_try_advisory_lock(1)", set()),
    ],
)
def test_a_statement_changes_the_tables_it_writes(ctx, statement, tables):
    assert data_version.written(statement) == tables


def test_a_read_names_every_table_it_reads(ctx):
    statement = (
        'SELECT "case".id FROM "case" JOIN patient ON patient.case_id = "case".id '
        'WHERE "case".hospital_id IN (SELECT hospital.id FROM hospital, region)'
    )
    assert data_version.tables_in(statement) == {"case", "patient", "hospital", "region"}


def _version(app) -> dict[str, int]:
    with app.app_context():
        return data_version.current()


def _moved(before: dict, after: dict) -> set[str]:
    return {name for name, value in after.items() if value != before.get(name, 0)}


def _report(app, user_id: int, occupied: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        figures = capacity.Figures({"clinical": (100, occupied)}, 3)
        capacity.report_capacity(user, "UMCG", figures, "phone")


def test_each_committed_change_moves_on_the_versions_of_the_tables_it_wrote(app, make):
    user = make.user("coordinator")
    before = _version(app)
    _report(app, user.id, 60)
    after_report = _version(app)
    assert _moved(before, after_report) == {
        "capacity_report", "capacity_figure", "hospital_beds", "audit_event"}  # fmt: skip
    assert all(after_report[t] == before.get(t, 0) + 1 for t in _moved(before, after_report))
    make.case()
    moved = _moved(after_report, _version(app))
    assert "case" in moved and "patient" in moved
    assert not moved & {"capacity_report", "capacity_figure", "hospital_beds"}


def test_a_rolled_back_change_and_a_read_leave_the_version(app, make):
    user = make.user("coordinator")
    before = _version(app)
    with app.app_context():
        db.session.get(User, user.id).name = "Renamed, then rolled back"
        db.session.flush()
        db.session.rollback()
        db.session.scalars(db.select(User)).all()
        db.session.commit()  # a commit with nothing written
    assert _version(app) == before


def test_a_savepoint_does_not_move_the_version_before_its_transaction_commits(app, make):
    user = make.user("coordinator")
    before = _version(app)
    with app.app_context():
        with db.session.begin_nested():
            db.session.get(User, user.id).name = "In a savepoint"
        # released, not committed: another connection must still read the old number
        with db.engine.connect() as other:
            seen = dict(other.execute(text("SELECT name, value FROM table_version")).all())
        db.session.commit()
    assert seen == before
    assert _moved(before, _version(app)) == {"user"}


def test_a_write_before_a_savepoint_still_moves_the_version(app, make):
    user = make.user("coordinator")
    before = _version(app)
    with app.app_context():
        db.session.get(User, user.id).name = "Written before the savepoint"
        db.session.flush()
        with db.session.begin_nested():
            db.session.execute(text("SELECT 1"))
        db.session.commit()
    assert _moved(before, _version(app)) == {"user"}


def test_the_version_moves_as_the_last_statement_before_the_commit(app, make):
    """The order that makes kept pages safe: a reader who sees the new number sees the change."""
    user = make.user("coordinator")
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def note(conn, cursor, statement, *args):
        sent.append(statement)

    def commit(conn):
        sent.append("COMMIT")

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", commit)
    try:
        _report(app, user.id, 70)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", commit)
    assert any(s.startswith("INSERT INTO capacity_report") for s in sent), sent
    last = sent.index("COMMIT")
    assert sent[last - 1].startswith("INSERT INTO table_version"), sent[last - 3 : last + 1]
    assert sum(s.startswith("INSERT INTO table_version") for s in sent[:last]) == 1


def test_reading_pages_and_the_api_leaves_the_version(app, client, make):
    user = make.user("coordinator")
    token = make.token(user)
    reference = make.case()
    login(client, user)
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/cases", headers=headers)  # notes the token's use, once in 15 minutes
    before = _version(app)
    for path in ("/", "/cases/", f"/cases/{reference}", "/capacity/", "/capacity/regions/NN",
                 "/triage/", "/situation/"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200
    assert _version(app) == before


def test_failed_sign_ins_for_known_and_unknown_addresses_move_the_same_versions(app, client, make):
    """Which pages are drawn again (and which rows a sign-in waits on) must not tell whether an
    address has an account."""
    user = make.user("coordinator")
    moved = []
    for email in (user.email, "nobody@test.example"):
        before = _version(app)
        token = csrf_token(client, "/login")
        answer = client.post("/login", data={"email": email, "password": "not the password",
                                             "csrf_token": token})  # fmt: skip
        assert "wrong password" in answer.get_data(as_text=True)
        after = _version(app)
        moved.append({name: after[name] - before.get(name, 0) for name in _moved(before, after)})
    assert moved[0] == moved[1] == {"*": 2}  # the attempt, then its outcome


def test_processes_of_the_previous_release_go_on_writing_during_an_upgrade(app):
    """Until every process runs this release, the old ones move the one-row version of
    migration 0014 with each commit: the upgrade must leave it in place."""
    with app.app_context(), db.engine.connect() as conn:
        moved = conn.execute(text("UPDATE data_version SET value = value + 1 WHERE id = 1"))
        assert moved.rowcount == 1
        conn.rollback()
