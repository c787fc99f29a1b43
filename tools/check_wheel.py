"""Check that a built wheel holds what the app needs at run time (used by `make wheel-check`)."""

import sys
import zipfile

REQUIRED = [
    "evac/templates/base.html",
    "evac/templates/documents/transfer.html",
    "evac/translations/uk/LC_MESSAGES/messages.mo",
    "evac/translations/nl/LC_MESSAGES/messages.mo",
    "evac/migrations/env.py",
    "evac/migrations/alembic.ini",
    "evac/migrations/versions/0001_initial_schema.py",
    "evac/static/evac.css",
    "evac/static/fonts/DejaVuSansCondensed.ttf",
    "evac/data/hospitals_nl.csv",
    "evac/placement/solver.py",
]

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
missing = [name for name in REQUIRED if name not in names]
if missing:
    sys.exit(f"the wheel lacks: {', '.join(missing)}")
print(f"wheel holds everything the app needs ({len(names)} files)")
