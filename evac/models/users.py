"""Users, their roles, second factors and API tokens; the sign-in throttle."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evac.extensions import db
from evac.models.types import UTCDateTime, utcnow
from evac.terms import Role


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospital.id"), index=True)
    # A regional coordinator's region (its RCPS).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # A temporary account (a crisis reinforcement) stops working by itself at this moment.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's identity: raising it ends all sessions of the user at once
    # (sign-out, new password, new role, deactivation), even a copied cookie.
    session_version: Mapped[int] = mapped_column(default=1)
    # TOTP (RFC 6238): the shared secret, set at enrolment and in force once confirmed; the last
    # time step used, so that a code cannot be replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]
    # A one-time invitation (or password reset) link: only its SHA-256 is kept.
    invitation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hospital: Mapped[Hospital | None] = relationship()  # noqa: F821
    region: Mapped[Region | None] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active and not self.has_expired()

    def has_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def get_id(self) -> str:  # Flask-Login keeps this in the session
        return f"{self.id}:{self.session_version}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    @property
    def is_coordinating(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def label(self) -> str:
        """How the audit trail names this user."""
        return f"{self.name} <{self.email}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def state(self, now: datetime | None = None) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(db.Model):
    """Failed sign-ins counted per key: an account from one client address, and an account from
    anywhere. Attempts are counted before the password is checked, in one UPDATE, so parallel
    guesses cannot slip past the limit; unknown addresses are counted like known ones, so the
    answers tell nothing about which accounts exist."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
