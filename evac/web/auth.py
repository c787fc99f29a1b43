"""Signing in (password, then the second factor when the user has one), signing out, sessions
that end (after EVAC_SESSION_IDLE_MINUTES without a request, after EVAC_SESSION_MAX_HOURS in any
case, and at once everywhere when the user signs out, changes password or role, or is
deactivated), invitations, and the user's own account page (password, two-factor sign-in)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from evac.documents import qr_data_uri
from evac.extensions import db, limiter
from evac.models import User
from evac.services import signin
from evac.services import users as user_service
from evac.services.errors import DomainError, InvalidInput
from evac.web.access import EVERYONE, public, roles_required
from evac.web.limits import login_limit

bp = Blueprint("auth", __name__)

# How long the step between password and second factor may take.
SECOND_FACTOR_SECONDS = 300
# Pages a user who must still set up two-factor sign-in may open.
ENROLMENT_ENDPOINTS = {
    "auth.two_factor",
    "auth.logout",
    "auth.session_status",
    "i18n.set_language",
    "static",
}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=20)],
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from the app"), validators=[DataRequired(), Length(max=20)]
    )


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    repeat = PasswordField(
        _l("The new password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(PasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


def safe_next(target: str | None) -> str | None:
    """A local path to go on to after signing in, or None.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a target with
    any of them, a scheme or a host is refused before it can become `//elsewhere`.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def client_address() -> str:
    return request.remote_addr or ""


