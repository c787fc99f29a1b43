"""Pages keep what they drew until the data changes.

A page's costly part (its queries and the table they fill) is drawn once and kept in this
process, under a key of everything it depends on, and with the versions (evac.data_version) of
the tables read while it was drawn: a committed change to one of them, on any host, has it
drawn again; a change to other tables does not. The key:
- the viewpoint of who asks (evac.access.viewpoint: role, hospital, region), which is all the
  privacy policy looks at: two coordinators share a drawing, two hospitals never do;
- the language, and the page's address with its query.
Forms in a kept drawing hold a stand-in for the form token (unguessable, new in each process);
each time the drawing is handed out, the stand-in becomes the token of the session it is shown
in. What a page says relative to now ("waiting 2 h", "expires in 10 min") is at most a minute
old: kept pages end a minute after they were drawn (each on its own clock, so that pages are not
all drawn again in the same second).

What stays outside is drawn on every request: the layout (flash messages, the session clock);
the navigation's counts are kept once for all pages. The signed-in user is kept too, until the
users' table changes: a kept page then costs one statement, the versions. The least recently
used go first when the cache is full (cachetools' TTLCache).
EVAC_PAGE_CACHE_ENTRIES sets how many (0: keep nothing, draw every page every time).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from cachetools import TTLCache
from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from evac import access, data_version
from evac.data_version import EVERYTHING
from evac.extensions import db
from evac.models import ApiToken, User
from evac.models.types import utcnow

SECONDS = 60
# A kept user (or token holder) is read again after this long even if nothing evac wrote says
# so: a change made outside evac (an account locked by SQL during an incident, a process of
# the previous release during an upgrade) moves no version, and must still end access within
# seconds on every host. Reading a user every few seconds costs nothing that shows.
USER_SECONDS = 5
# Query arguments that search for a patient or a sender's reference.
SEARCHES = ("q", "external_ref")
_FORM_TOKEN = f"evac-form-token-{secrets.token_hex(16)}"


class _Kept:
    def __init__(self, entries: int) -> None:
        # the clock looked up on each call, so that a test can move it on
        self.entries = TTLCache(maxsize=entries, ttl=SECONDS, timer=lambda: time.monotonic())
        self.users = TTLCache(maxsize=entries, ttl=USER_SECONDS, timer=lambda: time.monotonic())
        self.lock = threading.Lock()


def _cache() -> _Kept | None:
    entries = current_app.config["EVAC_PAGE_CACHE_ENTRIES"]
    if entries <= 0:
        return None
    kept = current_app.extensions.get("evac.page_cache")
    if kept is None:
        kept = current_app.extensions["evac.page_cache"] = _Kept(entries)
    return kept


def init_app(app) -> None:
    @app.before_request
    def record_what_is_read() -> None:
        # From the request's first statement (the user's): what a view reads before it asks
        # for a kept drawing (the region a page is about, say) is part of what the drawing shows.
        if app.config["EVAC_PAGE_CACHE_ENTRIES"] > 0:
            g.evac_tables_read = data_version.record_reads()


def _versions() -> dict[str, int]:
    """The data's versions, read once per request, before anything a drawing reads: the data
    it then reads is at least as new (see evac.data_version). Each drawing kept depends on the
    tables the request read up to the drawing's end."""
    if "evac_data_versions" not in g:
        g.evac_data_versions = data_version.current()
        if "evac_tables_read" not in g:  # a request context made by hand (tests, scripts)
            g.evac_tables_read = data_version.record_reads()
    return g.evac_data_versions


def versions_of(tables: frozenset[str]) -> tuple[int, ...]:
    """The versions of these tables, in the order of their names, as this request read them
    (before anything else it reads)."""
    versions = _versions()
    return tuple(versions.get(name, 0) for name in sorted(tables))


def signed_in_user(user_id: int) -> User | None:
    """The user of this session: on a reading request, kept from an earlier one while the
    users' table has not changed (the versions are then the request's first statement, and
    the user's row is not read again); else read now.

    Whatever ends a session in evac writes the user's row (sign-out elsewhere, a new password
    or role, deactivation), so a kept user is never one whose session has ended; a change made
    outside evac shows within USER_SECONDS. What the user links to (hospital, region) is read
    as for any user, when asked for."""
    return _kept_user(("session", user_id), (User.__tablename__,),
                      lambda: (db.session.get(User, user_id), None))  # fmt: skip


def token_user(token: str) -> User | None:
    """The user behind an API bearer token (evac.services.users.token_holder), kept like the
    signed-in user while the tokens and the users are unchanged, and no longer than the token
    is valid. Kept under the token's hash, never the token."""
    from evac.services import users

    return _kept_user(("token", users.token_hash(token)), (ApiToken.__tablename__, User.__tablename__),
                      lambda: users.token_holder(token))  # fmt: skip


