"""Forms keep what was typed after an error: a refused transfer, failure or re-appointment reopens its dialog
with the note on the next page; a refused appeal shows the statement again; read once."""

import json
import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dispatch import services as ops

from ..factories import make_order


def _typed(html: str):
    found = re.search(r'<script id="q9-typed" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_refused_transfer_reopens_the_dialog_with_the_note(net, login):
    order = make_order()
    client = login(net.clerk_a)
    url = reverse("dispatch:order_transfer", args=[order.pk])
    page = client.post(
        url, {"to_site": "nowhere", "text": "地址在隔壁区，客户电话确认", "next": "/desk/accept/"}, follow=True
    ).content.decode()
    typed = _typed(page)
    assert typed["modal"] == "transfer-modal" and typed["action"] == url and typed["order"] == order.channel_order_id
    assert typed["data"]["text"] == "地址在隔壁区，客户电话确认" and "csrfmiddlewaretoken" not in typed["data"]
    assert _typed(client.get(reverse("dispatch:workbench")).content.decode()) is None  # once
    # a refusal by the operation itself (transfer to itself) keeps it too
    page = client.post(
        url, {"to_site": net.site_a.code, "text": "再试一次", "next": "/desk/accept/"}, follow=True
    ).content.decode()
    assert _typed(page)["data"]["text"] == "再试一次"


def test_refused_pickup_failure_keeps_the_text(net, login):
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    client = login(net.clerk_a)
    page = client.post(
        reverse("dispatch:order_pickup_fail", args=[order.pk]),
        {"reason": "", "text": "客户不在家，约好明天", "next": "/desk/pickup/"},
        follow=True,
    ).content.decode()
    typed = _typed(page)
    assert typed["modal"] == "fail-modal" and typed["data"]["text"] == "客户不在家，约好明天"


def test_htmx_fragments_do_not_consume_it(net, login):
    order = make_order()
    client = login(net.clerk_a)
    client.post(reverse("dispatch:order_transfer", args=[order.pk]), {"to_site": "", "text": "留着"})
    client.get(reverse("dispatch:workbench_rows"), HTTP_HX_REQUEST="true")
    assert _typed(client.get(reverse("dispatch:workbench")).content.decode())["data"]["text"] == "留着"


def test_appeal_refused_for_its_attachment_keeps_the_statement(net, login):
    from penalties.models import Violation
    from penalties.reports import weekly_notices
    from penalties.sweep import sla_sweep

    now = timezone.now()
    order = make_order(order_time=now - timedelta(days=8), at=now - timedelta(days=8))
    sla_sweep(since=now - timedelta(days=9), until=now - timedelta(days=7), at=now - timedelta(days=7))
    monday = (now - timedelta(days=8)).date() - timedelta(days=(now - timedelta(days=8)).weekday())
    weekly_notices(week=monday, at=now - timedelta(hours=1))
    v = Violation.objects.filter(order=order).first()  # late accept (and late pickup)
    client = login(net.clerk_a)
    bad = SimpleUploadedFile("病毒.exe", b"MZ...", content_type="application/octet-stream")
    page = client.post(
        reverse("penalties:appeal_file", args=[v.pk]), {"text": "当时系统故障，附截图说明", "files": [bad]}, follow=True
    ).content.decode()
    assert "alert-danger" in page
    assert "当时系统故障，附截图说明</textarea>" in page


def test_what_is_kept_is_bounded(net, login):
    order = make_order()
    client = login(net.clerk_a)
    data = {f"f{i}": "x" * 10_000 for i in range(200)}
    client.post(reverse("dispatch:order_transfer", args=[order.pk]), {"to_site": "", "many": ["y" * 500] * 100, **data})
    typed = _typed(client.get(reverse("dispatch:workbench")).content.decode())
    assert len(typed["data"]) <= 40 and all(len(v) <= 4000 for v in typed["data"].values())
    assert len(typed["lists"]["many"]) == 40 and all(len(v) == 200 for v in typed["lists"]["many"])


def test_boxes_ticked_together_are_kept_together(net, login):
    """A field posted more than once (ticked boxes) keeps every value in order, beside its last one in data."""
    order = make_order()
    client = login(net.clerk_a)
    client.post(
        reverse("dispatch:order_transfer", args=[order.pk]), {"to_site": "", "text": "留着", "cited": ["b", "a"]}
    )
    typed = _typed(client.get(reverse("dispatch:workbench")).content.decode())
    assert typed["lists"] == {"cited": ["b", "a"]} and typed["data"]["cited"] == "a"
