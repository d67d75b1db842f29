"""Cainiao work orders: routing to each unit kind and the HQ fallback, each type's answer form, the time-limit
edges, send-back loops, the result back to Cainiao with retries, the assessment on a worked example, scoping."""

import json
import logging
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import ResultCallback, WorkOrder
from complaints.selectors import assessment
from core.models import Site
from dispatch import services as ops
from finance.models import LedgerEntry
from logistics.services import scans_ingest
from orders.services import api_client_create

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def receive(**kw):
    data = {
        "wo_id": "WO1",
        "type": "where",
        "source": "guoguo",
        "waybill_no": "300000000901",
        "description": "快递到哪了？",
        "consumer_name": "赵六",
        "consumer_phone": "13700000000",
    }
    data.update(kw)
    return services.work_order_receive(data=data, at=kw.pop("at", T0))[0]


def scan(net, waybill, site_code, when=T0 - timedelta(hours=5), kind="到件"):
    scans_ingest(scans=[{"waybill_no": waybill, "scan_type": kind, "site_code": site_code, "scanned_at": when}])


def test_routing_to_each_unit_kind_and_the_hq_fallback(net):
    sorting = Site.objects.create(code="33FB01", name="浙江转运中心", province=net.zj, kind=Site.Kind.SORTING)
    direct = Site.objects.create(code="33ZY01", name="浙江直营点部", province=net.zj, kind=Site.Kind.DIRECT)
    scan(net, "300000000911", net.site_b.code, T0 - timedelta(hours=9))
    scan(net, "300000000911", sorting.code, T0 - timedelta(hours=3))  # the latest scan decides
    assert receive(wo_id="A", waybill_no="300000000911").unit == sorting
    scan(net, "300000000912", direct.code)
    assert receive(wo_id="B", waybill_no="300000000912").unit == direct
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000913")
    assert receive(wo_id="C", waybill_no="300000000913").unit == net.site_a  # no scan: the order's site
    unknown = receive(wo_id="D", waybill_no="399999999999")
    assert unknown.unit is None and unknown.state == "unassigned"
    with pytest.raises(services.WorkOrderError):
        services.work_order_assign(work_order_id=unknown.pk, unit=net.site_b, actor=net.lcs_zj)
    services.work_order_assign(work_order_id=unknown.pk, unit=net.site_b, actor=net.hq)
    assert WorkOrder.objects.get(pk=unknown.pk).state == "open"


def test_idempotent_on_the_work_order_id(net):
    first = receive(wo_id="X1")
    again, created = services.work_order_receive(
        data={
            "wo_id": "X1",
            "type": "where",
            "source": "guoguo",
            "waybill_no": "300000000901",
            "description": "快递到哪了？",
        }
    )
    assert again.pk == first.pk and not created
    with pytest.raises(services.WorkOrderError):
        services.work_order_receive(
            data={
                "wo_id": "X1",
                "type": "delay",
                "source": "guoguo",
                "waybill_no": "300000000901",
                "description": "快递到哪了？",
            }
        )


@pytest.mark.parametrize(
    "wo_type, good, missing",
    [
        ("false_sign", {"signed_by": "门卫", "received_at": "2026-11-23T18:00"}, "received_at"),
        ("locker", {"left_at": "丰巢柜 A12", "consent": "no"}, "consent"),
        ("pickup_point", {"left_at": "菜鸟驿站", "consent": "yes"}, "left_at"),
        ("where", {"location": "杭州转运中心", "next_step": "明天派送"}, "location"),
        ("damage", {"finding": "外包装破损，已联系理赔"}, "finding"),
    ],
)
def test_each_types_answer_form(net, wo_type, good, missing):
    scan(net, "300000000921", net.site_a.code)
    wo = receive(wo_id=f"T-{wo_type}", type=wo_type, waybill_no="300000000921")
    bad = {k: v for k, v in good.items() if k != missing}
    with pytest.raises(services.WorkOrderError) as info:
        services.work_order_answer(work_order_id=wo.pk, actor=net.clerk_a, facts=bad, text="", reply="已处理")
    assert info.value.field == missing
    with pytest.raises(services.WorkOrderError):
        services.work_order_answer(work_order_id=wo.pk, actor=net.clerk_a, facts=good, text="", reply="")
    with pytest.raises(services.WorkOrderError):  # not the unit's clerk
        services.work_order_answer(work_order_id=wo.pk, actor=net.clerk_b, facts=good, text="", reply="x")
    services.work_order_answer(work_order_id=wo.pk, actor=net.clerk_a, facts=good, text="核实", reply="已处理")
    wo.refresh_from_db()
    assert wo.state == "answered" and wo.answer == {**{k: "" for k in ["next_step"] if wo_type == "where"}, **good}


