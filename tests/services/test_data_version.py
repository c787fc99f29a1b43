"""The data's version (evac.data_version): every committed change moves it on, inside the
changing transaction as its last statement; reading, rolling back and a savepoint do not."""

import pytest
from sqlalchemy import event, text

from evac import data_version
from evac.extensions import db
from evac.models import User
from evac.services import capacity
from tests.conftest import login


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ('INSERT INTO "case" (reference) VALUES (?)', True),
        ("  update hospital_beds SET occupied = 3", True),
        ('DELETE FROM "offer" WHERE id = 1', True),
        ("UPDATE login_throttle SET failures = 2", True),  # known and unknown addresses alike
        ("INSERT OR REPLACE INTO hospital_beds (id) VALUES (1)", True),
        ("/* a comment */ DELETE FROM offer", True),
        ('TRUNCATE data_version, "case"', True),
        ("REFRESH MATERIALIZED VIEW occupancy", True),
        ("-- why\nSELECT 1", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("UPDATE data_version SET value = value + 1 WHERE id = 1", False),
        ('SELECT * FROM "case" FOR UPDATE SKIP LOCKED', False),
        ("WITH hit AS (SELECT id FROM patient) SELECT count(*) FROM hit", False),
        ("WITH gone AS (DELETE FROM offer RETURNING id) SELECT count(*) FROM gone", True),
        ("CREATE INDEX ix_x ON patient (search_text)", True),
        ("SELECT pg_try_advisory_lock(1)", False),
    ],
)
def test_a_statement_is_a_change_when_it_writes_what_a_page_may_show(statement, writes):
    assert data_version.writes(statement) is writes


def _version(app) -> int:
    with app.app_context():
        return data_version.current()


def _report(app, user_id: int, occupied: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        figures = capacity.Figures({"clinical": (100, occupied)}, 3)
        capacity.report_capacity(user, "UMCG", figures, "phone")


def test_each_committed_change_moves_the_version_on_by_one(app, make):
    user = make.user("coordinator")
    before = _version(app)
    _report(app, user.id, 60)
    assert _version(app) == before + 1
    make.case()
    assert _version(app) == before + 2


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
            seen = other.execute(text("SELECT value FROM data_version")).scalar_one()
        db.session.commit()
    assert seen == before
    assert _version(app) == before + 1


def test_a_write_before_a_savepoint_still_moves_the_version(app, make):
    user = make.user("coordinator")
    before = _version(app)
    with app.app_context():
        db.session.get(User, user.id).name = "Written before the savepoint"
        db.session.flush()
        with db.session.begin_nested():
            db.session.execute(text("SELECT 1"))
        db.session.commit()
    assert _version(app) == before + 1


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
    assert sent[last - 1].startswith("UPDATE data_version"), sent[last - 3 : last + 1]
    assert sum(s.startswith("UPDATE data_version") for s in sent[:last]) == 1


def test_reading_pages_and_the_api_leaves_the_version(app, client, make):
    user = make.user("coordinator")
    token = make.token(user)
    reference = make.case()
    login(client, user)
    before = _version(app)
    for path in ("/", "/cases/", f"/cases/{reference}", "/capacity/", "/capacity/regions/NN",
                 "/triage/", "/situation/"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert _version(app) == before
