"""Label printing (打单): a 76×130 mm page per order with sender, receiver, goods and a Code 128 barcode of the
waybill, drawn with ReportLab (hundreds of labels a second, where an HTML renderer manages a few) in an embedded
CJK TrueType font (the vendored WenQuanYi Micro Hei of ``dispatch.cjk_font``). Every print and reprint is
recorded."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core import cjk_font
from core.templatetags.desk import mask_phone

from .exceptions import LabelError
from .models import LabelPrint

PAGE_MM = (76, 130)


def _font() -> str:
    return cjk_font.reportlab_font()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into lines that fit ``width`` points at ``size`` (measured, so Latin and CJK mix right)."""
    lines, line = [], ""
    for ch in text or "":
        if line and stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ch.lstrip()
        else:
            line += ch
    return [*lines, line] if line or not lines else lines


def _lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """At most ``most`` lines of ``text``; what does not fit ends in …."""
    lines = _wrap(text, font, size, width)
    if len(lines) > most:
        last = lines[most - 1]
        while last and stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines = [*lines[: most - 1], last + "…"]
    return lines


def labels_pdf(orders, *, at: datetime | None = None) -> bytes:
    """One PDF, one label page per order (each must carry its waybill number)."""
    at = timezone.localtime(at or timezone.now())
    font = _font()
    width, height = PAGE_MM[0] * mm, PAGE_MM[1] * mm
    text_width = width - 8 * mm  # 4 mm each side
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle("电子面单")
    for order in orders:
        if not order.waybill_no:
            raise LabelError(
                _("Order %(id)s has no waybill number yet: confirm the pickup first.") % {"id": order.channel_order_id}
            )
        y = height - 8 * mm
        c.setFont(font, 11)
        c.drawString(4 * mm, y, "百世快递 · 电子面单")
        c.setFont(font, 7)
        c.drawRightString(width - 4 * mm, y, at.strftime("%Y-%m-%d %H:%M"))
        barcode = code128.Code128(
            order.waybill_no, barHeight=16 * mm, barWidth=0.33 * mm, humanReadable=False, quiet=False
        )
        x = (width - barcode.width) / 2
        barcode.drawOn(c, x, y - 21 * mm)
        c.setFont(font, 12)
        c.drawCentredString(width / 2, y - 26 * mm, order.waybill_no)
        c.line(3 * mm, y - 29 * mm, width - 3 * mm, y - 29 * mm)
        yy = y - 35 * mm
        c.setFont(font, 9)
        c.drawString(4 * mm, yy, f"收 {order.receiver_name} {mask_phone(order.receiver_phone)}")
        c.setFont(font, 8)
        address = f"{order.receiver_province}{order.receiver_city}{order.receiver_district}{order.receiver_address}"
        for line in _lines(address, font, 8, text_width, 3):
            yy -= 4.2 * mm
            c.drawString(4 * mm, yy, line)
        yy -= 6 * mm
        c.line(3 * mm, yy + 3 * mm, width - 3 * mm, yy + 3 * mm)
        c.setFont(font, 9)
        c.drawString(4 * mm, yy, f"寄 {order.sender_name} {mask_phone(order.sender_phone)}")
        c.setFont(font, 8)
        sender = f"{order.sender_province}{order.sender_city}{order.sender_district}{order.sender_address}"
        for line in _lines(sender, font, 8, text_width, 2):
            yy -= 4.2 * mm
            c.drawString(4 * mm, yy, line)
        yy -= 6 * mm
        c.line(3 * mm, yy + 3 * mm, width - 3 * mm, yy + 3 * mm)
        weight = f" · {order.weight_kg} kg" if order.weight_kg else ""
        for line in _lines(f"物品：{order.goods or '—'}{weight}", font, 8, text_width, 2):
            c.drawString(4 * mm, yy, line)
            yy -= 4.2 * mm
        c.setFont(font, 7)
        footer = _lines(
            f"物流号 {order.channel_order_id} · {order.channel.name} · {order.site.name}", font, 7, text_width, 2
        )
        for i, line in enumerate(reversed(footer)):  # from the bottom up, inside the page
            c.drawString(4 * mm, (4 + i * 3.2) * mm, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def labels_print(*, orders, actor, at: datetime | None = None) -> bytes:
    """The PDF, and a record of each label printed (a reprint when the order's label was printed before)."""
    at = at or timezone.now()
    orders = list(orders)
    pdf = labels_pdf(orders, at=at)
    printed = set(LabelPrint.objects.filter(order__in=orders).values_list("order_id", flat=True))
    batch = str(uuid.uuid4()) if len(orders) > 1 else ""
    LabelPrint.objects.bulk_create(
        [
            LabelPrint(
                order=o, waybill_no=o.waybill_no, printed_by=actor, printed_at=at, reprint=o.pk in printed, batch=batch
            )
            for o in orders
        ]
    )
    return pdf