def test_time_limit_edges_and_the_fine(net, settings):
    scan(net, "300000000931", net.site_a.code)
    on_time = receive(wo_id="L1", waybill_no="300000000931")
    late = receive(wo_id="L2", waybill_no="300000000931")
    assert on_time.due_at == T0 + timedelta(hours=24)
    services.work_order_answer(
        work_order_id=on_time.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="明天送达",
        at=on_time.due_at,
    )
    services.work_order_answer(
        work_order_id=late.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="明天送达",
        at=late.due_at + timedelta(seconds=1),
    )
    assert (WorkOrder.objects.get(pk=on_time.pk).late_answers, WorkOrder.objects.get(pk=late.pk).late_answers) == (0, 1)
    from penalties.models import Violation

    fine = Violation.objects.get()
    assert (fine.rule, fine.source, fine.work_order_id, fine.reference, fine.site) == (
        "WO_LATE",
        "work_order",
        late.pk,
        "L2",
        net.site_a,
    )
    assert list(fine.events.values_list("kind", "data")) == [("detected", {"source": "work_order"})]
    entry = LedgerEntry.objects.get()
    assert (entry.heading, entry.code, entry.amount, entry.source_id) == ("work_orders", "WO_LATE", -50, fine.pk)
    cainiao = receive(wo_id="L3", waybill_no="300000000931", limit_hours=4)  # Cainiao's own limit wins
    assert cainiao.due_at == T0 + timedelta(hours=4)


def test_send_back_loop_and_the_clock_setting(net, settings):
    scan(net, "300000000941", net.site_a.code)
    wo = receive(wo_id="S1", waybill_no="300000000941", type="false_sign")
    facts = {"signed_by": "本人", "received_at": "2026-11-23T12:00"}
    services.work_order_answer(
        work_order_id=wo.pk, actor=net.clerk_a, facts=facts, text="", reply="x", at=T0 + timedelta(hours=1)
    )
    with pytest.raises(services.WorkOrderError):
        services.work_order_review(work_order_id=wo.pk, actor=net.hq, passed=False, reason="")
    services.work_order_review(
        work_order_id=wo.pk, actor=net.hq, passed=False, reason="请附签收底单", at=T0 + timedelta(hours=2)
    )
    wo.refresh_from_db()
    assert wo.state == "sent_back" and wo.due_at == T0 + timedelta(hours=26) and wo.first_review_passed is False
    assert LedgerEntry.objects.get(code="WO_QUALITY").amount == -20
    settings.WORK_ORDER_RESTART_ON_SEND_BACK = False
    services.work_order_answer(
        work_order_id=wo.pk, actor=net.clerk_a, facts=facts, text="附底单", reply="x", at=T0 + timedelta(hours=3)
    )
    services.work_order_review(
        work_order_id=wo.pk, actor=net.hq, passed=False, reason="还缺照片", at=T0 + timedelta(hours=4)
    )
    wo.refresh_from_db()
    assert wo.due_at == T0 + timedelta(hours=26)  # the clock did not restart this time
    services.work_order_answer(
        work_order_id=wo.pk, actor=net.clerk_a, facts=facts, text="附照片", reply="x", at=T0 + timedelta(hours=5)
    )
    services.work_order_review(work_order_id=wo.pk, actor=net.hq, passed=True, at=T0 + timedelta(hours=6))
    wo.refresh_from_db()
    assert wo.state == "closed" and wo.reviews == 3 and LedgerEntry.objects.filter(code="WO_QUALITY").count() == 1
    kinds = list(wo.events.values_list("kind", flat=True))
    assert kinds.count("sent_back") == 2 and kinds[-1] == "passed"


