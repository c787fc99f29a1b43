"""Translation in templates without a context lookup per word.

A page such as the capacity table asks for about four thousand translated words and formatted
figures. Flask-Babel finds the current translations anew for each (several context-local
lookups every time), a third of the page's time under load. Here each render is given the
translations and locale once, in its template context, and the template functions read them
from there; labels of terms and percentages, which repeat on every row, are formatted once per
locale and value. Macros imported without context fall back to Flask-Babel.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import format_percent as babel_percent
from flask import Flask
from flask_babel import get_locale, get_translations
from jinja2 import pass_context

from evac import terms


def _translations(ctx):
    t = ctx.get("_translations")
    return t if t is not None else get_translations()


def _locale(ctx) -> Locale:
    locale = ctx.get("_locale")
    return locale if locale is not None else get_locale()


@lru_cache(maxsize=4096)
def _label(locale: Locale, kind: type, value) -> str:
    # The locale is part of the key (lazy labels translate into the current one), and so is the
    # kind of term: a str enum member equals its value, and Sex("other") is not
    # BedCategory("other").
    return terms.label(value)


@lru_cache(maxsize=4096)
def _percent(locale: Locale, fraction: float) -> str:
    return babel_percent(fraction, locale=locale)


def install(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda ctx, s: _translations(ctx).ugettext(s)),
        ngettext=pass_context(lambda ctx, s, p, n: _translations(ctx).ungettext(s, p, n)),
        pgettext=pass_context(lambda ctx, c, s: _translations(ctx).upgettext(c, s)),
        npgettext=pass_context(lambda ctx, c, s, p, n: _translations(ctx).unpgettext(c, s, p, n)),
        newstyle=True,
    )

    @pass_context
    def label(ctx, value):
        if value is None or isinstance(value, bool) or not isinstance(value, terms.StrEnum):
            return terms.label(value)
        return _label(_locale(ctx), type(value), value)

    @pass_context
    def percent(ctx, fraction):
        return "–" if fraction is None else _percent(_locale(ctx), fraction)

    app.jinja_env.globals.update(label=label, percent=percent)

    @app.context_processor
    def translations_of_this_request():
        return {"_translations": get_translations(), "_locale": get_locale()}
