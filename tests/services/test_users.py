"""Users: creation rules, sign-in with throttling, API tokens stored as hashes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import ApiToken, AuditEvent, User
from evac.models.types import utcnow
from evac.services import users
from evac.services.errors import InvalidInput


def test_create_user_hashes_the_password_and_generates_one_when_none_is_given(ctx):
    user, password = users.create_user("Sanne@UMCG.example", "hospital", hospital_code="UMCG")
    assert user.email == "sanne@umcg.example" and user.hospital.code == "UMCG"
    assert password and password not in user.password_hash
    assert users.authenticate("sanne@umcg.example", password).id == user.id


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"email": "x@y.example", "role": "pilot"}, "role"),
        ({"email": "no-at-sign", "role": "viewer"}, "email"),
        ({"email": "h@y.example", "role": "hospital"}, "hospital"),
        ({"email": "h@y.example", "role": "hospital", "hospital_code": "NOPE"}, "hospital"),
        ({"email": "c@y.example", "role": "coordinator", "hospital_code": "UMCG"}, "hospital"),
        ({"email": "c@y.example", "role": "coordinator", "password": "short"}, "password"),
    ],
)
def test_create_user_refuses_bad_input(ctx, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        users.create_user(**kwargs)
    assert field in [p.field for p in err.value.problems]
    assert db.session.scalar(select(User)) is None


def test_a_second_user_with_the_same_email_is_refused(ctx, make):
    make.user("viewer", email="same@y.example")
    with pytest.raises(InvalidInput):
        users.create_user("SAME@y.example", "viewer")


def test_login_is_locked_after_repeated_failures(ctx, make):
    u = make.user("coordinator")
    for _ in range(5):
        with pytest.raises(users.LoginFailed):
            users.authenticate(u.email, "wrong password")
    # Now even the right password is refused until the lock ends.
    with pytest.raises(users.LoginFailed) as err:
        users.authenticate(u.email, u.password)
    assert "Too many" in err.value.message
    user = db.session.get(User, u.id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert users.authenticate(u.email, u.password).id == u.id
    assert "user.locked" in db.session.scalars(select(AuditEvent.action)).all()


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(ctx, make):
    u = make.user()
    with pytest.raises(users.LoginFailed) as unknown:
        users.authenticate("nobody@y.example", "x")
    with pytest.raises(users.LoginFailed) as wrong:
        users.authenticate(u.email, "x")
    assert unknown.value.message == wrong.value.message


def test_api_tokens_are_stored_as_hashes_and_can_be_revoked(ctx, make):
    u = make.user("coordinator")
    token = users.create_api_token(u.email, "ERCC bridge")
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert users.user_for_token(token).id == u.id
    assert users.user_for_token(token + "x") is None
    stored.revoked_at = utcnow()
    db.session.commit()
    assert users.user_for_token(token) is None


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token(ctx, make):
    u = make.user("coordinator")
    token = users.create_api_token(u.email)
    db.session.get(User, u.id).active = False
    db.session.commit()
    with pytest.raises(users.LoginFailed):
        users.authenticate(u.email, u.password)
    assert users.user_for_token(token) is None
