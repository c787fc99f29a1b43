"""Rows written in bulk (evac.bulk): on PostgreSQL by COPY, which must store exactly what an
INSERT through SQLAlchemy stores, and tell the kept pages that the tables changed."""

import json
import os

import pytest
from sqlalchemy import select, text

from evac import bulk, data_version
from evac.demo import demo_requests
from evac.extensions import db
from evac.models import AuditEvent, Case, ClinicalPicture, Companion, Patient, StatusChange
from evac.services import intake
from evac.terms import ImportChannel
from tests.conftest import _wipe

TABLES = (Case, Patient, ClinicalPicture, Companion, StatusChange, AuditEvent)
# What differs between two imports of the same file: ids, the references made of them, the
# import record's id, and the time of writing.
DIFFERS = {"id", "case_id", "reference", "object_ref", "import_record_id", "return_of_id",
           "received_at", "updated_at", "at"}  # fmt: skip


def _written() -> dict[str, list[tuple]]:
    """Every row of the tables an import writes, in the order written, column by column as
    PostgreSQL holds it: SQL NULL apart from JSON null, and the text of the value."""
    rows = {}
    for model in TABLES:
        table = model.__table__
        columns = [c.name for c in table.c if c.name not in DIFFERS]
        shown = ", ".join(f'"{c}" IS NULL, "{c}"::text' for c in columns)
        # the events of the import (not, say, the registry's loading when the tests began)
        only = "WHERE action LIKE 'case.%' OR action LIKE 'intake.%'" if model is AuditEvent else ""
        found = db.session.execute(
            text(f'SELECT {shown} FROM "{table.name}" {only} ORDER BY id')
        ).all()
        rows[table.name] = [_without_import_record(table.name, r) for r in found]
    return rows


def _without_import_record(table: str, row) -> tuple:
    if table != "audit_event":
        return tuple(row)
    # an event's data names the import record by id
    return tuple(
        json.dumps({k: v for k, v in json.loads(value).items() if k != "import_record"})
        if isinstance(value, str) and value.startswith("{")
        else value
        for value in row
    )


def _import(raw: bytes) -> None:
    intake.register_requests(None, ImportChannel.FILE, raw, filename="batch.json")
    db.session.remove()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="COPY is PostgreSQL's; elsewhere the rows go through SQLAlchemy's INSERT",
)
def test_copy_stores_what_an_insert_stores(app, monkeypatch):
    # The demo's requests: companions, vital signs, lists left out (unknown) and empty (none)
    raw = json.dumps({"requests": demo_requests(count=40, seed=7)}, ensure_ascii=False).encode()
    with app.test_request_context():
        _import(raw)
        copied = _written()
    _wipe(app)
    with app.test_request_context(), monkeypatch.context() as m:
        m.setattr(bulk, "_copy", lambda table, rows: db.session.execute(table.insert(), rows))
        _import(raw)
        inserted = _written()
    assert {t: len(r) for t, r in copied.items()} == {t: len(r) for t, r in inserted.items()}
    assert len(copied["companion"]) > 0 and len(copied["case"]) == 40
    for table in copied:
        assert copied[table] == inserted[table], table


def test_an_import_moves_the_versions_of_what_it_wrote(ctx):
    before = data_version.current()
    intake.register_requests(
        None, ImportChannel.FILE, json.dumps({"requests": demo_requests(count=3)}).encode(),
        filename="batch.json",
    )  # fmt: skip
    after = data_version.current()
    moved = {name for name, value in after.items() if value != before.get(name, 0)}
    # a kept case board (cases, patients) and case page (clinical picture, companions,
    # history) are drawn again; capacity pages stay kept
    assert {"case", "patient", "clinical_picture", "status_change", "audit_event"} <= moved
    assert "capacity_report" not in moved and "*" not in moved
    assert db.session.scalar(select(Case.id).limit(1)) is not None


def test_columns_left_out_get_their_defaults(ctx, make):
    reference = make.case()
    case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
    bulk.insert_rows(
        StatusChange.__table__,
        [{"case_id": case_id, "from_status": "received", "to_status": "triaged",
          "transition": "triage", "user_id": None}],
    )  # fmt: skip
    db.session.commit()
    change = db.session.scalars(
        select(StatusChange).where(StatusChange.to_status == "triaged")
    ).one()
    # the case's history shows when it happened, as for a change written one by one
    assert change.at is not None and change.at.tzinfo is not None
