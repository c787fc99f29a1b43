"""Rate limits, read from the settings at each request so that an operator (or a test) can
change them: sign-in pages per client address, and the API per client address."""

from __future__ import annotations

from flask import current_app


def login_limit() -> str:
    return current_app.config["EVAC_RATELIMIT_LOGIN"]


def api_limit() -> str:
    return current_app.config["EVAC_RATELIMIT_API"]
