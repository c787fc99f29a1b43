"""Sign-in benchmark (not a test): how long a failed sign-in takes for a known address, for an
unknown one and for a locked one, with the production password hash (scrypt), through the
service as the login page calls it. Equal times mean the timing tells nobody which accounts
exist. The peer in the same run: one bare scrypt check, which both paths must be close to.

    python bench/signin.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from werkzeug.security import check_password_hash, generate_password_hash

    from evac import create_app
    from evac.extensions import db
    from evac.services import signin, users

    folder = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                      "EVAC_PASSWORD_HASH": "scrypt", "EVAC_LOGIN_MAX_FAILURES": 10**6,
                      "EVAC_LOGIN_MAX_FAILURES_ACCOUNT": 10**6})  # fmt: skip
    with app.test_request_context():
        upgrade(directory=app.extensions["migrate"].directory)
        users.create_user("known@bench.example", "viewer", password="harbour lantern cedar")

        def attempt(email: str, client: str) -> float:
            started = time.perf_counter()
            with contextlib.suppress(signin.LoginFailed):
                signin.authenticate(email, "wrong password", client)
            return time.perf_counter() - started

        stored = generate_password_hash("x", method="scrypt")
        bare, known, unknown = [], [], []
        for i in range(args.rounds):
            started = time.perf_counter()
            check_password_hash(stored, "y")
            bare.append(time.perf_counter() - started)
            known.append(attempt("known@bench.example", f"10.0.{i}.1"))
            unknown.append(attempt(f"nobody{i}@bench.example", f"10.1.{i}.1"))
        app.config["EVAC_LOGIN_MAX_FAILURES"] = 1
        attempt("locked@bench.example", "10.9.9.9")
        locked_known = [attempt("known@bench.example", "10.0.0.1") for _ in range(args.rounds)]
        db.session.remove()

    def row(name: str, times: list[float]) -> None:
        q = statistics.quantiles(times, n=20)
        print(f"| {name} | {statistics.median(times) * 1000:.1f} | {q[0] * 1000:.1f} | "
              f"{q[-1] * 1000:.1f} |")  # fmt: skip

    print(f"failed sign-ins, {args.rounds} rounds each, scrypt (ms)")
    print("| path | median | p5 | p95 |")
    print("|---|---|---|---|")
    row("bare scrypt check (peer)", bare)
    row("known address, wrong password", known)
    row("unknown address", unknown)
    row("known address after the lock (no hash checked)", locked_known)
    gap = abs(statistics.median(known) - statistics.median(unknown))
    print(f"difference of the medians, known vs unknown: {gap * 1000:.1f} ms "
          f"({gap / statistics.median(known):.1%})")  # fmt: skip


if __name__ == "__main__":
    main()
