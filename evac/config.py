"""Settings, read from the environment with defaults for the embedded SQLite database.

Every setting evac reads lives here, so an operator can see in one file what can be set:
DATABASE_URL, SECRET_KEY and the EVAC_* variables.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Where a top-level resource folder (templates, translations, migrations) lives.

    In a source checkout it stands beside the package; in an installed wheel it is shipped
    inside the package (see pyproject.toml).
    """
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


# A development key is fine on a laptop; production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105

LOCALES = ("nl", "en", "uk")
# How each language formats dates and numbers: English as in Britain (day-month, 24-hour
# clock), which is what a Dutch centre's English readers expect. Translations still come from
# the language's own catalogue (en_GB falls back to en).
LOCALE_FORMATS = {"en": "en_GB"}


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "evac.sqlite")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment(instance_path: str) -> dict:
    """The configuration for an app, from the process environment."""
    env = os.environ
    production = env.get("EVAC_ENV", "development") == "production"
    return {
        "EVAC_ENV": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # Bound parameters hold patient names; an error must not write them to the log.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "hide_parameters": not _bool(env.get("EVAC_LOG_SQL_PARAMETERS")),
        },
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(env.get("EVAC_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "BABEL_DEFAULT_LOCALE": env.get("EVAC_DEFAULT_LOCALE", "nl"),
        "BABEL_DEFAULT_TIMEZONE": env.get("EVAC_TIMEZONE", "Europe/Amsterdam"),
        # werkzeug's default (scrypt); tests use a cheap method to stay fast
        "EVAC_PASSWORD_HASH": env.get("EVAC_PASSWORD_HASH", "scrypt"),
        # Sign-in throttling: failures per account from one client address, and per account
        # from anywhere, before a lock that ends by itself.
        "EVAC_LOGIN_MAX_FAILURES": int(env.get("EVAC_LOGIN_MAX_FAILURES", 5)),
        "EVAC_LOGIN_MAX_FAILURES_ACCOUNT": int(env.get("EVAC_LOGIN_MAX_FAILURES_ACCOUNT", 20)),
        "EVAC_LOGIN_LOCK_MINUTES": int(env.get("EVAC_LOGIN_LOCK_MINUTES", 15)),
        # Sessions end after this long without a request, and after this long in any case.
        "EVAC_SESSION_IDLE_MINUTES": int(env.get("EVAC_SESSION_IDLE_MINUTES", 30)),
        "EVAC_SESSION_MAX_HOURS": int(env.get("EVAC_SESSION_MAX_HOURS", 12)),
        # Admins and coordinators must sign in with a second factor (on by default in
        # production); the other roles may.
        "EVAC_REQUIRE_2FA": _bool(env.get("EVAC_REQUIRE_2FA"), default=production),
        "EVAC_INVITATION_HOURS": int(env.get("EVAC_INVITATION_HOURS", 72)),
        "EVAC_API_TOKEN_DAYS": int(env.get("EVAC_API_TOKEN_DAYS", 90)),
        # Rate limits (Flask-Limiter): counts in this process's memory, or in Redis
        # (redis://host:6379) when several processes or hosts serve.
        "EVAC_RATELIMIT_STORAGE": env.get("EVAC_RATELIMIT_STORAGE", "memory://"),
        "EVAC_RATELIMIT_LOGIN": env.get("EVAC_RATELIMIT_LOGIN", "10 per minute"),
        "EVAC_RATELIMIT_API": env.get("EVAC_RATELIMIT_API", "300 per minute"),
        # How many proxies in front of evac set X-Forwarded-For (0: none; the client address
        # is the connection's). Throttling and rate limits count per client address.
        "EVAC_PROXY_COUNT": int(env.get("EVAC_PROXY_COUNT", 0)),
        # The most requests one batch (file, upload or API call) may hold.
        "EVAC_MAX_BATCH": int(env.get("EVAC_MAX_BATCH", 1000)),
        "EVAC_PAGE_SIZE": int(env.get("EVAC_PAGE_SIZE", 50)),
        # Drawn pages kept per process until the data changes (evac.web.page_cache); 0: none.
        "EVAC_PAGE_CACHE_ENTRIES": int(env.get("EVAC_PAGE_CACHE_ENTRIES", 256)),
        "EVAC_CENTRE_NAME": env.get("EVAC_CENTRE_NAME", "LCPS / PECC"),
        "EVAC_CENTRE_PHONE": env.get("EVAC_CENTRE_PHONE", "+31 88 000 0000"),
        "EVAC_CENTRE_EMAIL": env.get("EVAC_CENTRE_EMAIL", "pecc@lcps.example"),
        "EVAC_BASE_URL": env.get("EVAC_BASE_URL", "http://localhost:5000"),
        "EVAC_SHOW_DEMO_LOGINS": _bool(env.get("EVAC_SHOW_DEMO_LOGINS")),
        # Mail: without EVAC_SMTP_HOST messages are written to the log (development).
        "EVAC_SMTP_HOST": env.get("EVAC_SMTP_HOST", ""),
        "EVAC_SMTP_PORT": int(env.get("EVAC_SMTP_PORT", 25)),
        "EVAC_SMTP_USER": env.get("EVAC_SMTP_USER", ""),
        "EVAC_SMTP_PASSWORD": env.get("EVAC_SMTP_PASSWORD", ""),
        "EVAC_SMTP_STARTTLS": _bool(env.get("EVAC_SMTP_STARTTLS")),
        "EVAC_SMTP_TIMEOUT": float(env.get("EVAC_SMTP_TIMEOUT", 5)),
        "EVAC_MAIL_FROM": env.get("EVAC_MAIL_FROM", "evac@lcps.example"),
        # Who receives the daily situation report (`flask --app evac sitrep --mail`), comma-separated.
        "EVAC_SITREP_RECIPIENTS": [
            a.strip() for a in env.get("EVAC_SITREP_RECIPIENTS", "").split(",") if a.strip()
        ],
        # The mailbox the coordinator on duty reads (acceptances, declines, expiries).
        "EVAC_DUTY_EMAIL": env.get(
            "EVAC_DUTY_EMAIL", env.get("EVAC_CENTRE_EMAIL", "pecc@lcps.example")
        ),
    }


class ConfigurationError(RuntimeError):
    """The app cannot start safely with the settings it was given."""


def check(config: dict) -> None:
    """Refuse settings that are unsafe in production."""
    if config.get("EVAC_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < 32:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(e.g. python -c "import secrets; print(secrets.token_hex(32))").'
        )
