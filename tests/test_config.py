"""Settings from the environment, and refusing unsafe ones in production."""

import pytest

from evac import create_app
from evac.config import ConfigurationError


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("EVAC_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigurationError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_database_url_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/evac")
    assert (
        create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/evac"
    )
    monkeypatch.delenv("DATABASE_URL")
    uri = create_app().config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/evac.sqlite")


def test_evac_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("EVAC_PAGE_SIZE", "20")
    monkeypatch.setenv("EVAC_DEFAULT_LOCALE", "uk")
    app = create_app()
    assert app.config["EVAC_PAGE_SIZE"] == 20 and app.config["BABEL_DEFAULT_LOCALE"] == "uk"
