"""Accounts: creation rules and the password policy, invitations, role changes and deactivation
that end sessions, temporary accounts, many users from a CSV file, API tokens that expire and
are revoked."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from evac.extensions import db
from evac.models import ApiToken, OutboxMessage, User
from evac.models.types import utcnow
from evac.services import signin, users
from evac.services.errors import DomainError, InvalidInput, NotFound


def actor(u) -> User:
    return db.session.get(User, u.id)


def test_create_user_hashes_the_password_and_generates_one_when_none_is_given(ctx):
    user, password = users.create_user("Sanne@UMCG.example", "hospital", hospital_code="UMCG")
    assert user.email == "sanne@umcg.example" and user.hospital.code == "UMCG"
    assert password and password not in user.password_hash
    assert signin.authenticate("sanne@umcg.example", password).id == user.id


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


@pytest.mark.parametrize(
    "password,says",
    [
        ("Olena-2026", "at least 12 characters"),
        ("password1234", "most commonly used"),
        ("qwertyuiopasdf", "easy to guess"),
        ("aaaaaaaaaaaaaaaa", "easy to guess"),
        ("p.jansen-lcps-rotterdam", "e-mail address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(ctx, password, says):
    with pytest.raises(InvalidInput) as err:
        users.create_user("p.jansen@lcps.example", "coordinator", password=password)
    assert says in err.value.message
    # ... while a few unrelated words pass.
    users.create_user("p.jansen@lcps.example", "coordinator", password="tulip ferry granite 7")


def test_a_second_user_with_the_same_email_is_refused(ctx, make):
    make.user("viewer", email="same@y.example")
    with pytest.raises(InvalidInput):
        users.create_user("SAME@y.example", "viewer")


def test_an_invited_user_chooses_a_password_once_through_the_link(ctx, make):
    admin = actor(make.user("admin"))
    invitation = users.invite_user(admin, "new@umcg.example", "hospital", hospital_code="UMCG",
                                   name="Nieuwe Collega")  # fmt: skip
    token = invitation.link.rsplit("/", 1)[1]
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "new@umcg.example")
    )
    assert invitation.link in mail.body
    with pytest.raises(signin.LoginFailed):  # no usable password before the link is used
        signin.authenticate("new@umcg.example", "")
    with pytest.raises(InvalidInput):
        users.accept_invitation(token, "password1234")
    users.accept_invitation(token, "harbour lantern cedar")
    assert signin.authenticate("new@umcg.example", "harbour lantern cedar").name == "Nieuwe Collega"
    with pytest.raises(NotFound):  # the link worked once
        users.accept_invitation(token, "another fine passphrase")


def test_an_invitation_link_expires(ctx, make, app):
    admin = actor(make.user("admin"))
    invitation = users.invite_user(admin, "late@y.example", "viewer")
    user = db.session.scalar(select(User).where(User.email == "late@y.example"))
    user.invitation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotFound):
        users.accept_invitation(invitation.link.rsplit("/", 1)[1], "harbour lantern cedar")


def test_only_admins_invite(ctx, make):
    from evac.services.errors import Forbidden

    with pytest.raises(Forbidden):
        users.invite_user(actor(make.user("coordinator")), "x@y.example", "viewer")


def test_a_new_role_or_hospital_ends_the_users_sessions(ctx, make):
    admin = actor(make.user("admin"))
    u = make.user("hospital", "UMCG")
    before = actor(u).session_version
    users.update_user(admin, u.id, name="Sanne", role="hospital", hospital_code="UMCG",
                      expires_on=None)  # fmt: skip
    assert actor(u).session_version == before  # nothing that matters changed
    users.update_user(admin, u.id, name="Sanne", role="hospital", hospital_code="MST2",
                      expires_on=None)  # fmt: skip
    assert actor(u).session_version == before + 1 and actor(u).hospital.code == "MST2"
    with pytest.raises(InvalidInput):
        users.update_user(admin, u.id, name="Sanne", role="viewer", hospital_code="UMCG",
                          expires_on=None)  # fmt: skip
    with pytest.raises(InvalidInput):  # an admin keeps their own admin role
        users.update_user(admin, admin.id, name="A", role="viewer", hospital_code=None,
                          expires_on=None)  # fmt: skip


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token(ctx, make):
    admin = actor(make.user("admin"))
    u = make.user("coordinator")
    token = users.create_api_token(u.email)
    version = actor(u).session_version
    users.set_active(admin, u.id, False)
    assert actor(u).session_version == version + 1
    with pytest.raises(signin.LoginFailed):
        signin.authenticate(u.email, u.password)
    assert users.user_for_token(token) is None
    users.set_active(admin, u.id, True)
    assert signin.authenticate(u.email, u.password).id == u.id
    assert users.user_for_token(token).id == u.id
    with pytest.raises(DomainError):
        users.set_active(admin, admin.id, False)


def test_a_temporary_account_stops_working_by_itself(ctx, make):
    admin = actor(make.user("admin"))
    invitation = users.invite_user(admin, "reserve@y.example", "coordinator",
                                   expires_on=date.today() + timedelta(days=14))  # fmt: skip
    user = invitation.user
    users.accept_invitation(invitation.link.rsplit("/", 1)[1], "harbour lantern cedar")
    token = users.create_api_token(user.email)
    assert signin.authenticate(user.email, "harbour lantern cedar")
    user.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(signin.LoginFailed):
        signin.authenticate(user.email, "harbour lantern cedar")
    assert users.user_for_token(token) is None
    assert not user.is_active


def test_many_users_from_a_csv_file_all_or_nothing(ctx, make):
    admin = actor(make.user("admin"))
    later = (date.today() + timedelta(days=30)).isoformat()
    good = (
        "email,name,role,hospital,expires_on\n"
        "a.bakker@umcg.example,A. Bakker,hospital,UMCG,\n"
        f"reserve1@lcps.example,Reserve 1,coordinator,,{later}\n"
    ).encode()
    bad = (
        b"email,name,role,hospital,expires_on\n"
        b"ok@y.example,Ok,viewer,,\n"
        b"broken,Broken,pilot,,\n"
        b"h@y.example,H,hospital,NOPE,2020-01-01\n"
    )
    with pytest.raises(InvalidInput) as err:
        users.import_users(admin, bad)
    rows = {(p.row, p.field) for p in err.value.problems}
    assert {(3, "email"), (3, "role"), (4, "hospital"), (4, "expires_on")} <= rows
    assert db.session.scalar(select(User).where(User.email == "ok@y.example")) is None
    result = users.import_users(admin, good)
    assert [i.user.email for i in result.invitations] == [
        "a.bakker@umcg.example",
        "reserve1@lcps.example",
    ]
    reserve = db.session.scalar(select(User).where(User.email == "reserve1@lcps.example"))
    assert reserve.expires_at is not None and reserve.role == "coordinator"
    assert all("/invitation/" in i.link for i in result.invitations)


def test_api_tokens_are_hashed_expire_and_can_be_revoked(ctx, make, app):
    u = make.user("coordinator")
    token = users.create_api_token(u.email, "ERCC bridge")
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    # 90 days by default
    assert abs((stored.expires_at - utcnow()) - timedelta(days=90)) < timedelta(minutes=1)
    assert users.user_for_token(token).id == u.id
    assert users.user_for_token(token + "x") is None
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert users.user_for_token(token) is None and stored.state() == "expired"
    second = users.create_api_token(u.email, "hospital system", days=7)
    revoked = users.revoke_api_token(
        db.session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
    )
    assert revoked.state() == "revoked" and users.user_for_token(second) is None
    assert len(users.list_api_tokens(u.email)) == 2


def test_changing_the_password_checks_the_old_one_and_ends_other_sessions(ctx, make):
    u = make.user("viewer")
    user = actor(u)
    version = user.session_version
    with pytest.raises(InvalidInput):
        users.change_password(user, "not it", "harbour lantern cedar")
    with pytest.raises(InvalidInput):
        users.change_password(user, u.password, "short")
    users.change_password(user, u.password, "harbour lantern cedar")
    assert actor(u).session_version == version + 1
    assert signin.authenticate(u.email, "harbour lantern cedar")


def test_a_tokens_use_is_noted_at_most_every_quarter_hour(ctx, make):
    """An administrator tells a token in use from a forgotten one by its last use; an API call
    does not write it each time."""
    token = make.token(make.user("coordinator"))
    stored = db.session.scalar(select(ApiToken))
    assert stored.last_used_at is None
    users.user_for_token(token)
    first = stored.last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=5)
    users.user_for_token(token)
    assert stored.last_used_at == first  # within the step: not written again
    stored.last_used_at = first - users.TOKEN_USE_STEP
    db.session.commit()
    users.user_for_token(token)
    assert stored.last_used_at > first
