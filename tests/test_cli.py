"""The flask commands: users, tokens, importing files, the demo data."""

import json

from sqlalchemy import func, select

from evac.demo import DEMO_USERS
from evac.extensions import db
from evac.models import Case, User
from tests.conftest import request_data


def test_create_user_and_token(runner, app):
    result = runner.invoke(args=["create-user", "ops@lcps.example", "--role", "coordinator",
                                 "--password", "a-long-password"])  # fmt: skip
    assert result.exit_code == 0 and "ops@lcps.example" in result.output
    result = runner.invoke(args=["create-api-token", "ops@lcps.example", "--label", "bridge"])
    token = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0 and token.startswith("evac_")
    assert (
        app.test_client()
        .get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )


def test_create_user_refuses_bad_input(runner):
    result = runner.invoke(args=["create-user", "h@x.example", "--role", "hospital"])
    assert result.exit_code == 1 and "hospital" in result.output
    result = runner.invoke(args=["create-api-token", "nobody@x.example"])
    assert result.exit_code == 1


def test_import_requests_valid_repeated_and_invalid(runner, tmp_path, app):
    good = tmp_path / "flight.json"
    good.write_text(json.dumps({"requests": [request_data(external_ref="F-1"),
                                             request_data(external_ref="F-2")]}))  # fmt: skip
    result = runner.invoke(args=["import-requests", str(good)])
    assert result.exit_code == 0 and result.output.strip() == "imported 2, duplicates 0"
    result = runner.invoke(args=["import-requests", str(good)])
    assert result.exit_code == 0 and result.output.strip() == "imported 0, duplicates 2"

    bad = tmp_path / "bad.csv"
    bad.write_text("external_ref,source,family_name,diagnosis\nX,eu_medevac,,\n", encoding="utf-8")
    result = runner.invoke(args=["import-requests", str(bad)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output and "row 2" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 2


def test_seed_demo_is_harmless_twice(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "coordinator@evac.example" in first.output
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        users = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == cases >= 40
        assert db.session.scalar(select(func.count()).select_from(User)) == users == len(DEMO_USERS)
        names = db.session.scalars(select(Case)).first().patient.family_name
        assert any("\u0400" <= ch <= "\u04ff" for ch in names)
