"""What makes a password acceptable, as a pure rule (no Flask, no database).

At least 12 characters; not the e-mail address or its name part; and not commonly used or easy
to guess. The last is zxcvbn's judgement (Dropbox's estimator, maintained on PyPI): it ships the
30,000 most used passwords of real leaks, common names and words, and recognises keyboard
patterns, repetitions, sequences and dates, which a list we typed ourselves would not.
"""

from __future__ import annotations

from enum import StrEnum

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
# zxcvbn's scores: 0-2 fall to an online or offline guessing attack in hours; 3 and 4 do not.
MIN_SCORE = 3
# zxcvbn slows down on very long input; the check only needs the start.
_CHECKED_LENGTH = 100
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


class Weakness(StrEnum):
    TOO_SHORT = "too_short"
    CONTAINS_EMAIL = "contains_email"
    COMMON = "common"
    GUESSABLE = "guessable"


def weaknesses(password: str, email: str = "") -> list[Weakness]:
    """What is wrong with this password for the user with this e-mail address (empty: fine)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(Weakness.TOO_SHORT)
    folded = password.casefold()
    email = email.strip().casefold()
    name = email.split("@")[0]
    if email and (email in folded or (len(name) >= 3 and name in folded)):
        found.append(Weakness.CONTAINS_EMAIL)
    if folded in _COMMON:
        found.append(Weakness.COMMON)
    elif password and Weakness.TOO_SHORT not in found:
        inputs = [i for i in (email, name, *name.replace(".", " ").split()) if i]
        if zxcvbn(password[:_CHECKED_LENGTH], user_inputs=inputs)["score"] < MIN_SCORE:
            found.append(Weakness.GUESSABLE)
    return found
