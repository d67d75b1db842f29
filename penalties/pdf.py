"""WeasyPrint documents: A4, the vendored CJK font (``dispatch.cjk_font``, through ``@font-face``) first in every
font stack (page margin boxes included), page numbers,
generated time, tables whose header repeats on every page, SVG charts."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML


@dataclass
class Pdf:
    content: bytes
    pages: int


def pdf_render(template: str, context: dict) -> Pdf:
    html = render_to_string(template, {"generated_at": timezone.localtime(), **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return Pdf(content=document.write_pdf(), pages=len(document.pages))