def _start_session(user) -> None:
    """A fresh session for a user who passed every check (a new session id against fixation;
    the language choice survives)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now
    if signin.two_factor_required(user) and not user.two_factor_enabled:
        session["must_enrol"] = True
    signin.complete_sign_in(user)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    target = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = signin.authenticate(form.email.data, form.password.data, client_address())
        except signin.LoginFailed as exc:
            flash(exc.message, "error")
            status = 401
        else:
            if user.two_factor_enabled:
                session["pending_user"] = user.get_id()
                session["pending_at"] = int(time.time())
                session["pending_next"] = target
                return redirect(url_for("auth.second_factor"))
            _start_session(user)
            if session.get("must_enrol"):
                return redirect(url_for("auth.two_factor"))
            return redirect(target or url_for("dashboard.index"))
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def second_factor():
    pending = session.get("pending_user")
    started = session.get("pending_at", 0)
    if not pending or time.time() - started > SECOND_FACTOR_SECONDS:
        session.pop("pending_user", None)
        flash(_("Sign in again."), "info")
        return redirect(url_for("auth.login"))
    user_id, _sep, version = str(pending).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not signin.session_is_current(user, version):
        session.pop("pending_user", None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            used = signin.check_second_factor(user, form.code.data, client_address())
        except signin.LoginFailed as exc:
            form.code.errors = [exc.message]
            status = 401
        else:
            target = session.get("pending_next")
            _start_session(user)
            if used == "recovery":
                flash(
                    _(
                        "You used a recovery code; %(n)d are left. Each works once.",
                        n=signin.recovery_codes_left(user),
                    ),
                    "info",
                )
            return redirect(target or url_for("dashboard.index"))
    return render_template("auth/code.html", form=form), status


@bp.post("/logout")
@roles_required(*EVERYONE)
def logout():
    signin.sign_out(current_user)
    _end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def session_deadlines() -> tuple[int, int]:
    """(when the session ends without activity, when it ends in any case), as Unix times."""
    cfg = current_app.config
    idle = session.get("seen_at", 0) + cfg["EVAC_SESSION_IDLE_MINUTES"] * 60
    absolute = session.get("signed_in_at", 0) + cfg["EVAC_SESSION_MAX_HOURS"] * 3600
    return idle, absolute


SEEN_STEP = 15


@bp.before_app_request
def enforce_session():
    """End a session that has idled or lived too long; keep users who must set up two-factor
    sign-in on that page."""
    if request.endpoint == "static" or request.blueprint == "api":
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle_end, absolute_end = session_deadlines()
    if now >= min(idle_end, absolute_end):
        _end_session()
        flash(_("Your session has ended. Sign in again to go on."), "info")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=safe_next(target)))
    # Asking how long is left, or a page refreshing itself, is no activity; the rest is.
    passive = request.headers.get("X-Evac-Live") or (
        request.endpoint == "auth.session_status" and request.method == "GET"
    )
    # Moved on at most every SEEN_STEP seconds: a session unchanged is not signed and sent
    # again with every page (the idle end moves in steps of that size, of a limit in minutes).
    if not passive and now - session.get("seen_at", 0) >= SEEN_STEP:
        session["seen_at"] = now
    if session.get("must_enrol") and request.endpoint not in ENROLMENT_ENDPOINTS:
        flash(_("Set up two-factor sign-in first: your role requires it."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.app_context_processor
def session_clock():
    def session_ends() -> dict:
        from datetime import UTC, datetime

        at = min(session_deadlines())
        return {"at": at, "when": datetime.fromtimestamp(at, UTC)}

    return {"session_ends": session_ends}


@bp.route("/session", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def session_status():
    """How long the session has left (GET), or keep it going (POST, "stay signed in")."""
    idle_end, absolute_end = session_deadlines()
    return jsonify({"ends_at": min(idle_end, absolute_end), "absolute_end": absolute_end})


# ---------------------------------------------------------------------------------------------
# The user's own account


@bp.get("/account")
@roles_required(*EVERYONE)
def account():
    return render_template(
        "auth/account.html",
        form=ChangePasswordForm(),
        required=signin.two_factor_required(current_user),
        codes_left=signin.recovery_codes_left(current_user),
    )


@bp.post("/account/password")
@roles_required(*EVERYONE)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user_service.change_password(current_user, form.current.data, form.password.data)
        except InvalidInput as exc:
            for p in exc.problems:
                target = form.current if p.field == "current" else form.password
                target.errors = [*target.errors, p.message]
        else:
            # Every other session has ended; this one goes on under the new version.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return (
        render_template(
            "auth/account.html",
            form=form,
            required=signin.two_factor_required(current_user),
            codes_left=signin.recovery_codes_left(current_user),
        ),
        422,
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def two_factor():
    if current_user.two_factor_enabled:
        return redirect(url_for("auth.account"))
    form = EnrolForm()
    status = 200
    if current_user.totp_secret is None:
        # A pending secret is kept until confirmed: reloading the page must not invalidate
        # what the phone has just scanned.
        signin.start_enrolment(current_user)
    elif form.validate_on_submit():
        try:
            codes = signin.confirm_enrolment(current_user, form.code.data)
        except DomainError as exc:
            form.code.errors = [exc.message]
            status = 422
        else:
            session.pop("must_enrol", None)
            login_user(
                current_user._get_current_object()
            )  # the other sessions ended; this one goes on
            return render_template("auth/recovery_codes.html", codes=codes)
    return (
        render_template(
            "auth/two_factor.html",
            form=form,
            qr=qr_data_uri(signin.provisioning_uri(current_user)),
            # in groups of four, as authenticator apps show and accept it
            secret=" ".join(
                current_user.totp_secret[i : i + 4]
                for i in range(0, len(current_user.totp_secret), 4)
            ),
        ),
        status,
    )


@bp.post("/account/two-factor/off")
@roles_required(*EVERYONE)
def two_factor_off():
    if signin.two_factor_required(current_user):
        flash(_("Your role requires two-factor sign-in; it stays on."), "error")
    else:
        signin.disable_two_factor(current_user, current_user)
        login_user(current_user._get_current_object())
        flash(_("Two-factor sign-in is off."), "info")
    return redirect(url_for("auth.account"))


# ---------------------------------------------------------------------------------------------
# Invitations: a new user (or one who lost the password) chooses a password


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def invitation(token: str):
    user = user_service.user_for_invitation(token)
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user_service.accept_invitation(token, form.password.data)
        except InvalidInput as exc:
            form.password.errors = [p.message for p in exc.problems]
            status = 422
        else:
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/invitation.html", form=form, invited=user), status
