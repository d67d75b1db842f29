"""Imports that cannot hang or crash: each bad file ends in a report (row, column, Chinese
message) or a file-level refusal — never a 500, never a job stuck "running" — limits are checked while reading
(before loading the rest), a failed job says so and can be retried, a redelivered task re-runs the import, and
each kind has a template file that imports as it is."""

import io
import re
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import imports as kit
from orders import imports
from orders.models import ImportJob, OnlineOrder
from orders.services import channels_ensure

HEADER = "物流号,寄件人,寄件电话,寄件省,寄件市,寄件区县,寄件地址,物品,重量,业务类型,线上线下,运单号,订单时间\n"
GOOD = "IMP{n},张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1.5,我要寄快递,线上,,2026-11-23 10:30\n"


@pytest.fixture
def upload(net, login):
    channel = channels_ensure()["taobao"]
    client = login(net.hq)

    def send(content: bytes, name="orders.csv", kind="orders"):
        r = client.post(
            reverse("orders:imports"), {"kind": kind, "channel": channel.pk, "file": SimpleUploadedFile(name, content)}
        )
        assert r.status_code == 302, r.status_code
        return ImportJob.objects.latest("id")

    send.client = client
    return send


def _errors(job):
    return {(e["row"], e["column"]): e["message"] for e in job.errors}


@pytest.mark.parametrize(
    "column,value,needle",
    [
        ("订单时间", "2026-13-45", "2026-11-23 10:30"),
        ("订单时间", "9999-12-31 10:00", "2000–2100"),
        ("寄件电话", "12345", "电话号码"),
        ("重量", "-5", "0 至 999,999"),
        ("重量", "NaN", "0 至 999,999"),
        ("业务类型", "寄快递", "我要寄快递 或 在线下单"),
        ("线上线下", "是", "线上 或 线下"),
        ("运单号", "ABC123", "ABC123"),
        ("物品", "a\x01b", "U+0001"),
        ("寄件人", "张" * 65, "64"),
    ],
)
def test_every_cell_is_validated_into_the_report(upload, column, value, needle):
    header = HEADER.strip().split(",")
    row = GOOD.format(n="001").strip().split(",")
    row[header.index(column)] = value
    job = upload((HEADER + ",".join(row) + "\n").encode())
    assert job.status == ImportJob.Status.INVALID
    errors = _errors(job)
    assert (2, column) in errors, job.errors
    assert needle in errors[(2, column)]
    assert not OnlineOrder.objects.exists()


def test_a_clean_file_passes(upload):
    job = upload((HEADER + GOOD.format(n="001") + GOOD.format(n="002")).encode())
    assert job.status == ImportJob.Status.READY, job.errors


@pytest.mark.parametrize(
    "content,needle",
    [
        (HEADER.encode() + GOOD.format(n="001").encode().replace(b"\xe8\xa1\xa3", b"\x00"), "NUL"),
        (b"\xff\xfe\xfa\x00\x81" * 10, "NUL"),
    ],
)
def test_unreadable_csv_files_are_refused_with_a_message(upload, content, needle):
    job = upload(content)
    assert job.status == ImportJob.Status.INVALID
    assert needle in job.errors[0]["message"], job.errors


@pytest.mark.parametrize(
    "cell, needle",
    [
        ('"><svg onload=alert(1)>', "第 3 行无法读取（某个单元格以引号开头，但引号没有闭合）"),
        ('"衣服"袜子', "第 3 行无法读取（闭合的引号后面应紧跟逗号）"),
    ],
)
def test_a_quote_that_is_never_closed_refuses_the_file_instead_of_swallowing_rows(upload, cell, needle):
    rows = [GOOD.format(n=f"Q{i}") for i in range(4)]
    rows[1] = rows[1].replace("衣服", cell)  # the second data row: line 3 of the file
    job = upload((HEADER + "".join(rows)).encode())
    assert job.status == ImportJob.Status.INVALID and job.total == 0, (job.total, job.errors)
    assert needle in job.errors[0]["message"], job.errors
    # a quoted cell spanning lines and a quote inside a cell are read as they are: 4 rows
    rows[1] = GOOD.format(n="Q1").replace("衣服", '"衣服\n袜子"').replace("张三", '张"三')
    job = upload((HEADER + "".join(rows)).encode())
    assert job.total == 4, job.errors