class _KeptUser(NamedTuple):
    versions: tuple[int, ...]  # of the tables it was read from, when it was read
    user: User  # a copy in no session (_detached_copy)
    until: datetime | None  # when it stops being valid (a token's end), if ever


def _kept_user(
    key: tuple, tables: tuple[str, ...], load: Callable[[], tuple[User | None, datetime | None]]
) -> User | None:
    cache = _cache()
    if cache is None or request.method not in ("GET", "HEAD"):
        return load()[0]
    versions = _versions()
    now = tuple(versions.get(name, 0) for name in (EVERYTHING, *tables))
    with cache.lock:
        found = cache.users.get(key)
    if (
        found is not None
        and found.versions == now
        and (found.until is None or utcnow() < found.until)
    ):
        data_version.note_read(tables)  # as reading the rows would have
        user = db.session.merge(found.user, load=False)
        return user if user.is_active else None  # an end date passed since it was kept
    user, until = load()
    if user is not None:
        with cache.lock:
            cache.users[key] = _KeptUser(now, _detached_copy(user), until)
    return user


def _detached_copy(user: User) -> User:
    """A copy of the user's columns, in no session: what merge(load=False) copies from."""
    copy = User.__mapper__.class_manager.new_instance()
    for column in User.__mapper__.column_attrs:
        set_committed_value(copy, column.key, getattr(user, column.key))
    make_transient_to_detached(copy)
    return copy


def key(name: str, user=None, whole_address: bool = True, per_user: bool = False) -> tuple:
    """Everything `name`'s drawing for this request depends on, but the data."""
    who = user or current_user
    kept_for = access.viewpoint(who)
    if per_user:  # it shows who they are (their name), not only what their role sees
        kept_for += (who.get_id(),)
    if whole_address and any(request.args.get(term) for term in SEARCHES):
        # A search is kept for the one who made it: how fast a page answers must not tell a
        # colleague which name somebody looked for.
        kept_for += (_session_token() if user is None else who.get_id(),)
    return (name, kept_for, str(get_locale()), request.full_path if whole_address else None)


class _Drawing(NamedTuple):
    tables: frozenset[str]  # read while it was drawn, and EVERYTHING
    versions: tuple[int, ...]  # theirs when it was drawn (in the order of their names)
    value: object


def _session_token() -> str:
    generate_csrf()  # made now if the session is new
    return session["csrf_token"]


def kept(
    name: str,
    compute: Callable[[], object],
    user=None,
    whole_address: bool = True,
    per_user: bool = False,
) -> object:
    """`compute()`, computed now or kept from an earlier request with the same key. Only for
    reading requests: one that writes must see its own change, not what was kept before it.
    `user`: who asks, when not the signed-in user (the API's token holder); `whole_address`
    False for what is the same on every page (the navigation's counts); `per_user` for what
    shows who asks (the header with their name)."""
    cache = _cache()
    if cache is None or request.method not in ("GET", "HEAD"):
        return compute()
    k = key(name, user, whole_address, per_user)
    _versions()  # before anything is drawn
    with cache.lock:
        kept_drawing = cache.entries.get(k)
    if kept_drawing is not None and versions_of(kept_drawing.tables) == kept_drawing.versions:
        data_version.note_read(kept_drawing.tables)  # for a drawing this one is part of
        return _served(kept_drawing.value)
    # A drawing kept per user shows who they are; the rest may be handed to any session.
    value = (_with_form_stand_in if per_user else _drawn_for_any_session)(compute)
    if not isinstance(value, Markup | tuple) and _FORM_TOKEN in str(value):
        raise TypeError(f"{name}: forms are kept as Markup (or tuples of it), not {value!r}")
    tables = frozenset(g.evac_tables_read | {data_version.EVERYTHING})
    with cache.lock:
        cache.entries[k] = _Drawing(tables, versions_of(tables), value)
    return _served(value)


def _drawn_for_any_session(compute: Callable[[], object]) -> object:
    """`compute()` for every session of every user with this viewpoint."""
    return _with_form_stand_in(compute)


def _with_form_stand_in(compute: Callable[[], object]) -> object:
    """`compute()` with a stand-in for the form token, which _served replaces by the token
    of the session it is handed to."""
    # Flask-WTF hands out the token it finds in `g` (one per request): the stand-in, here.
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    own = g.pop(field, None)
    setattr(g, field, _FORM_TOKEN)
    try:
        return compute()
    finally:
        g.pop(field, None)
        if own is not None:
            setattr(g, field, own)


def _served(value: object) -> object:
    """The kept value with this session's form token in place of the stand-in."""
    if isinstance(value, Markup):
        if _FORM_TOKEN in value:
            return Markup(str(value).replace(_FORM_TOKEN, generate_csrf()))
        return value
    if isinstance(value, tuple):
        parts = [_served(part) for part in value]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    return value


def drawn(name: str, draw: Callable[[], str]) -> Markup:
    """`draw()`'s HTML (a rendered template), drawn now or kept."""
    return kept(name, lambda: Markup(draw()))
