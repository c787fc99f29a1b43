"""The page's header: the brand, the navigation with its counts, the search, the languages and
who is signed in. Drawn for every page, it cost a kept page a fifth of its time, so it is kept
like a page (evac.web.page_cache), for each user, language and address. The session clock and
the flash messages are drawn every time (base.html)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from evac.web import page_cache


def header() -> tuple[Markup, Markup]:
    """(the header's left: brand, navigation, search; its right: languages, who)."""
    if not current_user.is_authenticated:
        return _draw()
    return page_cache.kept("layout.header", _draw, per_user=True)


def _draw() -> tuple[Markup, Markup]:
    return (
        Markup(render_template("layout/_header_left.html")),
        Markup(render_template("layout/_header_right.html")),
    )
