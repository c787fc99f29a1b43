"""The WSGI entry point for production servers: `gunicorn -c python:evac.gunicorn_conf wsgi:app`
(the README uses `evac:create_app()`, which works from an installed wheel too)."""

from evac import create_app

app = create_app()