class Receiver:
    def __init__(self, fail=0):
        self.fail, self.got = fail, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                outer.got.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
                self.send_response(500 if len(outer.got) <= outer.fail else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/result"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_result_back_to_cainiao_with_retries(net, settings, django_capture_on_commit_callbacks):
    settings.CALLBACK_BACKOFF_SECONDS = 0
    logged = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = logged.append
    logging.getLogger("q9.outbox").addHandler(handler)
    receiver = Receiver(fail=1)
    api_client_create(name="菜鸟CRM", kind="crm", channel=None, adapter="generic", callback_url=receiver.url)
    scan(net, "300000000951", net.site_a.code)
    wo = receive(wo_id="R1", waybill_no="300000000951")
    services.work_order_answer(
        work_order_id=wo.pk, actor=net.clerk_a, facts={"location": "网点"}, text="核实", reply="今天送达"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_review(work_order_id=wo.pk, actor=net.hq, passed=True)
    row = ResultCallback.objects.get()
    ResultCallback.objects.filter(pk=row.pk).update(next_attempt_at=row.next_attempt_at - timedelta(minutes=2))
    services.results_deliver()
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 2
    # the same outbox as the channels' callbacks: every attempt recorded, the failure logged
    assert [(a.ok, a.status_code) for a in row.deliveries.all()] == [(False, 500), (True, 200)]
    logging.getLogger("q9.outbox").removeHandler(handler)
    assert [r.getMessage() for r in logged] == [
        f"complaints.results: message {row.pk} to {receiver.url} failed (attempt 1): HTTP 500: "
    ]
    assert receiver.got[-1]["workOrderId"] == "R1" and receiver.got[-1]["reply"] == "今天送达"
    assert wo.events.filter(kind="result_sent").count() == 1
    receiver.server.shutdown()


def test_assessment_worked_example(net):
    scan(net, "300000000961", net.site_a.code)
    week = T0.date() - timedelta(days=T0.weekday())
    a = receive(wo_id="E1", waybill_no="300000000961")
    b = receive(wo_id="E2", waybill_no="300000000961")
    c = receive(wo_id="E3", waybill_no="300000000961")
    for wo, hours in ((a, 2), (b, 6), (c, 30)):
        services.work_order_answer(
            work_order_id=wo.pk,
            actor=net.clerk_a,
            facts={"location": "x"},
            text="",
            reply="y",
            at=T0 + timedelta(hours=hours),
        )
    services.work_order_review(work_order_id=a.pk, actor=net.hq, passed=True)
    services.work_order_review(work_order_id=b.pk, actor=net.hq, passed=False, reason="不清楚")
    row = assessment(user=net.hq, week=week)[0]
    assert (row["count"], row["median_hours"], row["late"], row["reviewed"], row["pass_rate"]) == (3, 6.0, 1, 2, 0.5)


def test_scoping_and_pages(net, login):
    scan(net, "300000000971", net.site_b.code)
    wo = receive(wo_id="P1", waybill_no="300000000971")
    assert login(net.clerk_a).get(reverse("complaints:detail", args=[wo.pk])).status_code == 404
    page = login(net.clerk_b).get(reverse("complaints:list")).content.decode()
    assert "P1" in page and "137****0000" in page
    lcs = login(net.lcs_zj)
    assert "P1" in lcs.get(reverse("complaints:list")).content.decode()
    lcs.post(reverse("complaints:chase", args=[wo.pk]))
    assert wo.events.filter(kind="chased").exists()
    assert login(net.lcs_xj).get(reverse("complaints:detail", args=[wo.pk])).status_code == 404
    hq = login(net.hq)
    r = hq.post(
        reverse("complaints:new"),
        {"wo_id": "HQ-1", "type": "attitude", "source": "pc", "waybill_no": "399999999990", "description": "态度差"},
        follow=True,
    )
    assert WorkOrder.objects.get(wo_id="HQ-1").state == "unassigned" and r.status_code == 200
    assert "网点" in hq.get(reverse("complaints:assessment")).content.decode()


def test_early_warning_two_hours_before(net):
    from core.models import Message

    scan(net, "300000000991", net.site_a.code)
    wo = receive(wo_id="W1", waybill_no="300000000991")
    assert services.warnings_send(at=wo.due_at - timedelta(hours=2, seconds=1)) == 0
    assert services.warnings_send(at=wo.due_at - timedelta(hours=2)) == 1
    assert services.warnings_send(at=wo.due_at - timedelta(hours=1)) == 0  # once
    assert Message.objects.filter(site=net.site_a, category="work_order", title__contains="2").exists()


def test_work_order_fines_go_through_the_notice_and_appeals_but_not_refunds(net):
    from datetime import date

    from penalties import appeals
    from penalties.models import NoticeLine, Violation
    from penalties.money import monthly_settlement
    from penalties.reports import weekly_notices

    scan(net, "300000000992", net.site_a.code)
    wo = receive(wo_id="N1", waybill_no="300000000992")
    services.work_order_answer(
        work_order_id=wo.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="x",
        at=wo.due_at + timedelta(minutes=5),
    )
    fine = Violation.objects.get(rule="WO_LATE")
    notice_at = datetime(2026, 11, 30, 9, 0, tzinfo=SH)
    weekly_notices(week=date(2026, 11, 23), at=notice_at)
    line = NoticeLine.objects.get(violation=fine)
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(line.notice.pdf.read())).pages)
    assert "N1" in text and "菜鸟工单" in text
    appeal = appeals.appeal_file(
        violation_id=fine.pk, actor=net.clerk_a, text="系统延迟", at=notice_at + timedelta(hours=1)
    )
    appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=True, text="属实")
    assert LedgerEntry.objects.filter(heading="work_orders").values_list("amount", flat=True).count() == 2
    # a standing work-order fine does not stop the online-order refund of a clean month
    make_order(order_time=datetime(2026, 12, 3, 10, tzinfo=SH))
    services.work_order_answer  # noqa: B018 - (the fine above was cancelled; raise another standing one)
    wo2 = receive(wo_id="N2", waybill_no="300000000992", at=datetime(2026, 12, 2, 10, tzinfo=SH))
    services.work_order_answer(
        work_order_id=wo2.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="x",
        at=wo2.due_at + timedelta(minutes=5),
    )
    from core.clock import week_of as _week
    from penalties.models import RuleVersion

    order = make_order(order_time=datetime(2026, 11, 10, 10, tzinfo=SH))
    Violation.objects.create(
        order=order,
        stint=1,
        rule="FALSE_WAYBILL",
        site=net.site_a,
        province=net.zj,
        rule_version=RuleVersion.objects.get(code="FALSE_WAYBILL"),
        fine=500,
        occurred_at=datetime(2026, 11, 10, 10, tzinfo=SH),
        week=_week(datetime(2026, 11, 10, tzinfo=SH)),
        status="CONFIRMED",
        source="audit",
        created_at=datetime(2026, 11, 10, tzinfo=SH),
    )
    monthly_settlement(month=date(2026, 11, 1), at=datetime(2026, 12, 1, 2, tzinfo=SH))
    monthly_settlement(month=date(2026, 12, 1), at=datetime(2027, 1, 1, 2, tzinfo=SH))
    refund = LedgerEntry.objects.get(code="REFUND_60")
    assert refund.amount == 300  # December was clean for online orders despite its work-order fine


