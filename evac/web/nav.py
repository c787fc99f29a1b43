"""The main navigation: each area registers its entry here, with the roles that see it and,
optionally, a count shown beside it (e.g. cases waiting for triage)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

from evac.terms import Role
from evac.web import page_cache


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: object  # a lazy translated string
    roles: frozenset[Role]
    order: int
    count: Callable[[object], int] | None = None


ITEMS: list[NavItem] = []


def register(
    endpoint: str,
    text,
    roles,
    order: int,
    count: Callable[[object], int] | None = None,
) -> None:
    if any(item.endpoint == endpoint for item in ITEMS):
        return
    ITEMS.append(NavItem(endpoint, text, frozenset(roles), order, count))
    ITEMS.sort(key=lambda item: item.order)


def nav_items() -> list[tuple[str, str, frozenset, int]]:
    if not current_user.is_authenticated:
        return []
    out = []
    for item in ITEMS:
        if current_user.role in item.roles and item.endpoint in current_app.view_functions:
            count = (
                page_cache.kept(
                    f"nav.{item.endpoint}",
                    lambda item=item: item.count(current_user),
                    whole_address=False,
                )
                if item.count
                else 0
            )
            out.append((item.endpoint, str(item.text), item.roles, count))
    return out
