"""A Cainiao work order in Chromium: it arrives, the unit's clerk answers it, CCS sends it back, the clerk answers
again, CCS passes it, and the result is delivered to Cainiao's CRM (a local HTTP server)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import ResultCallback
from complaints.services import results_deliver, work_order_receive
from logistics.services import scans_ingest
from orders.services import api_client_create

from ..conftest import PASSWORD
from ..twofactor import browser_step_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_work_order_answered_sent_back_answered_passed_and_delivered(net, live_server, page, settings):
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_client_create(
        name="菜鸟CRM",
        kind="crm",
        channel=None,
        adapter="generic",
        callback_url=f"http://127.0.0.1:{server.server_port}/result",
    )
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000991",
                "scan_type": "签收",
                "site_code": net.site_a.code,
                "scanned_at": timezone.now() - timedelta(hours=3),
            }
        ]
    )
    wo, _ = work_order_receive(
        data={
            "wo_id": "CN-E2E-1",
            "type": "false_sign",
            "source": "taobao",
            "waybill_no": "300000000991",
            "description": "显示签收，但我没收到",
            "consumer_name": "孙八",
            "consumer_phone": "13600000000",
        }
    )
    base = live_server.url

    def answer(text):
        login(page, base, net.clerk_a)
        page.goto(f"{base}/work-orders/")
        page.click("text=CN-E2E-1")
        page.get_by_test_id("fact-signed_by").fill("门卫王师傅")
        page.get_by_test_id("fact-received_at").fill("2026-11-23T18:30")
        page.get_by_test_id("wo-reply").fill(text)
        page.get_by_test_id("wo-answer").click()
        expect(page.locator(".alert-success")).to_be_visible()
        page.get_by_test_id("account-menu").click()  # 退出 sits in the account menu
        page.get_by_test_id("logout").click()

    answer("快件已由门卫代收，已致歉")
    login(page, base, net.hq)
    page.wait_for_url(f"{base}/")
    browser_step_up(page, base, net.hq)  # a review that fails fines the unit: the second factor first
    page.goto(f"{base}/work-orders/{wo.pk}/")
    page.get_by_test_id("wo-reason").fill("请上传门卫签收的照片")
    page.get_by_test_id("wo-back").click()
    expect(page.get_by_test_id("wo-state")).to_contain_text("退回")
    page.get_by_test_id("account-menu").click()  # 退出 sits in the account menu
    page.get_by_test_id("logout").click()
    answer("已补充照片：门卫代收，客户已取回")
    login(page, base, net.hq)
    page.wait_for_url(f"{base}/")
    browser_step_up(page, base, net.hq)
    page.goto(f"{base}/work-orders/{wo.pk}/")
    page.get_by_test_id("wo-pass").click()
    expect(page.get_by_test_id("wo-state")).to_contain_text("已结案")
    results_deliver()
    assert got and got[-1]["workOrderId"] == "CN-E2E-1" and "已补充照片" in got[-1]["reply"]
    assert ResultCallback.objects.get().status == "delivered"
    page.reload()
    expect(page.get_by_test_id("wo-history")).to_contain_text("退回")
    server.shutdown()
