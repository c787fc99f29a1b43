"""Accounts: creating users (one by one with an invitation link, or many from a CSV file),
changing role or hospital, deactivating, temporary accounts, passwords, and API tokens.

Signing in, sessions and the second factor live in evac.services.signin.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from evac import passwords
from evac.extensions import db
from evac.models import ApiToken, Hospital, Region, User
from evac.models.types import utcnow
from evac.services import audit, notify
from evac.services.errors import DomainError, InvalidInput, NotFound, Problem
from evac.services.signin import end_all_sessions
from evac.terms import Role

MAX_USERS_PER_FILE = 500
# A token's last use is written at most this often: enough for an administrator to tell a
# token in use from a forgotten or a leaked one, without a write per API call.
TOKEN_USE_STEP = timedelta(minutes=15)


def password_problems(password: str, email: str) -> list[str]:
    """Why this password will not do, in the user's words (empty: it will)."""
    messages = {
        passwords.Weakness.TOO_SHORT: _(
            "A password needs at least %(n)d characters.", n=passwords.MIN_LENGTH
        ),
        passwords.Weakness.CONTAINS_EMAIL: _("A password must not contain your e-mail address."),
        passwords.Weakness.COMMON: _(
            "This password is one of the most commonly used ones. Choose another."
        ),
        passwords.Weakness.GUESSABLE: _(
            "This password is easy to guess (a common word, name, pattern or repetition). "
            "A few unrelated words make a strong one."
        ),
    }
    return [str(messages[w]) for w in passwords.weaknesses(password, email)]


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["EVAC_PASSWORD_HASH"])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hospital(code: str | None) -> Hospital | None:
    if not code:
        return None
    return db.session.scalar(select(Hospital).where(Hospital.code == code.strip().upper()))


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    return db.session.scalar(select(Region).where(Region.code == code.strip().upper()))


def _region_problems(role: Role | None, region_code: str | None, row: int | None = None):
    """A regional coordinator belongs to one region; nobody else does."""
    if role == Role.REGIONAL:
        if not region_code:
            return [Problem("region", _("A regional coordinator needs a region."), row)]
        if _region(region_code) is None:
            return [Problem("region", _("Unknown region: %(code)s.", code=region_code), row)]
    elif region_code:
        return [Problem("region", _("Only regional coordinators belong to a region."), row)]
    return []


def _check_account(
    email: str, role: str, hospital_code: str | None, row: int | None = None
) -> tuple[list[Problem], Role | None, Hospital | None]:
    problems = []
    try:
        role_enum: Role | None = Role(role)
    except ValueError:
        role_enum = None
        problems.append(Problem("role", _("Unknown role: %(role)s.", role=role), row))
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in email):
        problems.append(Problem("email", _("Not an e-mail address: %(email)s.", email=email), row))
    elif db.session.scalar(select(User.id).where(User.email == email)):
        problems.append(Problem("email", _("A user with this e-mail address exists already."), row))
    hospital = None
    if role_enum == Role.HOSPITAL:
        if not hospital_code:
            problems.append(Problem("hospital", _("A hospital user needs a hospital code."), row))
        else:
            hospital = _hospital(hospital_code)
            if hospital is None:
                problems.append(
                    Problem(
                        "hospital", _("Unknown hospital code: %(code)s.", code=hospital_code), row
                    )
                )
    elif hospital_code:
        problems.append(Problem("hospital", _("Only hospital users belong to a hospital."), row))
    return problems, role_enum, hospital


