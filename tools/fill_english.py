"""Fill the English catalogue from the source strings (the source language is English).

python tools/fill_english.py && pybabel compile -d translations
"""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"

with PO.open("rb") as fh:
    catalog = read_po(fh, locale="en")
catalog.fuzzy = False  # a new catalogue's header is marked fuzzy, and fuzzy ones are not compiled
for message in catalog:
    if not message.id:
        continue
    message.string = message.id if isinstance(message.id, tuple) else message.id
    message.flags.discard("fuzzy")
with PO.open("wb") as fh:
    write_po(fh, catalog, width=100, no_location=True, sort_output=True)
