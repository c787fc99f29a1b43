"""evac: case management for national patient distribution and medical evacuations."""

from __future__ import annotations

import os

from flask import Flask

from evac import config as settings


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(settings.resource_dir("templates")),
    )
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    settings.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    from evac import cli, web
    from evac.api import api_locale
    from evac.api import bp as api_bp
    from evac.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from evac import data_version  # noqa: F401 (notes every change; see its docstring)

    migrate.init_app(app, db, directory=str(settings.resource_dir("migrations")))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["EVAC_RATELIMIT_STORAGE"])
    limiter.init_app(app)
    if app.config["EVAC_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address (for throttling and rate limits) from the proxies we trust.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["EVAC_PROXY_COUNT"], x_proto=1)
    babel.init_app(
        app,
        # API answers read English unless the client asks otherwise; pages keep their choice
        locale_selector=lambda: api_locale() or web.i18n.select_locale(),
        timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"],
        default_translation_directories=str(settings.resource_dir("translations")),
    )
    web.init_app(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API takes bearer tokens only, never cookies (see evac.api.auth)
    cli.init_app(app)
    from evac import logs

    logs.install(app.logger)
    return app
