"""An accounts file (/people/import/) is an import job like every kind: the request stores the file (an upload over
the limit is refused before it is written), a worker on the bulk queue checks every row, the page polls and shows
the rows read, imported and refused with every problem in its row, and another task creates the accounts once the
uploader confirms. A province's LCS uses the page for its own province only: it cannot create HQ or LCS accounts,
nor accounts of another province, and nobody else follows its files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import User
from orders import imports
from orders.models import ImportJob
from people.models import AccountEvent

HEADER = "网点编码,姓名,手机,邮箱,角色,省份\n"
S = ImportJob.Status


def _csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("accounts.csv", (HEADER + "".join(r + "\n" for r in rows)).encode())


def _upload(client, *rows: str) -> ImportJob:
    r = client.post(reverse("people:user_import"), {"file": _csv(*rows)})
    assert r.status_code == 302, r.status_code
    job = ImportJob.objects.latest("id")
    assert r["Location"] == reverse("people:user_import_job", args=[job.pk])
    return job


def test_the_request_only_stores_the_file_and_the_page_polls_while_a_worker_checks(net, login, monkeypatch):
    sent = []
    monkeypatch.setattr(imports.jobs, "publish", lambda name, *args: sent.append((name, *args)) or True)
    client = login(net.hq)
    job = _upload(client, "33010601,张三,13811110001,zs@example.com,网点客服,")
    assert job.kind == ImportJob.Kind.ACCOUNTS and job.status == S.CHECKING and job.total == 0
    assert sent == [("orders.tasks.import_check", job.pk)]  # the check is the worker's
    url = reverse("people:user_import_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "正在检查文件" in page and f'hx-get="{url}"' in page and 'hx-trigger="every 1s"' in page
    assert imports.job_check(job_id=job.pk).status == S.READY
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "读取 1 行 · 导入 0 行 · 拒绝 0 行" in part and "hx-get" not in part  # checked: the polling stops
    assert not User.objects.filter(username="13811110001").exists()  # nothing created before the confirmation


def test_the_import_tasks_run_on_the_bulk_queue():
    from config.celery import app

    for name in ("orders.tasks.import_check", "orders.tasks.import_run"):
        assert app.amqp.router.route({}, name)["queue"].name == "bulk"


def test_every_problem_is_listed_with_its_row_and_the_rows_are_counted(net, login):
    client = login(net.hq)
    job = _upload(
        client,
        "33010601,张三,13811110001,zs@example.com,网点客服,",
        "NOPE,李四,13811110002,ls@example.com,网点客服,",
        "33010601,王五,12345,ww@example.com,客服,",
        "33010601,赵六,13811110004,zl@example.com,网点客服,",
        "33010601,钱七,13811110001,qq@example.com,网点客服,",
    )
    job.refresh_from_db()
    assert job.status == S.INVALID and (job.total, job.done, job.refused) == (5, 0, 3)
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "网点编码"), (4, "手机"), (4, "角色"), (6, "手机")}
    page = client.get(reverse("people:user_import_job", args=[job.pk])).content.decode()
    assert "读取 5 行 · 导入 0 行 · 拒绝 3 行" in page and "没有编码为 NOPE 的网点" in page
    assert not User.objects.filter(username__startswith="138111").exists()


def test_a_confirmed_file_creates_its_accounts_and_the_page_lists_them(net, login, django_capture_on_commit_callbacks):
    client = login(net.hq)
    job = _upload(
        client,
        "33010601,张三,13811110001,zs@example.com,网点客服,",
        ",钱七,13811110005,qq@example.com,省平台,新疆维吾尔自治区",
    )
    assert ImportJob.objects.get(pk=job.pk).status == S.READY
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("people:user_import_job", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == S.DONE and (job.total, job.done, job.refused) == (2, 2, 0)
    assert job.summary == "已创建 2 个账号。"
    assert [u.username for u in r.context["created"]] == ["13811110001", "13811110005"]
    assert "读取 2 行 · 导入 2 行 · 拒绝 0 行" in r.content.decode()
    assert AccountEvent.objects.get(user__username="13811110005").data["import_job"] == job.pk
    assert User.objects.get(username="13811110005").province == net.xj


def test_a_name_taken_between_check_and_confirmation_fails_the_job_and_creates_nobody(net, login):
    client = login(net.hq)
    job = _upload(
        client,
        "33010601,张三,13811110001,zs@example.com,网点客服,",
        "33010601,李四,13811110002,ls@example.com,网点客服,",
    )
    User.objects.create(username="13811110002", role=User.Role.HQ)  # someone took the name meanwhile
    client.post(reverse("people:user_import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == S.FAILED and [(e["row"], e["column"]) for e in job.errors] == [(3, "手机")]
    assert job.refused == 1 and not User.objects.filter(username="13811110001").exists()


@pytest.mark.parametrize(
    "row, column",
    [
        (",总部,13811110001,a@example.com,总部电商组,", "角色"),  # an HQ account
        (",省,13811110001,a@example.com,省平台,浙江省", "角色"),  # another LCS
        ("65010201,疆,13811110001,a@example.com,网点客服,", "网点编码"),  # a clerk of another province's site
        (",经理,13811110001,a@example.com,管理层,新疆维吾尔自治区", "省份"),  # a manager of another province
    ],
)
def test_an_lcs_creates_nothing_outside_its_province(net, login, row, column):
    job = _upload(login(net.lcs_zj), row)
    job.refresh_from_db()
    assert job.status == S.INVALID and (2, column) in {(e["row"], e["column"]) for e in job.errors}, job.errors
    assert not User.objects.filter(username="13811110001").exists()


def test_an_lcs_creates_its_own_province_accounts_and_only_its_province_follows_the_file(net, login):
    lcs = login(net.lcs_zj)
    job = _upload(
        lcs,
        "33020301,甲,13811110001,a@example.com,网点客服,",
        ",乙,13811110002,b@example.com,管理层,",
        ",丙,13811110003,c@example.com,管理层,浙江省",
    )
    lcs.post(reverse("people:user_import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == S.DONE, job.errors
    made = User.objects.filter(username__startswith="138111").order_by("username")
    assert [(u.role, u.site, u.province) for u in made] == [
        ("clerk", net.site_b, None),
        ("manager", None, net.zj),
        ("manager", None, net.zj),
    ]
    url = reverse("people:user_import_job", args=[job.pk])
    assert login(net.hq).get(url).status_code == 200
    assert login(net.lcs_xj).get(url).status_code == 404  # another province's LCS
    assert login(net.lcs_xj).post(url, {"action": "retry"}).status_code == 404
    assert job.name not in login(net.lcs_xj).get(reverse("people:user_import")).content.decode()
    assert login(net.clerk_a).get(url).status_code == 403 and login(net.manager_zj).get(url).status_code == 403
    # HQ's import page is for its own kinds: an accounts file is neither listed there nor opened there
    assert login(net.hq).get(reverse("orders:import_detail", args=[job.pk])).status_code == 404
    assert login(net.hq).get(reverse("orders:import_template", args=["accounts"])).status_code == 404


def test_an_upload_over_the_limit_is_refused_before_it_is_written(net, login, settings, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    settings.UPLOAD_MAX_BYTES = 10_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # what is accepted goes to a temporary file on disk
    written = []
    original = TemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        written.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", spy)
    client = login(net.lcs_zj)
    big = _csv(*[f"33010601,张三,138{n:08d},zs@example.com,网点客服," for n in range(400)])
    assert big.size > 20_000
    r = client.post(reverse("people:user_import"), {"file": big}, follow=True)
    assert r.status_code == 200 and "超过 20 MB" in r.content.decode()
    assert not ImportJob.objects.exists() and written == []  # nothing of it reached the disk
    _upload(client, "33010601,张三,13811110001,zs@example.com,网点客服,")  # under the limit: stored as usual
    assert len(written) == 1


def test_the_template_file_imports_as_it_is(net, login):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(net.lcs_zj)
    r = client.get(reverse("people:user_import_template"))
    assert r.status_code == 200 and r["Content-Disposition"].endswith('import-template-accounts.xlsx"')
    assert [c.value for c in load_workbook(BytesIO(r.content)).active[1]][:5] == [
        "网点编码",
        "姓名",
        "手机",
        "邮箱",
        "角色",
    ]
    client.post(reverse("people:user_import"), {"file": SimpleUploadedFile("t.xlsx", r.content)})
    job = ImportJob.objects.latest("id")
    assert job.status == S.READY and job.total == 1, job.errors