def create_user(
    email: str,
    role: Role | str,
    *,
    name: str | None = None,
    password: str | None = None,
    hospital_code: str | None = None,
    region_code: str | None = None,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none was given)."""
    email = email.strip().lower()
    problems, role_enum, hospital = _check_account(email, str(role), hospital_code)
    problems += _region_problems(role_enum, region_code)
    if password is not None:
        problems += [Problem("password", m) for m in password_problems(password, email)]
    if problems:
        raise InvalidInput(problems)
    password = password or secrets.token_urlsafe(16)
    user = User(
        email=email,
        name=(name or "").strip() or email.split("@")[0],
        password_hash=_hash(password),
        role=role_enum,
        hospital=hospital,
        region=_region(region_code) if role_enum == Role.REGIONAL else None,
        expires_at=expires_at,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, email=email, role=str(role_enum))
    db.session.commit()
    return user, password


def _new_invitation(user: User) -> str:
    token = secrets.token_urlsafe(32)
    user.invitation_hash = token_hash(token)
    user.invitation_expires_at = utcnow() + timedelta(
        hours=current_app.config["EVAC_INVITATION_HOURS"]
    )
    return token


def invitation_link(token: str) -> str:
    return f"{current_app.config['EVAC_BASE_URL'].rstrip('/')}/invitation/{token}"


def _mail_invitation(user: User, token: str) -> None:
    link = invitation_link(token)
    hours = current_app.config["EVAC_INVITATION_HOURS"]

    def render():
        return (
            _("Your evac account"),
            _(
                "An account in evac was made for you (%(email)s). Choose your password within "
                "%(hours)d hours at:\n\n%(link)s\n\nThe link works once.",
                email=user.email,
                hours=hours,
                link=link,
            ),
        )

    notify.queue([(user.email, user.locale)], render)


@dataclass
class Invitation:
    user: User
    link: str


def invite_user(
    actor: User,
    email: str,
    role: str,
    *,
    name: str = "",
    hospital_code: str | None = None,
    region_code: str | None = None,
    expires_on: date | None = None,
) -> Invitation:
    """A new account without a usable password, and a one-time link (e-mailed, and shown to the
    admin once) where its owner chooses one."""
    _admin(actor)
    user, _password = _create_invited(email, role, name, hospital_code, region_code, expires_on,
                                      actor)  # fmt: skip
    token = _new_invitation(user)
    _mail_invitation(user, token)
    db.session.commit()
    return Invitation(user, invitation_link(token))


def _end_of_day(day: date | None) -> datetime | None:
    """A temporary account works through the last day named (Amsterdam time)."""
    if day is None:
        return None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _create_invited(email, role, name, hospital_code, region_code, expires_on, actor):
    if expires_on is not None and expires_on < date.today():
        raise InvalidInput([Problem("expires_on", _("The end date has passed already."))])
    return create_user(
        email,
        role,
        name=name,
        hospital_code=hospital_code,
        region_code=region_code,
        expires_at=_end_of_day(expires_on),
        actor=actor,
    )


def reinvite(actor: User, user_id: int) -> Invitation:
    """A new one-time link for a user who lost their password (the old one stops working)."""
    _admin(actor)
    user = get_user(actor, user_id)
    token = _new_invitation(user)
    end_all_sessions(user)
    audit.record(actor, "user.invited_again", user)
    _mail_invitation(user, token)
    db.session.commit()
    return Invitation(user, invitation_link(token))


def user_for_invitation(token: str) -> User:
    user = db.session.scalar(select(User).where(User.invitation_hash == token_hash(token)))
    if user is None or user.invitation_expires_at is None or user.invitation_expires_at < utcnow():
        raise NotFound(_("This link has expired or was used already. Ask an admin for a new one."))
    return user


def accept_invitation(token: str, password: str) -> User:
    """The invited user chooses a password; the link then stops working."""
    user = user_for_invitation(token)
    problems = password_problems(password, user.email)
    if problems:
        raise InvalidInput([Problem("password", m) for m in problems])
    user.password_hash = _hash(password)
    user.password_changed_at = utcnow()
    user.invitation_hash = None
    user.invitation_expires_at = None
    end_all_sessions(user)
    audit.record(user, "user.password_set", user)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """A user changes their own password; every other session of theirs ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise InvalidInput([Problem("current", _("Your current password is not right."))])
    problems = password_problems(new, user.email)
    if problems:
        raise InvalidInput([Problem("password", m) for m in problems])
    user.password_hash = _hash(new)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    audit.record(user, "user.password_changed", user)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Admin: the list, changes, deactivation


