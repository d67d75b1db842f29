"""Labels (76×130 mm, Code 128 that decodes back, Chinese read back, prints recorded), tracking timelines with
out-of-order scans, exceptions to closure, partner carriers, scoping."""

import re
import subprocess
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from django.urls import reverse
from pypdf import PdfReader

from dispatch import services as ops
from logistics.models import LabelPrint, PartnerCarrier, TrackingEvent, WaybillException
from logistics.services import scans_ingest

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")


def picked(net, waybill, clerk=None, **kw):
    order = make_order(**kw)
    clerk = clerk or net.clerk_a
    ops.order_accept(order_id=order.pk, actor=clerk)
    ops.order_pickup_confirm(order_id=order.pk, actor=clerk, waybill=waybill)
    return order


def test_label_pdf_size_text_and_barcode(net, login, tmp_path):
    order = picked(net, "300012345678", receiver_name="李四", receiver_address="世纪大道1号")
    response = login(net.clerk_a).get(reverse("logistics:label", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    page = PdfReader(BytesIO(pdf)).pages[0]
    width_mm, height_mm = float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4
    assert round(width_mm) == 76 and round(height_mm) == 130
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "张三" in text and "李四" in text and "世纪大道1号" in text and "300012345678" in text
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(path), str(tmp_path / "page")], check=True)
    from PIL import Image
    from pyzbar.pyzbar import decode

    codes = decode(Image.open(next(tmp_path.glob("page*.png"))))
    assert [(c.type, c.data.decode()) for c in codes] == [("CODE128", "300012345678")]
    login(net.clerk_a).get(reverse("logistics:label", args=[order.pk]))
    assert list(LabelPrint.objects.order_by("id").values_list("reprint", flat=True)) == [False, True]


def test_batch_labels_one_pdf(net, login):
    a, b = picked(net, "300000000101"), picked(net, "300000000102")
    response = login(net.clerk_a).post(reverse("logistics:labels_batch"), {"ids": [a.pk, b.pk]})
    assert len(PdfReader(BytesIO(response.content)).pages) == 2
    assert LabelPrint.objects.filter(batch__gt="").count() == 2
    other = picked(
        net, "300000000103", clerk=net.clerk_b, sender_city="宁波市", sender_district="海曙区"
    )  # site_b's order
    assert login(net.clerk_a).get(reverse("logistics:label", args=[other.pk])).status_code == 404


def test_timeline_in_scan_order_whatever_the_arrival(net, login):
    picked(net, "300000000201")
    code = net.site_a.code
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000201",
                "scan_type": "签收",
                "site_code": code,
                "scanned_at": datetime(2026, 11, 24, 8, 30, tzinfo=SH),
            }
        ]
    )
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000201",
                "scan_type": "揽收",
                "site_code": code,
                "scanned_at": datetime(2026, 11, 23, 10, tzinfo=SH),
            },
            {
                "waybill_no": "300000000201",
                "scan_type": "派件",
                "site_code": code,
                "scanned_at": datetime(2026, 11, 24, 7, tzinfo=SH),
            },
        ]
    )
    page = login(net.clerk_a).get(reverse("logistics:track_detail", args=["300000000201"])).content.decode()
    timeline = page.split('data-testid="tracking-timeline"')[1].split("</ol>")[0]
    assert timeline.index("揽收") < timeline.index("派件") < timeline.index("签收")
    assert TrackingEvent.objects.count() == 3
    assert login(net.clerk_b).get(reverse("logistics:track_detail", args=["300000000201"])).status_code == 404
    r = login(net.clerk_a).get(reverse("logistics:track"), {"q": "300000000201"})
    assert r.status_code == 302


def test_exception_lifecycle_and_carriers(net, login):
    picked(net, "300000000301")
    client = login(net.clerk_a)
    client.post(
        reverse("logistics:exception_raise", args=["300000000301"]), {"kind": "damage", "description": "外箱破损"}
    )
    exc = WaybillException.objects.get()
    assert exc.status == "open" and exc.site == net.site_a
    client.post(reverse("logistics:exception_step", args=[exc.pk]), {"text": "已联系客户"})
    assert WaybillException.objects.get().status == "handling"
    client.post(reverse("logistics:exception_step", args=[exc.pk]), {"text": "已理赔", "close": "1"})
    exc.refresh_from_db()
    assert exc.status == "closed" and exc.closed_at and exc.steps.count() == 3
    r = client.post(reverse("logistics:exception_step", args=[exc.pk]), {"text": "再加"}, follow=True)
    assert "已关闭" in r.content.decode()
    hq = login(net.hq)
    hq.post(reverse("logistics:carriers"), {"code": "SF", "name": "顺丰", "active": "on"})
    carrier = PartnerCarrier.objects.get()
    assert "顺丰" in hq.get(reverse("logistics:carriers"), {"q": "顺"}).content.decode()
    hq.post(reverse("logistics:carriers"), {"pk": carrier.pk, "code": "SF", "name": "顺丰速运"})  # active unticked
    assert not PartnerCarrier.objects.get().active
    client = login(net.clerk_a)
    r = client.post(reverse("logistics:handover", args=["300000000301"]), {"carrier": carrier.pk}, follow=True)
    assert "未启用" in r.content.decode() or "not active" in r.content.decode()
    assert client.post(reverse("logistics:carriers"), {"code": "X", "name": "Y"}).status_code == 302
    assert PartnerCarrier.objects.count() == 1


def test_every_line_of_a_label_stays_inside_the_76_mm_page(net, login, tmp_path):
    """A long site name, order number and address are wrapped by their measured width: nothing runs past the
    label's edge, the footer included."""
    from core.models import Site

    Site.objects.filter(pk=net.site_a.pk).update(name="杭州市西湖区文三路与学院路交叉口东北角综合服务网点")
    order = picked(
        net,
        "300012345679",
        channel_order_id="LP-2026-11-23-ABCDEFGHIJKLMNOP",
        receiver_address="世纪大道1号东方明珠广播电视塔旁边的那栋很高很高的写字楼二十八层2801室前台",
    )
    path = tmp_path / "label.pdf"
    path.write_bytes(login(net.clerk_a).get(reverse("logistics:label", args=[order.pk])).content)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    page_width = 76 / 25.4 * 72
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert right_edges and max(right_edges) <= page_width - 2, (max(right_edges), page_width)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "")
    assert "LP-2026-11-23-ABCDEFGHIJKLMNOP" in flat.replace(" ", "") and "综合服务" in flat
