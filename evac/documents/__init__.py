"""PDF documents with WeasyPrint: the transfer document that travels with the patient, the flight
manifest, the bundle of a flight's transfer documents, and the acceptance confirmation.

Renderers get plain values (dicts), never database objects. The fetcher refuses everything but
data: URIs, so a document can neither read local files nor reach out to the network. The fonts
(DejaVu Sans Condensed: Latin and Cyrillic) ship with evac and are registered with fontconfig
for the process, so no document depends on what happens to be installed on the host.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import segno
from flask import render_template
from markupsafe import Markup

from evac.config import PACKAGE_DIR

FONT_DIR = PACKAGE_DIR / "static" / "fonts"
FONTS = ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf")
_lock = threading.Lock()
_font_config = None


class DocumentError(RuntimeError):
    """A document cannot be rendered on this installation (e.g. its fonts are missing)."""


def check_fonts() -> None:
    missing = [name for name in FONTS if not (FONT_DIR / name).is_file()]
    if missing:
        raise DocumentError(
            f"The fonts for Latin and Cyrillic are missing from {FONT_DIR}: {', '.join(missing)}. "
            "Reinstall evac; documents cannot be rendered without them."
        )


def _fetcher():
    """A fetcher for data: URIs (the QR code) that refuses everything else (file://, http://):
    a document never reads the host's files or reaches the network."""
    from weasyprint.urls import URLFetcher

    class DocumentFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"documents may not load {url[:60]}")

    return DocumentFetcher(allowed_protocols=("data",), fail_on_errors=True)


def _register_fonts() -> None:
    """Make the packaged fonts known to fontconfig for this process, by family name.

    Loading them per document through @font-face costs about a third of the render time, so
    fontconfig gets a configuration that includes the system's and adds the package's font
    folder. It must happen before WeasyPrint builds its first font configuration.
    """
    import os
    import tempfile

    if os.environ.get("EVAC_FONTCONFIG_DONE"):
        return
    system = os.environ.get("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{system}</include>\n  <dir>{FONT_DIR}</dir>\n</fontconfig>\n'
    )
    # The system's caches stay in use (a fresh cache would rescan every font on the host).
    name = f"evac-fonts-{hashlib.sha256(text.encode()).hexdigest()[:12]}.conf"
    config = Path(tempfile.gettempdir()) / name
    if not config.exists():
        config.write_text(text, encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(config)
    os.environ["EVAC_FONTCONFIG_DONE"] = "1"


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template of templates/documents/ to PDF bytes."""
    check_fonts()
    return _write_pdf(_html(template, context))


def _html(template: str, context: dict) -> str:
    return render_template(f"documents/{template}", css_string=css_string, **context)


def _write_pdf(html: str) -> bytes:
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    # One font configuration for the process: rebuilding it per document costs time and memory;
    # WeasyPrint's font handling is not meant for several threads at once.
    with _lock:
        if _font_config is None:
            _register_fonts()
            _font_config = FontConfiguration()
        document = HTML(string=html, base_url="evac:/", url_fetcher=_fetcher())
        return document.write_pdf(font_config=_font_config)


# From this many documents on, the PDFs are written by several processes (one per core): a
# 50-patient flight's bundle is mostly WeasyPrint's layout work, which one process does alone.
PARALLEL_FROM = 8


class Renderer:
    """Renders documents of one template, `expected` of them: the HTML here (it needs the app),
    the PDFs in a pool of fresh processes when there are many and more than one core. Each
    process starts when the first document is handed to it, so that it starts (imports
    WeasyPrint) while the caller prepares the next ones.

        with Renderer("transfer.html", len(contexts)) as renderer:
            pending = [renderer.submit(context) for context in contexts]
            ...  # other work, while the PDFs are written
            pdfs = [p.result() for p in pending]
    """

    def __init__(self, template: str, expected: int) -> None:
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        check_fonts()
        self.template = template
        workers = min(os.cpu_count() or 1, 4)
        self.pool = None
        if expected >= PARALLEL_FROM and workers >= 2:
            # "forkserver": the renderers are copies of a fresh interpreter (no database
            # connection or lock of this one) that has loaded WeasyPrint (evac.documents.warm).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["evac.documents.warm"])
            self.pool = ProcessPoolExecutor(workers, mp_context=context)

    def submit(self, context: dict):
        """The PDF to come (`.result()`), of the template filled with `context`."""
        from concurrent.futures import Future

        html = _html(self.template, context)
        if self.pool is not None:
            return self.pool.submit(_write_pdf, html)
        done: Future = Future()
        done.set_result(_write_pdf(html))
        return done

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=exc[0] is not None)


def render_many(template: str, contexts: list[dict]) -> list[bytes]:
    """Render several documents of one template (see Renderer)."""
    with Renderer(template, len(contexts)) as renderer:
        pending = [renderer.submit(context) for context in contexts]
        return [p.result() for p in pending]


def css_string(text: str) -> Markup:
    """A quoted CSS string (for running headers): nothing in it can end the string or the style."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;·()-/'_" else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')


def qr_data_uri(url: str) -> str:
    """A QR code for the URL as an SVG data URI: vector, sharp at any print size."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def merge_pdfs(parts: list[bytes], attachments: dict[str, bytes] | None = None) -> bytes:
    """One PDF of several, pages in order (the bundle of a flight's transfer documents), with
    files attached (each patient's summary as FHIR, for the receiving hospital's record).

    pikepdf (qpdf) rather than pypdf: a 50-patient bundle merges in 0.08 s instead of 0.8 s,
    and comes out a third smaller (2.6 -> 1.6 MB), which counts on a phone at the aircraft."""
    import io

    import pikepdf

    merged = pikepdf.Pdf.new()
    for part in parts:
        merged.pages.extend(pikepdf.Pdf.open(io.BytesIO(part)).pages)
    for name, data in (attachments or {}).items():
        merged.attachments[name] = pikepdf.AttachedFileSpec(
            merged, data, mime_type="application/fhir+json" if name.endswith(".json") else None
        )
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


__all__ = [
    "DocumentError", "Renderer", "check_fonts", "css_string", "merge_pdfs", "qr_data_uri", "render_many",
    "render_pdf",
]  # fmt: skip
