"""Document benchmark (not a test): warm render time of a transfer document (median of 20), the
same HTML rendered by bare WeasyPrint (the ratio is evac's overhead), and a 50-patient flight
bundle, cold (every document rendered) and warm (documents current, only merged).

    python bench/documents.py

Targets on the 2-core reference machine: <= 0.3 s per document warm, overhead <= 1.3x,
bundle <= 10 s.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_time(fn, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from flask import render_template
    from flask_migrate import upgrade
    from weasyprint import HTML

    from evac import create_app
    from evac import documents as pdf
    from evac.demo import demo_requests
    from evac.documents import content as contents
    from evac.extensions import db
    from evac.models import Case, Hospital
    from evac.services import (
        capacity,
        cases,
        documents,
        intake,
        offers,
        registry,
        transport,
        triage,
        users,
    )
    from evac.terms import ImportChannel

    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "EVAC_PASSWORD_HASH": "pbkdf2:sha256:1000",
        }
    )
    with app.test_request_context():
        upgrade(directory=app.extensions["migrate"].directory)
        registry.load_registry()
        coordinator, _ = users.create_user(
            "bench@evac.example", "coordinator", password="quiet-lantern-orchard-7"
        )
        for h in db.session.scalars(db.select(Hospital)):
            capacity.report_capacity(
                coordinator,
                h.code,
                capacity.Figures({c: (200, 100) for c in h.capabilities}, 20, 5),
                "bench",
            )
        payload = json.dumps({"requests": demo_requests(count=50)}).encode()
        intake.register_requests(coordinator, ImportChannel.API, payload, filename="bench.json")
        flight = transport.create_flight(
            coordinator, transport.FlightInput("BENCH-1", "SAS", None, None, 60, 120)
        )
        hospitals = [
            h.code for h in db.session.scalars(db.select(Hospital).order_by(Hospital.code))
        ]
        for i, case in enumerate(db.session.scalars(db.select(Case).order_by(Case.id)).all()):
            triage.triage_case(coordinator, case.reference, triage.starting_values(case))
            case = db.session.get(Case, case.id)
            code = next(h for h in hospitals[i % len(hospitals):] + hospitals
                        if case.bed_category in registry.hospital(h).capabilities)  # fmt: skip
            offers.accept_offer(coordinator, offers.make_offer(coordinator, case.reference, code).id,
                                offers.Acceptance("Ward 3", "Dr. Bench", "+31 88 000 0000"))  # fmt: skip
            transport.put_on_flight(coordinator, case.reference, flight.id)

        case = db.session.scalars(db.select(Case).order_by(Case.id)).first()
        meta = {
            "version": 1,
            "made": "25-11-2026 10:00",
            "qr": pdf.qr_data_uri("https://evac.example/documents/verify/x"),
        }

        def ours() -> bytes:
            content = contents.transfer_content(case, offers.accepted_offer(case), transport.case_legs(case),
                                                case.flight, contents.LANGUAGES, cases.alert_facts(case))  # fmt: skip
            return pdf.render_pdf("transfer.html", {**content, "document": meta})

        content = contents.transfer_content(case, offers.accepted_offer(case), transport.case_legs(case),
                                            case.flight, contents.LANGUAGES, cases.alert_facts(case))  # fmt: skip
        html = render_template(
            "documents/transfer.html", css_string=pdf.css_string, **content, document=meta
        )

        def bare() -> bytes:
            return HTML(string=html, url_fetcher=pdf._fetcher()).write_pdf()

        ours()  # warm up: fonts, templates, catalogues
        bare()
        t_ours, t_bare = median_time(ours, 20), median_time(bare, 20)
        size = len(ours())

        started = time.perf_counter()
        cold_size = len(documents.flight_bundle(coordinator, flight.id).pdf)
        t_cold = time.perf_counter() - started
        started = time.perf_counter()
        documents.flight_bundle(coordinator, flight.id)
        t_warm = time.perf_counter() - started

    print(f"transfer document, warm (median of 20): {t_ours:.3f} s  ({size / 1024:.0f} KiB)")
    print(f"same HTML, bare WeasyPrint (median of 20): {t_bare:.3f} s")
    print(f"overhead: {t_ours / t_bare:.2f}x")
    print(
        f"50-patient flight bundle, cold (50 documents rendered + merged): {t_cold:.2f} s ({cold_size / 1024:.0f} KiB)"
    )
    print(f"50-patient flight bundle, documents current (merge only): {t_warm:.2f} s")
    print("(flask --app evac render-documents keeps the documents of upcoming flights current)")


if __name__ == "__main__":
    main()