def test_an_unanswered_work_order_is_found_late_at_its_limit(net):
    """The periodic job finds the work order nobody answered (set-based), once."""
    from penalties.models import Violation
    from tests.rulebook_seed import rules_seed

    rules_seed()
    scan(net, "300000000941", net.site_a.code)
    silent = receive(wo_id="S1", waybill_no="300000000941")
    answered = receive(wo_id="S2", waybill_no="300000000941")
    services.work_order_answer(
        work_order_id=answered.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="已送达",
        at=T0 + timedelta(hours=2),
    )
    assert services.work_orders_overdue(at=silent.due_at) == 0  # exactly at the limit: not late yet
    assert services.work_orders_overdue(at=silent.due_at + timedelta(seconds=1)) == 1
    fine = Violation.objects.get()
    assert (fine.rule, fine.work_order_id, fine.site, fine.occurred_at) == (
        "WO_LATE",
        silent.pk,
        net.site_a,
        silent.due_at,
    )
    assert LedgerEntry.objects.get().source_id == fine.pk
    assert services.work_orders_overdue(at=silent.due_at + timedelta(hours=1)) == 0  # a rerun: nothing
    services.work_order_answer(
        work_order_id=silent.pk,
        actor=net.clerk_a,
        facts={"location": "网点"},
        text="",
        reply="已送达",
        at=silent.due_at + timedelta(hours=2),
    )
    silent.refresh_from_db()
    assert silent.late_answers == 1 and Violation.objects.count() == 1  # counted and fined once
    week = T0.date() - timedelta(days=T0.weekday())
    row = next(r for r in assessment(user=net.hq, week=week) if r["unit"] == net.site_a)
    assert row["late"] == 1


def test_hq_assignment_from_its_queue_starts_the_units_limit(net):
    waiting = receive(wo_id="Q1", waybill_no="999999999999")  # no scan, no order: HQ's queue
    assert waiting.state == "unassigned" and waiting.unit is None
    assert services.work_orders_overdue(at=waiting.due_at + timedelta(hours=1)) == 0  # nobody's yet
    assigned_at = T0 + timedelta(hours=30)
    services.work_order_assign(work_order_id=waiting.pk, unit=net.site_b, actor=net.hq, at=assigned_at)
    waiting.refresh_from_db()
    assert waiting.due_at == assigned_at + timedelta(hours=waiting.limit_hours)
    assert services.work_orders_overdue(at=assigned_at + timedelta(hours=1)) == 0
