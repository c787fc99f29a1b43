"""Signing in: password checks under a throttle that parallel guesses cannot outrun, the same
answer and the same time for unknown and known addresses, and the second factor (TOTP, RFC 6238,
through pyotp) with one-time recovery codes.

The throttle counts an attempt before the password is checked, in one UPDATE that only succeeds
while the count is under the limit, and commits it; so 40 guesses sent at once get at most
EVAC_LOGIN_MAX_FAILURES password checks. It counts per account from one client address (so a
stranger who knows a coordinator's address locks out only himself) and per account from anywhere
(a higher ceiling against guessing from many addresses). Unknown addresses are counted the same
way, so neither the answers nor their timing tell which accounts exist.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from evac.extensions import db
from evac.models import LoginThrottle, RecoveryCode, User
from evac.models.types import utcnow
from evac.services import audit
from evac.services.errors import DomainError

RECOVERY_CODES = 10
TOTP_ISSUER = "evac"


class LoginFailed(DomainError):
    status = 401


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check unknown addresses against, so that they take as long as known ones."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def _insert_ignore(key: str, now: datetime) -> None:
    table = LoginThrottle.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(table)
        .values(key=key, failures=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def _take_attempt(key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one attempt under this key; False when the key is locked or at its limit."""
    _insert_ignore(key, now)
    t = LoginThrottle
    # A lock that has ended, or failures older than the window, start the count afresh.
    fresh = or_(t.locked_until <= now, t.updated_at <= now - window)
    result = db.session.execute(
        update(t)
        .where(t.key == key, or_(t.failures < limit, fresh))
        .where(or_(t.locked_until.is_(None), t.locked_until <= now))
        .values(
            failures=case((fresh, 1), else_=t.failures + 1),
            locked_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _settle(keys: dict[str, int], succeeded: bool, lock: timedelta, now: datetime) -> None:
    t = LoginThrottle
    if succeeded:
        db.session.execute(
            update(t)
            .where(t.key.in_(list(keys)))
            .values(failures=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        return
    for key, limit in keys.items():
        db.session.execute(
            update(t)
            .where(t.key == key, t.failures >= limit, t.locked_until.is_(None))
            .values(locked_until=now + lock)
            .execution_options(synchronize_session=False)
        )
    # Keys of addresses nobody uses any more need not be kept.
    db.session.execute(
        delete(t)
        .where(t.updated_at < now - timedelta(days=1), t.locked_until.is_(None))
        .execution_options(synchronize_session=False)
    )


def authenticate(email: str, password: str, client: str = "") -> User:
    """The user with these credentials, or LoginFailed (the same message whatever was wrong)."""
    cfg = current_app.config
    email = (email or "").strip().lower()
    now = utcnow()
    lock = timedelta(minutes=cfg["EVAC_LOGIN_LOCK_MINUTES"])
    keys = {
        _key("account+client", email, client): cfg["EVAC_LOGIN_MAX_FAILURES"],
        _key("account", email): cfg["EVAC_LOGIN_MAX_FAILURES_ACCOUNT"],
    }
    allowed = all(_take_attempt(k, limit, lock, now) for k, limit in keys.items())
    db.session.commit()  # the attempt counts before the password is checked
    if not allowed:
        raise LoginFailed(
            _(
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes=cfg["EVAC_LOGIN_LOCK_MINUTES"],
            )
        )
    user = db.session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None else _dummy_hash(cfg["EVAC_PASSWORD_HASH"])
    password_ok = check_password_hash(stored, password or "")
    ok = password_ok and user is not None and user.is_active
    _settle(keys, ok, lock, now)
    if not ok:
        if user is not None:
            audit.record(None, "user.login_failed", user)
        db.session.commit()
        raise LoginFailed(_("Unknown e-mail address or wrong password."))
    db.session.commit()
    return user


def complete_sign_in(user: User) -> None:
    """Record a sign-in that passed every check (password, and the second factor if any)."""
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Every session of this user stops working at its next request; the caller commits."""
    user.session_version = (user.session_version or 1) + 1


def sign_out(user: User) -> None:
    end_all_sessions(user)
    audit.record(user, "user.logout", user)
    db.session.commit()


def session_is_current(user: User, version: str) -> bool:
    return str(user.session_version) == version and user.is_active


# ---------------------------------------------------------------------------------------------
# The second factor


def two_factor_required(user: User) -> bool:
    """Admins and coordinators must use a second factor when the setting says so."""
    from evac.terms import Role

    return bool(current_app.config["EVAC_REQUIRE_2FA"]) and user.has_role(
        Role.ADMIN, Role.COORDINATOR
    )


def start_enrolment(user: User) -> str:
    """A new secret for the user's authenticator app (not in force until confirmed)."""
    if user.two_factor_enabled:
        raise DomainError(_("Two-factor sign-in is on already."))
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (one step of clock drift either way), or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        if secrets.compare_digest(totp.at(at), code):
            return totp.timecode(at)
    return None


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_key("recovery", code)))
    return codes


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Switch two-factor sign-in on with a first code from the app; returns the recovery codes
    (shown once)."""
    if user.totp_secret is None or user.two_factor_enabled:
        raise DomainError(_("Start the set-up again."))
    step = _matching_step(user.totp_secret, code, utcnow())
    if step is None:
        raise LoginFailed(_("That code is not right. Check the time on your phone and retry."))
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    end_all_sessions(user)  # other sessions signed in without the second factor
    audit.record(user, "user.two_factor_enabled", user)
    db.session.commit()
    return codes


def check_second_factor(user: User, code: str, client: str = "") -> str:
    """Accept a TOTP code (each one once) or a recovery code (each one once); returns which
    ("totp" or "recovery"), or raises LoginFailed. Wrong codes count in the same throttle as
    wrong passwords."""
    cfg = current_app.config
    now = utcnow()
    lock = timedelta(minutes=cfg["EVAC_LOGIN_LOCK_MINUTES"])
    keys = {_key("second-factor", str(user.id), client): cfg["EVAC_LOGIN_MAX_FAILURES"]}
    allowed = all(_take_attempt(k, limit, lock, now) for k, limit in keys.items())
    db.session.commit()
    if not allowed:
        raise LoginFailed(
            _(
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes=cfg["EVAC_LOGIN_LOCK_MINUTES"],
            )
        )
    used = None
    step = _matching_step(user.totp_secret or "", code, now) if user.totp_secret else None
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        # The row lock makes a code used in two requests at once count once.
        updated = db.session.execute(
            update(User)
            .where(User.id == user.id)
            .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        used = "totp" if updated.rowcount == 1 else None
    elif step is None:
        cleaned = (code or "").strip().lower()
        updated = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _key("recovery", cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount == 1:
            used = "recovery"
            audit.record(user, "user.recovery_code_used", user)
    _settle(keys, used is not None, lock, now)
    db.session.commit()
    db.session.refresh(user)
    if used is None:
        raise LoginFailed(_("That code is not right, or it was used already."))
    return used


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def disable_two_factor(actor: User, user: User) -> None:
    """Switch the second factor off (the user, or an admin resetting a lost phone)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user)
    audit.record(actor, "user.two_factor_reset", user)
    db.session.commit()
