"""Language choice: the user's saved choice, else the session's, else the browser's."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user

from evac.config import LOCALE_FORMATS, LOCALES
from evac.services import users as user_service
from evac.web.access import public

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    language = _chosen_language()
    return LOCALE_FORMATS.get(language, language)


def _chosen_language() -> str:
    if not has_request_context():
        # Commands and scheduled jobs write English, like their own output and the logs.
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return (
        request.accept_languages.best_match(LOCALES) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@bp.post("/language")
@public
def set_language():
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            user_service.set_locale(current_user, locale)
    target = request.form.get("next") or ""
    # Only local paths: a language switch must not become an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("dashboard.index")
    return redirect(target)
