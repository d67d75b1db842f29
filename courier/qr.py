"""A QR code as a small inline SVG (one path), drawn server-side with ReportLab's QR encoder."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics.barcode import qrencoder


def qr_svg(text: str, *, size: int = 260, label: str = "") -> SafeString:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    n = code.getModuleCount()
    quiet = 4
    parts = [f"M{x + quiet} {y + quiet}h1v1h-1z" for y in range(n) for x in range(n) if code.isDark(y, x)]
    full = n + 2 * quiet
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" width="{size}" height="{size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{escape(label)}">'
        f'<rect width="{full}" height="{full}" fill="#fff"/><path fill="#000" d="{"".join(parts)}"/></svg>'
    )
