"""PDF documents.

WeasyPrint documents (``pdf_render``): A4, the vendored CJK font (``core.cjk_font``, through ``@font-face``) first
in every font stack (page margin boxes included), page numbers, generated time, tables whose header repeats on
every page, SVG charts. Long tables are drawn with ReportLab (``core.pdf_tables``) and joined (``pdf_join``)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from core.pdf_tables import Pdf


def pdf_render(template: str, context: dict) -> Pdf:
    """A WeasyPrint document. ``pages_total`` in the context replaces the footer's own page count (a document
    that is the first part of a joined one)."""
    html = render_to_string(template, {"generated_at": timezone.localtime(), **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return Pdf(content=document.write_pdf(), pages=len(document.pages))
