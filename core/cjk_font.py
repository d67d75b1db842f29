"""The one CJK font of every PDF and label: WenQuanYi Micro Hei (文泉驿微米黑), a TrueType font vendored in
``dispatch/fonts/`` with its licence, so Chinese renders after ``make run`` on a fresh machine whatever fonts
the system has. WeasyPrint loads it through ``@font-face`` (``font_face_css``, the ``{% cjk_font_face %}`` tag
of the PDF templates); ReportLab (labels) registers it once (``reportlab_font``)."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
#: the family name the PDF templates use first in every font stack
FAMILY = "Q9 CJK"
#: the font name labels set with ReportLab
REPORTLAB_NAME = "Q9CJK"
_lock = threading.Lock()
_registered = False


def font_face_css() -> str:
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{FONT_PATH.as_uri()}"); }}'


def reportlab_font() -> str:
    """Register the font with ReportLab (once per process) and answer its name."""
    global _registered
    with _lock:
        if not _registered:
            pdfmetrics.registerFont(TTFont(REPORTLAB_NAME, str(FONT_PATH), subfontIndex=0))
            _registered = True
    return REPORTLAB_NAME
