"""Imported by the process that document renderers are started from (evac.documents.Renderer):
WeasyPrint loaded and its fonts configured there once, so that each renderer, a copy of that
process, starts at once instead of spending a second on them."""

from evac.documents import _write_pdf

_write_pdf("<!doctype html><p>evac</p>")
