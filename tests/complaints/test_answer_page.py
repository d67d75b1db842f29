"""The work-order page: the answer read with its labels (no field names, no ISO times), proof files as links
for those who may see the work order, and the answer form that keeps what was typed after an error and comes
back filled in when CCS sends the answer back."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from logistics.services import scans_ingest

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def _work_order(net, waybill="300000000951"):
    scans_ingest(
        scans=[
            {
                "waybill_no": waybill,
                "scan_type": "到件",
                "site_code": net.site_a.code,
                "scanned_at": T0 - timedelta(hours=5),
            }
        ]
    )
    return services.work_order_receive(
        data={
            "wo_id": f"A{waybill}",
            "type": "false_sign",
            "source": "guoguo",
            "waybill_no": waybill,
            "description": "没收到却显示签收",
        },
        at=T0,
    )[0]


def test_answer_shown_with_labels_and_proof_as_links(net, login):
    wo = _work_order(net)
    services.work_order_answer(
        work_order_id=wo.pk,
        actor=net.clerk_a,
        facts={"signed_by": "门卫王师傅", "received_at": "2026-11-24T09:30"},
        text="门卫代收",
        reply="已致歉",
        files=[SimpleUploadedFile("签收底单.png", b"\x89PNG proof")],
        at=T0 + timedelta(hours=1),
    )
    page = login(net.hq).get(reverse("complaints:detail", args=[wo.pk])).content.decode()
    assert "签收人</strong>：门卫王师傅" in page and "客户实际收到时间</strong>：2026-11-24 09:30" in page
    assert "signed_by" not in page and "2026-11-24T09:30" not in page
    att = wo.attachments.get()
    link = reverse("complaints:attachment", args=[wo.pk, att.pk])
    assert f'href="{link}"' in page
    download = login(net.clerk_a).get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"\x89PNG proof"
    assert login(net.clerk_b).get(link).status_code == 404


def test_a_refused_answer_keeps_what_was_typed(net, login):
    wo = _work_order(net, "300000000952")
    client = login(net.clerk_a)
    response = client.post(
        reverse("complaints:answer", args=[wo.pk]),
        {"signed_by": "门卫王师傅", "received_at": "2026-11-24T09:30", "text": "门卫代收，已核实", "reply": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "请填写给消费者的答复。" in page
    assert 'value="门卫王师傅"' in page and 'value="2026-11-24T09:30"' in page and "门卫代收，已核实</textarea>" in page


def test_a_sent_back_answer_comes_back_filled_in(net, login):
    wo = _work_order(net, "300000000953")
    services.work_order_answer(
        work_order_id=wo.pk,
        actor=net.clerk_a,
        facts={"signed_by": "本人", "received_at": "2026-11-23T12:00"},
        text="本人签收",
        reply="您的快件已签收",
        at=T0 + timedelta(hours=1),
    )
    services.work_order_review(
        work_order_id=wo.pk, actor=net.hq, passed=False, reason="请附签收底单", at=T0 + timedelta(hours=2)
    )
    page = login(net.clerk_a).get(reverse("complaints:detail", args=[wo.pk])).content.decode()
    assert 'value="本人"' in page and 'value="2026-11-23T12:00"' in page
    assert "本人签收</textarea>" in page and "您的快件已签收</textarea>" in page
