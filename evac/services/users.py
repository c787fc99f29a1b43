"""Users: creating them, signing in (with throttling) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from evac.extensions import db
from evac.models import ApiToken, Hospital, User
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import DomainError, InvalidInput, Problem
from evac.terms import Role

MIN_PASSWORD_LENGTH = 10


class LoginFailed(DomainError):
    status = 401


def create_user(
    email: str,
    role: Role | str,
    *,
    name: str | None = None,
    password: str | None = None,
    hospital_code: str | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none was given)."""
    email = email.strip().lower()
    problems = []
    try:
        role = Role(role)
    except ValueError:
        problems.append(Problem("role", _("Unknown role: %(role)s.", role=role)))
    if "@" not in email:
        problems.append(Problem("email", _("Not an e-mail address: %(email)s.", email=email)))
    elif db.session.scalar(select(User).where(User.email == email)):
        problems.append(Problem("email", _("A user with this e-mail address exists already.")))
    hospital = None
    if role == Role.HOSPITAL:
        if not hospital_code:
            problems.append(Problem("hospital", _("A hospital user needs a hospital code.")))
        else:
            hospital = db.session.scalar(select(Hospital).where(Hospital.code == hospital_code))
            if hospital is None:
                problems.append(
                    Problem("hospital", _("Unknown hospital code: %(code)s.", code=hospital_code))
                )
    elif hospital_code:
        problems.append(Problem("hospital", _("Only hospital users belong to a hospital.")))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(
                "password",
                _("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            )
        )
    if problems:
        raise InvalidInput(problems)
    password = password or secrets.token_urlsafe(12)
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=generate_password_hash(
            password, method=current_app.config["EVAC_PASSWORD_HASH"]
        ),
        role=role,
        hospital=hospital,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, email=email, role=str(role))
    db.session.commit()
    return user, password


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or LoginFailed.

    After EVAC_LOGIN_MAX_FAILURES failures in a row the account is locked for
    EVAC_LOGIN_LOCK_MINUTES; the lock lives in the database so it holds across workers and
    hosts. The message never tells whether the e-mail address exists.
    """
    cfg = current_app.config
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise LoginFailed(_("Too many failed attempts. Try again in a few minutes."))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= cfg["EVAC_LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=cfg["EVAC_LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
                audit.record(None, "user.locked", user)
            db.session.commit()
        raise LoginFailed(_("Unknown e-mail address or wrong password."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(user, "user.login", user)
    db.session.commit()
    return user


def record_logout(user: User) -> None:
    audit.record(user, "user.logout", user)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(email: str, label: str = "", actor: User | None = None) -> str:
    """A new bearer token for the user; only its hash is kept, so it is shown once."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput([Problem("email", _("No user with this e-mail address."))])
    token = "evac_" + secrets.token_urlsafe(32)
    api_token = ApiToken(user=user, token_hash=_token_hash(token), label=label)
    db.session.add(api_token)
    db.session.flush()
    audit.record(actor, "api_token.created", user, token_id=api_token.id, label=label)
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user
