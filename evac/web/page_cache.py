"""Pages keep what they drew until the data changes.

A page's costly part (its queries and the table they fill) is drawn once and kept in this
process, under a key of everything it depends on:
- the data's version (evac.data_version): any committed change, on any host, makes a new key;
- who asks, down to the sign-in session: the user (with the version of their sessions, so a
  new role or a sign-out elsewhere makes a new key) and the session's form token, which kept
  forms carry; nobody is ever handed what was drawn for somebody else;
- the language, and the page's address with its query.
What a page says relative to now ("waiting 2 h", "expires in 10 min") is at most a minute old:
kept pages end a minute after they were drawn (each on its own clock, so that users' pages are
not all drawn again in the same second).

What stays outside is drawn on every request: the layout (flash messages, the session clock);
the navigation's counts are kept once for all pages. The least recently used go first when the
cache is full (cachetools' TTLCache).
EVAC_PAGE_CACHE_ENTRIES sets how many (0: keep nothing, draw every page every time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from evac import data_version

SECONDS = 60


class _Kept:
    def __init__(self, entries: int) -> None:
        # the clock looked up on each call, so that a test can move it on
        self.entries = TTLCache(maxsize=entries, ttl=SECONDS, timer=lambda: time.monotonic())
        self.lock = threading.Lock()


def _cache() -> _Kept | None:
    entries = current_app.config["EVAC_PAGE_CACHE_ENTRIES"]
    if entries <= 0:
        return None
    kept = current_app.extensions.get("evac.page_cache")
    if kept is None:
        kept = current_app.extensions["evac.page_cache"] = _Kept(entries)
    return kept


def _version() -> int:
    # Once per request: the drawings of one page stand for one version of the data.
    if "evac_data_version" not in g:
        g.evac_data_version = data_version.current()
    return g.evac_data_version


def key(name: str, user=None, whole_address: bool = True) -> tuple:
    """Everything `name`'s drawing for this request depends on. The version is read first:
    the data the drawing then reads is at least as new (see evac.data_version)."""
    version = _version()
    if user is None:  # a page: its forms carry the session's token, made now if still new
        generate_csrf()
        form_token = session.get("csrf_token")
    else:  # the API: a bearer token, no session
        form_token = None
    return (
        name,
        version,
        (user or current_user).get_id(),
        form_token,
        str(get_locale()),
        request.full_path if whole_address else None,
    )


def kept(name: str, compute: Callable[[], object], user=None, whole_address: bool = True) -> object:
    """`compute()`, computed now or kept from an earlier request with the same key. Only for
    reading requests: one that writes must see its own change, not what was kept before it.
    `user`: who asks, when not the signed-in user (the API's token holder); `whole_address`
    False for what is the same on every page (the navigation's counts)."""
    cache = _cache()
    if cache is None or request.method not in ("GET", "HEAD"):
        return compute()
    k = key(name, user, whole_address)
    with cache.lock:
        value = cache.entries.get(k, _MISSING)
    if value is _MISSING:
        value = compute()
        with cache.lock:
            cache.entries[k] = value
    return value


def drawn(name: str, draw: Callable[[], str]) -> Markup:
    """`draw()`'s HTML (a rendered template), drawn now or kept."""
    return kept(name, lambda: Markup(draw()))


_MISSING = object()
