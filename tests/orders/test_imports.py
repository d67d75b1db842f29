"""HQ's file imports: the whole file checked first with a per-row report in Chinese and nothing imported while
any row is wrong; a clean file imported all at once (Celery) with its progress; orders, sites and scans."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.models import Site
from dispatch import services as ops
from logistics.models import TrackingEvent
from orders.models import ImportJob, OnlineOrder
from orders.services import channels_ensure

from ..factories import make_order

HEADER = "物流号,寄件人,寄件电话,寄件省,寄件市,寄件区县,寄件地址,物品,重量,业务类型\n"


def csv_file(text, name="orders.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_orders_import_reports_every_problem_and_imports_nothing(net, login, django_capture_on_commit_callbacks):
    channel = channels_ensure()["taobao"]
    client = login(net.hq)
    bad = (
        HEADER + "IMP001,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1.5,我要寄快递\n"
        "IMP002,,13800000002,浙江省,杭州市,西湖区,文三路2号,衣服,abc,我要寄快递\n"
        "IMP001,王五,13800000003,浙江省,杭州市,西湖区,文三路3号,书,1,在线下单\n"
    )
    r = client.post(
        reverse("orders:imports"), {"kind": "orders", "channel": channel.pk, "file": csv_file(bad)}, follow=True
    )
    page = r.content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID and not OnlineOrder.objects.exists()
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "寄件人"), (3, "重量"), (4, "物流号")}
    assert "必填" in page and "与第 2 行重复" in page and "须为数字" in page
    good = (
        HEADER + "IMP001,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1.5,我要寄快递\n"
        "IMP002,李四,13800000002,浙江省,宁波市,海曙区,中山路2号,衣服,2,在线下单\n"
    )
    client.post(
        reverse("orders:imports"), {"kind": "orders", "channel": channel.pk, "file": csv_file(good, encoding="gbk")}
    )
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.READY and job.preview[1][0] == "IMP001"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and "新建 2" in job.summary
    assert OnlineOrder.objects.get(channel_order_id="IMP002").site == net.site_b
    assert OnlineOrder.objects.get(channel_order_id="IMP002").business_type == "online"
    partial = client.get(reverse("orders:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "2 / 2" in partial


def test_an_import_that_fails_while_running_imports_nothing(net, django_capture_on_commit_callbacks, login):
    channel = channels_ensure()["taobao"]
    make_order(channel="taobao", channel_order_id="IMP100", goods="原来的")
    text = (
        HEADER + "IMP099,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1,我要寄快递\n"
        "IMP100,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,不同的物品,1,我要寄快递\n"
    )
    client = login(net.hq)
    client.post(reverse("orders:imports"), {"kind": "orders", "channel": channel.pk, "file": csv_file(text)})
    job = ImportJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.errors[0]["row"] == 3
    assert not OnlineOrder.objects.filter(channel_order_id="IMP099").exists()  # all or nothing


def test_sites_import_from_excel(net, login, django_capture_on_commit_callbacks):
    wb = Workbook()
    ws = wb.active
    ws.append(["网点编码", "网点名称", "省份", "区县代码", "类型", "级别", "上级网点编码", "电话"])
    ws.append(["33010699", "西湖新网点", "33", "330106", "网点", "一级", "", "0571-1"])
    ws.append(["33010698", "西湖新承包区", "浙江省", "330106", "网点", "一级", "33010699", ""])
    buf = BytesIO()
    wb.save(buf)
    client = login(net.hq)
    client.post(reverse("orders:imports"), {"kind": "sites", "file": SimpleUploadedFile("sites.xlsx", buf.getvalue())})
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.READY, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import_detail", args=[job.pk]))
    assert Site.objects.get(code="33010698").parent.code == "33010699"


def test_scans_import_and_a_file_that_is_not_a_table(net, login, django_capture_on_commit_callbacks):
    order = make_order(waybill_no="300000000888")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    text = f"运单号,扫描类型,网点编码,扫描时间,操作员\n300000000888,揽收,{net.site_a.code},2026-11-23 14:00,王五\n"
    client = login(net.hq)
    client.post(reverse("orders:imports"), {"kind": "scans", "file": csv_file(text, "scans.csv")})
    job = ImportJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import_detail", args=[job.pk]))
    assert TrackingEvent.objects.count() == 1 and OnlineOrder.objects.get(pk=order.pk).state == "PICKED_UP"
    client.post(reverse("orders:imports"), {"kind": "scans", "file": SimpleUploadedFile("x.txt", b"hello")})
    assert ImportJob.objects.latest("id").errors[0]["message"] == "只接受 .xlsx 或 .csv 文件"
