"""An export on every list (work orders, appeals, rewards, silent sites, stock, couriers): each opens in
openpyxl, has the list's header, and its dates and numbers are typed cells (not text)."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from django.urls import reverse
from openpyxl import load_workbook

from complaints import services as wo_services
from logistics.services import scans_ingest
from penalties import appeals
from penalties.models import Violation
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from .factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_work_order_export_has_typed_times(net, login):
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000971",
                "scan_type": "到件",
                "site_code": net.site_a.code,
                "scanned_at": T0 - timedelta(hours=5),
            }
        ]
    )
    wo_services.work_order_receive(
        data={
            "wo_id": "EX1",
            "type": "where",
            "source": "guoguo",
            "waybill_no": "300000000971",
            "description": "在哪",
            "consumer_phone": "13700001234",
        },
        at=T0,
    )
    rows = _rows(login(net.hq).get(reverse("complaints:export"), {"q": "EX1"}))
    [row] = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert row["工单"] == "EX1" and row["运单号"] == "300000000971" and row["消费者"].endswith("137****1234")
    assert row["发起时间"] == datetime(2026, 11, 17, 10, 0)  # a spreadsheet time, Beijing wall time
    assert isinstance(row["回复时限"], datetime)


def test_appeal_export(net, login):
    order = make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=date(2026, 11, 16), at=NOTICE_AT)
    v = Violation.objects.get(order=order)
    appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="系统故障", at=NOTICE_AT + timedelta(hours=1))
    rows = _rows(login(net.lcs_zj).get(reverse("penalties:appeal_export")))  # the queue waiting for the province
    [row] = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert row["申诉时间"] == datetime(2026, 11, 23, 10, 0) and row["物流号"] == order.channel_order_id
    assert row["罚款"] == 100 and row["网点申诉理由"] == "系统故障"
    assert _rows(login(net.lcs_xj).get(reverse("penalties:appeal_export")))[1:] == []  # scoped


def test_silent_sites_stock_rewards_and_couriers_exports(net, login):
    client = login(net.hq)
    silent = _rows(client.get(reverse("dispatch:silent_sites_export")))
    assert silent[0][0] == "网点编码" and any(row[0] == net.site_a.code for row in silent[1:])
    stock = _rows(client.get(reverse("inventory:stock_export"), {"site": net.site_a.code}))
    assert stock[0][:3] == ("物料", "库存", "最低") and all(isinstance(row[1], int) for row in stock[1:])
    rewards = _rows(client.get(reverse("penalties:rewards_export")))
    assert rewards[0] == ("省份", "#", "网点", "揽收成功", "按时率", "奖励（元）")  # the page's ranking
    couriers = _rows(login(net.clerk_a).get(reverse("dispatch:couriers_export")))
    site = couriers[0].index("网点")
    assert {row[site] for row in couriers[1:]} == {net.site_a.name, net.area_a.name}  # the site and its contract area