def _admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        from evac.services.errors import Forbidden

        raise Forbidden(_("Only admins manage users."))


def list_users(actor: User) -> list[User]:
    _admin(actor)
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def get_user(actor: User, user_id: int) -> User:
    _admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def update_user(
    actor: User,
    user_id: int,
    *,
    name: str,
    role: str,
    hospital_code: str | None,
    expires_on: date | None,
    region_code: str | None = None,
) -> User:
    """Change a user's name, role, hospital or end date. A new role or hospital ends the user's
    sessions, so that no page keeps showing what the old role saw."""
    user = get_user(actor, user_id)
    problems = []
    try:
        role_enum = Role(role)
    except ValueError:
        role_enum = None
        problems.append(Problem("role", _("Unknown role: %(role)s.", role=role)))
    hospital = _hospital(hospital_code) if hospital_code else None
    if role_enum == Role.HOSPITAL and hospital is None:
        problems.append(Problem("hospital", _("A hospital user needs a hospital code.")))
    if role_enum != Role.HOSPITAL and hospital_code:
        problems.append(Problem("hospital", _("Only hospital users belong to a hospital.")))
    if user.id == actor.id and role_enum != Role.ADMIN:
        problems.append(Problem("role", _("You cannot take away your own admin role.")))
    problems += _region_problems(role_enum, region_code)
    if problems:
        raise InvalidInput(problems)
    region = _region(region_code) if role_enum == Role.REGIONAL else None
    changed = (
        role_enum != user.role
        or (hospital.id if hospital else None) != user.hospital_id
        or (region.id if region else None) != user.region_id
    )
    before = {"role": user.role, "hospital": user.hospital.code if user.hospital else None,
              "region": user.region.code if user.region else None}  # fmt: skip
    user.name = name.strip() or user.name
    user.role = role_enum
    user.hospital = hospital
    user.region = region
    user.expires_at = _end_of_day(expires_on)
    if changed:
        end_all_sessions(user)
    audit.record(actor, "user.changed", user, before=before, role=str(role_enum),
                 hospital=hospital.code if hospital else None,
                 expires_at=user.expires_at)  # fmt: skip
    db.session.commit()
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    user = get_user(actor, user_id)
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate yourself."))
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record(actor, "user.activated" if active else "user.deactivated", user)
    db.session.commit()
    return user


def reset_two_factor(actor: User, user_id: int) -> User:
    from evac.services import signin

    user = get_user(actor, user_id)
    signin.disable_two_factor(actor, user)
    return user


@dataclass
class ImportedUsers:
    invitations: list[Invitation]


USER_CSV_COLUMNS = ("email", "name", "role", "hospital", "region", "expires_on")