@pytest.mark.parametrize("size", [100_000, 140_000, 2_000_000])
def test_a_long_cell_is_reported_in_its_row_not_stored(upload, size):
    """128 KB is Python csv's own field limit: past it too, the cell is a problem of its row, not a 500."""
    job = upload((HEADER + GOOD.format(n="001").replace("文三路1号", "路" * size)).encode())
    assert job.status == ImportJob.Status.INVALID
    assert _errors(job)[(2, "寄件地址")] == "不能超过 200 个字"
    assert len(str(job.preview)) < 100_000  # the preview keeps the cut cell, not the megabytes


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _declaring(data: bytes, declared: str) -> bytes:
    """The workbook with its sheet's <dimension> (the size it declares) changed to ``declared``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*" />', b'<dimension ref="%s" />' % declared.encode(), body)
                assert declared.encode() in body
            dst.writestr(item, body)
    return out.getvalue()


def test_every_row_present_is_read_whatever_the_sheet_declares(upload):
    """A sheet of 10 data rows that declares 3 imports 10; read, imported and refused are the file's figures."""
    rows = [HEADER.strip().split(",")] + [GOOD.format(n=f"{i:03d}").strip().split(",") for i in range(10)]
    data = _declaring(_xlsx(rows), "A1:M4")
    assert load_workbook(io.BytesIO(data), read_only=True).active.max_row == 4  # what it claims
    job = upload(data, name="short.xlsx")
    assert job.status == ImportJob.Status.READY and (job.total, job.refused) == (10, 0), job.errors
    upload.client.post(reverse("orders:import_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and (job.total, job.done, job.refused) == (10, 10, 0)
    assert OnlineOrder.objects.filter(channel_order_id__startswith="IMP").count() == 10
    page = upload.client.get(reverse("orders:import_detail", args=[job.pk])).content.decode()
    assert "读取 10 行 · 导入 10 行 · 拒绝 0 行" in page


def test_a_sheet_declaring_millions_of_rows_is_read_for_the_rows_it_holds(upload):
    data = _declaring(_xlsx([HEADER.strip().split(","), GOOD.strip().split(",")]), "A1:M4000000")
    job = upload(data, name="big.xlsx")
    assert job.status == ImportJob.Status.READY and job.total == 1, job.errors


def test_refused_rows_are_counted(upload):
    rows = [HEADER.strip().split(",")] + [GOOD.format(n=f"{i:03d}").strip().split(",") for i in range(6)]
    rows[2][2] = rows[5][2] = "12345"  # two rows with a phone that is not one
    rows[5][8] = "-1"  # and one of them a weight too: still one refused row
    job = upload(_xlsx(rows), name="some-bad.xlsx")
    assert job.status == ImportJob.Status.INVALID and (job.total, job.done, job.refused) == (6, 0, 2)
    assert sorted({e["row"] for e in job.errors}) == [3, 6] and not OnlineOrder.objects.exists()


def test_rows_past_the_limit_stop_the_reading(upload, monkeypatch):
    monkeypatch.setattr(kit, "MAX_ROWS", 100)
    read = []
    original = kit._cell

    def counting(value):
        read.append(1)
        return original(value)

    monkeypatch.setattr(kit, "_cell", counting)
    rows = [HEADER.strip().split(",")] + [GOOD.format(n=f"{i:04d}").strip().split(",") for i in range(2000)]
    job = upload(_xlsx(rows), name="many.xlsx")
    assert job.status == ImportJob.Status.INVALID and "100" in job.errors[0]["message"]
    assert len(read) < 200 * 13  # the reading stopped near the limit, not after 2,000 rows


def test_an_xlsx_that_unpacks_too_far_is_refused(upload, monkeypatch):
    monkeypatch.setattr(kit, "MAX_UNPACKED_BYTES", 10_000)
    job = upload(_xlsx([HEADER.strip().split(",")] + [GOOD.strip().split(",")] * 50), name="bomb.xlsx")
    assert job.status == ImportJob.Status.INVALID and "解压后" in job.errors[0]["message"]
    assert upload(b"PK\x03\x04 not a zip", name="broken.xlsx").status == ImportJob.Status.INVALID


def test_a_job_that_breaks_says_so_and_can_be_retried(upload, monkeypatch, django_capture_on_commit_callbacks):
    job = upload((HEADER + GOOD.format(n="001")).encode())

    def broken(job_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "_import", broken)
    upload.client.post(reverse("orders:import_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "请重试" in job.summary
    message = job.errors[0]["message"]  # plain Chinese with the job's number for the log, no exception class
    assert f"导入任务 {job.pk} 因意外错误中止" in message and "RuntimeError" not in message
    page = upload.client.get(reverse("orders:import_detail", args=[job.pk])).content.decode()
    assert "重试导入" in page
    monkeypatch.undo()
    upload.client.post(reverse("orders:import_detail", args=[job.pk]), {"action": "retry"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and OnlineOrder.objects.filter(channel_order_id="IMP001").exists()
    r = upload.client.post(reverse("orders:import_detail", args=[job.pk]), {"action": "retry"}, follow=True)
    assert "只有失败的导入可以重试" in r.content.decode()


def test_a_redelivered_task_after_a_dead_worker_runs_the_import(upload):
    job = upload((HEADER + GOOD.format(n="001")).encode())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)  # the worker died mid-import
    assert imports.job_run(job_id=job.pk).status == ImportJob.Status.DONE
    assert imports.job_run(job_id=job.pk).status == ImportJob.Status.DONE  # a late duplicate does nothing
    assert OnlineOrder.objects.filter(channel_order_id="IMP001").count() == 1


@pytest.mark.parametrize("kind", ["orders", "sites", "scans", "areas"])
def test_each_kind_has_a_template_that_imports_as_it_is(upload, kind, net):
    r = upload.client.get(reverse("orders:import_template", args=[kind]))
    assert r.status_code == 200 and r["Content-Disposition"].endswith(f'import-template-{kind}.xlsx"')
    ws = load_workbook(BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == list(kit.importer_for(kind).columns)
    if kind in ("scans", "areas"):
        from core.models import Site

        Site.objects.filter(pk=net.site_a.pk).update(code="33010601")
    job = upload(r.content, name=f"{kind}.xlsx", kind=kind)
    assert job.status == ImportJob.Status.READY, job.errors


def test_an_order_imported_hours_late_is_not_already_overdue(upload):
    from django.utils import timezone

    now = timezone.localtime()
    late = (now - timedelta(hours=5)).strftime("%Y-%m-%d %H:%M")
    job = upload((HEADER + GOOD.format(n="LATE").replace("2026-11-23 10:30", late)).encode())
    assert job.status == ImportJob.Status.READY, job.errors
    upload.client.post(reverse("orders:import_detail", args=[job.pk]))
    order = OnlineOrder.objects.get(channel_order_id="IMPLATE")
    assert timezone.localtime(order.order_time).strftime("%Y-%m-%d %H:%M") == late  # the order time is kept
    assert order.accept_due_at > timezone.now() and order.pickup_due_at > timezone.now()


def test_a_file_of_headers_only_is_refused_and_only_orders_carry_a_channel(upload):
    job = upload(HEADER.encode())
    assert job.status == ImportJob.Status.INVALID and "没有数据行" in job.errors[0]["message"]
    scans = upload(
        "运单号,扫描类型,网点编码,扫描时间,操作员\n300000000001,到件,33010601,2026-11-23 14:00,王五\n".encode(),
        kind="scans",
    )
    assert scans.status == ImportJob.Status.READY and scans.channel is None


@pytest.mark.parametrize(
    "row, column",
    [
        ("ab/1,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1.5,我要寄快递,线上,,2026-11-23 10:30\n", "物流号"),
        (
            "IMPF1,张三,13800000001,浙江省,杭州市,西湖区,文三路1号,衣服,1.5,我要寄快递,线上,,2100-12-31 23:59\n",
            "订单时间",
        ),
    ],
)
def test_an_order_the_api_would_refuse_is_refused_by_the_check(upload, row, column):
    job = upload((HEADER + row).encode())
    assert job.status == ImportJob.Status.INVALID and (2, column) in _errors(job), job.errors


def test_an_upload_over_the_limit_is_refused_before_it_is_written(upload, settings, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    settings.UPLOAD_MAX_BYTES = 10_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # what is accepted goes to a temporary file on disk
    written = []
    original = TemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        written.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", spy)
    jobs_before = ImportJob.objects.count()
    big = SimpleUploadedFile("big.csv", (HEADER + GOOD.format(n="001") * 400).encode())
    assert big.size > 20_000
    r = upload.client.post(reverse("orders:imports"), {"kind": "sites", "file": big}, follow=True)
    assert "超过 20 MB" in r.content.decode()
    assert ImportJob.objects.count() == jobs_before and written == []  # nothing of it reached the disk
    job = upload((HEADER + GOOD.format(n="001")).encode())  # a file under the limit is stored as usual
    assert job.status == ImportJob.Status.READY and len(written) == 1
