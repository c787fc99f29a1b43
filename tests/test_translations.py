"""The Dutch, English and Ukrainian catalogues are complete: every message in the code is in
them, translated (not fuzzy), with the same placeholders, and compiled."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("nl", "en", "uk")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def catalog(locale: str):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the code now, extracted as a translator would."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(pot, "rb") as fh:
        return {(m.context, m.id) for m in read_po(fh) if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_code_is_in_the_catalogue(extracted, locale):
    known = {(m.context, m.id) for m in catalog(locale) if m.id}
    missing = sorted(str(mid) for _ctx, mid in extracted - known)
    assert missing == [], "run `make translations` and translate the new entries"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_the_same_placeholders(locale):
    problems = []
    for m in catalog(locale):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if "fuzzy" in m.flags or not all(strings):
            problems.append(f"untranslated: {ids[0]}")
            continue
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != expected:
                problems.append(f"placeholders differ: {ids[0]} -> {s}")
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_its_source(locale):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {_key(m): _text(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m): _text(m.string) for m in catalog(locale) if m.id}
    assert compiled == source, "run `pybabel compile -d translations`"


def _key(m):
    context = m.context.decode() if isinstance(m.context, bytes) else m.context
    return (context, tuple(m.id) if isinstance(m.id, list | tuple) else m.id)


def _text(string):
    return tuple(string) if isinstance(string, list | tuple) else string


def test_ukrainian_plurals_have_three_forms():
    assert catalog("uk").num_plurals == 3
    for m in catalog("uk"):
        if isinstance(m.id, tuple):
            assert len(m.string) == 3, m.id


def test_the_same_word_in_two_closed_sets_is_two_terms(app):
    """ "other" is a bed category and a sex; "unknown" a sex and an MDRO status: in Ukrainian they
    take different forms, so each term keeps its own translation."""
    from flask_babel import force_locale

    from evac.terms import BedCategory, MdroStatus, Sex, label

    with app.app_context(), force_locale("uk"):
        assert label(Sex.OTHER) != label(BedCategory.OTHER)
        assert label(Sex.UNKNOWN) != label(MdroStatus.UNKNOWN)