def import_users(actor: User, data: bytes) -> ImportedUsers:
    """Create many users at once from a CSV file (email, name, role, hospital, expires_on),
    each with an invitation; all or nothing, every problem named by its row."""
    _admin(actor)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([Problem("file", _("The file is not UTF-8 text."))]) from None
    if "\x00" in text:
        raise InvalidInput([Problem("file", _("The file holds a NUL character."))])
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise InvalidInput(
            [Problem("file", _("The file is not valid CSV: %(e)s", e=str(exc)))]
        ) from None
    if not rows:
        raise InvalidInput([Problem("file", _("The file holds no users."))])
    missing = [c for c in ("email", "role") if c not in (rows[0].keys() or ())]
    if missing:
        raise InvalidInput(
            [Problem("file", _("Columns missing: %(columns)s.", columns=", ".join(missing)))]
        )
    if len(rows) > MAX_USERS_PER_FILE:
        raise InvalidInput(
            [Problem("file", _("At most %(n)d users per file.", n=MAX_USERS_PER_FILE))]
        )
    problems: list[Problem] = []
    seen: set[str] = set()
    parsed = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        email = (row.get("email") or "").strip().lower()
        role = (row.get("role") or "").strip().lower()
        code = (row.get("hospital") or "").strip() or None
        region_code = (row.get("region") or "").strip() or None
        row_problems, role_enum, _h = _check_account(email, role, code, number)
        row_problems += _region_problems(role_enum, region_code, number)
        if email in seen:
            row_problems.append(Problem("email", _("This address is in the file twice."), number))
        seen.add(email)
        expires_on = None
        raw_date = (row.get("expires_on") or "").strip()
        if raw_date:
            try:
                expires_on = date.fromisoformat(raw_date)
            except ValueError:
                row_problems.append(
                    Problem("expires_on", _("Write the end date as YYYY-MM-DD."), number)
                )
            else:
                if expires_on < date.today():
                    row_problems.append(
                        Problem("expires_on", _("The end date has passed already."), number)
                    )
        problems += row_problems
        parsed.append((email, role, (row.get("name") or "").strip(), code, region_code, expires_on))
    if problems:
        raise InvalidInput(problems)
    invitations = []
    try:
        for email, role, name, code, region_code, expires_on in parsed:
            user = User(
                email=email,
                name=name or email.split("@")[0],
                password_hash=_hash(secrets.token_urlsafe(16)),
                role=Role(role),
                hospital=_hospital(code),
                region=_region(region_code),
                expires_at=_end_of_day(expires_on),
                password_changed_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
            token = _new_invitation(user)
            _mail_invitation(user, token)
            audit.record(actor, "user.created", user, email=email, role=role, by="csv")
            invitations.append(Invitation(user, invitation_link(token)))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportedUsers(invitations)


# ---------------------------------------------------------------------------------------------
# API tokens


def create_api_token(
    email: str, label: str = "", actor: User | None = None, days: int | None = None
) -> str:
    """A new bearer token for the user, valid for `days` (EVAC_API_TOKEN_DAYS by default; 0 for
    no end); only its hash is kept, so it is shown once."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput([Problem("email", _("No user with this e-mail address."))])
    days = current_app.config["EVAC_API_TOKEN_DAYS"] if days is None else days
    if days < 0 or days > 3660:
        raise InvalidInput([Problem("days", _("A token lasts from 1 to 3660 days."))])
    token = "evac_" + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user=user,
        token_hash=token_hash(token),
        label=label.strip()[:200],
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(api_token)
    db.session.flush()
    audit.record(actor, "api_token.created", user, token_id=api_token.id, label=label,
                 expires_at=api_token.expires_at)  # fmt: skip
    db.session.commit()
    return token


def list_api_tokens(email: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc())
    if email:
        query = query.where(User.email == email.strip().lower())
    return list(db.session.scalars(query))


def revoke_api_token(token_id: int, actor: User | None = None) -> ApiToken:
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None:
        raise NotFound(_("No API token %(id)s.", id=token_id))
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        audit.record(actor, "api_token.revoked", api_token.user, token_id=token_id)
        db.session.commit()
    return api_token


def user_for_token(token: str) -> User | None:
    """The user behind a bearer token that is neither revoked nor expired, if that user may
    still sign in."""
    return token_holder(token)[0]


def token_holder(token: str) -> tuple[User | None, datetime | None]:
    """user_for_token, and until when the token works (it or its user ends; None: no end)."""
    if not token or len(token) > 200:
        return None, None
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or api_token.state() != "active" or not api_token.user.is_active:
        return None, None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_USE_STEP:
        api_token.last_used_at = now
        db.session.commit()
    ends = [t for t in (api_token.expires_at, api_token.user.expires_at) if t is not None]
    return api_token.user, min(ends, default=None)
