"""Intake benchmark (not a test): requests per second registered through the service (as the
CLI, upload and API call it), for batches of 1,000 and 10,000 generated requests, on SQLite and,
when it answers, PostgreSQL. The peer in the same run: parsing and validating the same batch
alone (no database), the floor any intake must pay.

    python bench/intake.py [--sizes 1000,10000] [--postgres postgresql://postgres@127.0.0.1/evac_bench]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def batch(n: int) -> bytes:
    from evac.demo import demo_requests

    base = demo_requests(count=40)
    requests = []
    for i in range(n):
        r = dict(base[i % len(base)])
        r["external_ref"] = f"BENCH-{i:06d}"
        requests.append(r)
    return json.dumps({"requests": requests}, ensure_ascii=False).encode()


def run(url: str, sizes: list[int]) -> list[tuple[str, int, float, float]]:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from evac import create_app
    from evac.extensions import db
    from evac.interop import requests as request_format
    from evac.services import intake, registry
    from evac.terms import ImportChannel

    rows = []
    for n in sizes:
        if url.startswith("postgresql"):
            from sqlalchemy import create_engine
            from sqlalchemy.engine import make_url

            target = make_url(url)
            admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            admin.dispose()
            db_url = url
        else:
            db_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "EVAC_MAX_BATCH": max(sizes)})
        payload = batch(n)
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            registry.load_registry()
            started = time.perf_counter()
            parsed = request_format.parse_json(payload, date.today())
            parse_s = time.perf_counter() - started
            assert not parsed.problems, parsed.problems[:3]
            started = time.perf_counter()
            result = intake.register_requests(None, ImportChannel.FILE, payload,
                                              filename="bench.json")  # fmt: skip
            total_s = time.perf_counter() - started
            assert len(result.created) == n
            kind = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
        rows.append((kind, n, parse_s, total_s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/evac_bench"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    import logging

    logging.disable(logging.INFO)
    rows = run("sqlite", sizes)
    try:
        rows += run(args.postgres, sizes)
    except Exception as exc:  # PostgreSQL not running here
        print(f"PostgreSQL skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    print(
        "| database | requests | parse and validate only (peer) | register (one transaction) | requests/s |"
    )
    print("|---|---|---|---|---|")
    for kind, n, parse_s, total_s in rows:
        print(f"| {kind} | {n} | {parse_s:.2f} s | {total_s:.2f} s | {n / total_s:.0f} |")


if __name__ == "__main__":
    main()
