"""The web pages: one blueprint per area, plus what every page shares (error pages, security
headers, template helpers)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, flash, redirect, render_template, request
from flask_babel import (
    format_date,
    format_datetime,
    format_timedelta,
    get_locale,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from evac import access as policy
from evac import terms, workflow
from evac.extensions import db, login_manager
from evac.models import User
from evac.services import cases as case_service
from evac.services import offers as offer_service
from evac.services import signin
from evac.services import triage as triage_service
from evac.services.errors import DomainError, Forbidden, NotFound
from evac.terms import Role
from evac.web import (
    admin,
    auth,
    capacity,
    cases,
    dashboard,
    documents,
    hospital,
    i18n,
    intake,
    layout,
    narrative,
    nav,
    offers,
    page_cache,
    placement,
    scenarios,
    situation,
    spreading,
    template_i18n,
    transport,
    triage,
)


def init_app(app: Flask) -> None:
    page_cache.init_app(app)  # first: it records what every later hook reads
    for module in (
        i18n,
        auth,
        dashboard,
        cases,
        intake,
        triage,
        capacity,
        hospital,
        offers,
        transport,
        placement,
        documents,
        spreading,
        situation,
        scenarios,
        admin,
    ):
        app.register_blueprint(module.bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "id:version": a session made before the user's sessions were ended (sign-out
        # elsewhere, new password or role, deactivation) names an old version and is refused.
        user_id, _sep, version = session_id.partition(":")
        user = page_cache.signed_in_user(int(user_id)) if user_id.isdigit() else None
        return user if user is not None and signin.session_is_current(user, version) else None

    nav.register("admin.users", _l("Users"), (Role.ADMIN,), 60)
    nav.register("situation.report", _l("Situation"), tuple(Role), 38)
    nav.register(
        "scenarios.index", _l("Scenarios"),
        (Role.COORDINATOR, Role.ADMIN, Role.VIEWER, Role.PARTNER, Role.REGIONAL), 39,
    )  # fmt: skip
    nav.register(
        "spreading.index", _l("Spreading"), (Role.COORDINATOR, Role.ADMIN, Role.REGIONAL), 35
    )
    nav.register("dashboard.index", _l("Overview"), (Role.COORDINATOR, Role.ADMIN, Role.VIEWER), 0)
    nav.register("cases.board", _l("Cases"), tuple(r for r in Role if r != Role.PARTNER), 10)
    nav.register("intake.upload", _l("Intake"), (Role.COORDINATOR, Role.ADMIN), 20)
    nav.register("capacity.overview", _l("Capacity"), tuple(Role), 30)
    nav.register(
        "transport.flights", _l("Flights"), (Role.COORDINATOR, Role.ADMIN, Role.VIEWER), 40
    )
    nav.register(
        "hospital.portal", _l("Offers"), (Role.HOSPITAL,), 5, count=offer_service.pending_count
    )
    nav.register(
        "triage.queue",
        _l("Triage"),
        (Role.COORDINATOR, Role.ADMIN, Role.REGIONAL),
        15,
        count=triage_service.queue_length,
    )

    app.jinja_env.globals.update(
        nav_items=nav.nav_items,
        layout_header=layout.header,
        language_name=terms.language_name,
        workflow=workflow,
        sees_identity=lambda case: policy.sees_identity(current_user, case),
        may_place=lambda case: case_service.may_place(current_user, case),
        audit_sentence=narrative.audit_sentence,
        triage_change=narrative.triage_change,
        terms=terms,
        get_locale=get_locale,
        flight_action=lambda status: str(FLIGHT_ACTIONS[status]),
        document_kind=lambda kind: terms.label(terms.DocumentKind(kind)),
        offer_status=lambda status: terms.label(terms.OfferStatus(status)),
        occupancy_class=capacity.occupancy_class,
        waiting=lambda delta: format_timedelta(delta, threshold=1.5),
        LOCALES={"nl": "Nederlands", "en": "English", "uk": "Українська"},
    )
    app.jinja_env.filters["language_name"] = terms.language_name
    app.jinja_env.filters["received_document"] = lambda v: terms.label(terms.ReceivedDocument(v))
    app.jinja_env.filters["isodatetime"] = lambda v, fmt="short": (
        format_datetime(datetime.fromisoformat(v), fmt) if v else "–"
    )
    app.jinja_env.filters["datetime"] = lambda v, fmt="short": format_datetime(v, fmt) if v else "–"
    app.jinja_env.filters["time_of_day"] = lambda v: format_datetime(v, "HH:mm") if v else "–"
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else "–"
    # label and percent, formatted once per locale and value
    template_i18n.install(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.errorhandler(403)
    @app.errorhandler(Forbidden)
    def forbidden(error):
        return _error_page(403, _("You may not use this page."))

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    def not_found(error):
        return _error_page(404, _("This page does not exist, or you may not see it."))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error_page(405, _("This action is not possible here."))

    @app.errorhandler(413)
    def too_large(error):
        return _error_page(413, _("The file is too large."))

    @app.errorhandler(429)
    def too_many(error):
        return _error_page(429, _("Too many requests. Wait a moment and try again."))

    @app.errorhandler(500)
    def server_error(error):
        # The error is logged (without patient data: evac.logs); the user gets our page, in
        # their language, and knows what to do.
        db.session.rollback()
        return _error_page(
            500,
            _(
                "Something went wrong on our side. Try again in a moment; if it keeps "
                "happening, call the coordination centre."
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(
            400, _("The form had expired or was sent from elsewhere. Reload the page and retry.")
        )

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error):
        db.session.rollback()
        flash(_("Someone changed this at the same moment. Reload and try again."), "error")
        return redirect(request.referrer or "/")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if request.path.startswith("/api/"):
            raise error
        flash(error.message, "error")
        return redirect(request.referrer or "/")

    @app.before_request
    def refuse_unreadable_input():
        """A NUL character in a URL, form, file or JSON body, or JSON nested past reason, is
        refused with a 400 before it reaches a view (no database stores NUL; Python's JSON
        decoder runs out of stack). Intake keeps and reports its own input instead."""
        problem = _unreadable(request)
        if problem is None:
            return None
        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify({"errors": [{"field": "", "message": problem}]}), 400
        return _error_page(400, problem)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Patient data must not linger in shared browser caches or proxies.
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["EVAC_ENV"] == "production":
            # Browsers keep to HTTPS for a year, even when a link or a proxy says http://.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


FLIGHT_ACTIONS = {
    "departed": _l("The flight has left"),
    "landed": _l("The flight has landed"),
    "cancelled": _l("Cancel the flight"),
}


# Endpoints that read their own input and keep it, refused or not (../shared/specs/intake.md).
KEEPS_ITS_INPUT = {"intake.upload", "intake.new_request", "api.post_requests"}


def _unreadable(req) -> str | None:
    # The message is translated only when it is needed: translating asks for the user's
    # language, which loads the signed-in user, which a stylesheet's request need not do.
    nul = _l("The request holds an invisible NUL character. Remove it and try again.")
    if (
        "\x00" in req.path
        or "\x00" in req.query_string.decode("latin-1")
        or "%00" in (req.query_string.decode("latin-1"))
    ):
        return str(nul)
    if req.endpoint in KEEPS_ITS_INPUT or req.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if any("\x00" in v for values in req.form.listvalues() for v in values):
        return str(nul)
    for storage in req.files.values():
        content = storage.stream.read()
        storage.stream.seek(0)
        if b"\x00" in content and _is_utf8(content):  # else the upload's own check names it
            return str(nul)
    if req.is_json:
        body = req.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            return str(nul)
        import json

        try:
            json.loads(body)
        except RecursionError:
            return _("The JSON is nested too deeply.")
        except ValueError:
            pass  # the view answers malformed JSON itself
    return None


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _error_page(status: int, message: str):
    if request.path.startswith("/api/"):
        from flask import jsonify

        return jsonify({"errors": [{"field": "", "message": message}]}), status
    return render_template("error.html", status=status, message=message), status
