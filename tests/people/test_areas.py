"""Service areas: a change is previewed on real addresses (where each goes now and after, and why) before it can
be saved; areas are exported and imported as Excel through the import kit's check-then-import flow."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import ServiceArea
from orders.models import ImportJob
from people.areas import AreaChange, area_preview

KEYWORD = "浙江省杭州市西湖区文三路100号"
OTHER = "浙江省杭州市西湖区古墩路1号"


def test_the_preview_says_where_and_why_and_saves_nothing(net):
    change = AreaChange(site=net.site_b, district=net.site_a.district, keywords=["文三路"], priority=0)
    rows = area_preview(change=change, addresses=[KEYWORD, OTHER, "火星基地"])
    moved, stays, nowhere = rows
    assert moved.now.site == net.site_a and moved.after.site == net.site_b and moved.changes
    assert "整个区县" in moved.now.because and "唯一适用" in moved.now.because
    assert "文三路" in moved.after.because and "关键词范围优先" in moved.after.because
    assert stays.now.site == stays.after.site == net.site_a and not stays.changes
    assert nowhere.now.site is None and "无法识别" in nowhere.now.because
    assert not ServiceArea.objects.filter(site=net.site_b, district=net.site_a.district).exists()
    # removing site_a's only area sends 西湖区 to the data center
    area = ServiceArea.objects.get(site=net.site_a)
    gone = area_preview(
        change=AreaChange(site=net.site_a, district=area.district, keywords=[], area=area, delete=True),
        addresses=[OTHER],
    )[0]
    assert gone.now.site == net.site_a and gone.after.site is None and "数据中心" in gone.after.because


def test_a_change_is_saved_only_as_previewed(net, login):
    client = login(net.hq)
    data = {
        "site": net.site_b.code,
        "district": net.site_a.district.adcode,
        "keywords": "文三路",
        "priority": 0,
        "addresses": f"{KEYWORD}\n{OTHER}",
    }
    # saving without a preview is refused
    response = client.post(reverse("people:area_edit"), {**data, "action": "save"})
    assert "请先预览" in response.content.decode()
    assert not ServiceArea.objects.filter(site=net.site_b, district=net.site_a.district).exists()
    response = client.post(reverse("people:area_edit"), {**data, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200 and "宁波海曙网点" in page and 'data-testid="area-save"' in page
    token = response.context["token"]
    # the previewed values, changed before saving, are refused too
    response = client.post(reverse("people:area_edit"), {**data, "priority": 9, "previewed": token, "action": "save"})
    assert "请先预览" in response.content.decode()
    response = client.post(reverse("people:area_edit"), {**data, "previewed": token, "action": "save"})
    assert response.status_code == 302
    area = ServiceArea.objects.get(site=net.site_b, district=net.site_a.district)
    assert area.keywords == ["文三路"] and area.history.get().history_user == net.hq
    # other roles never reach the page
    assert login(net.lcs_zj).get(reverse("people:area_edit")).status_code == 403


def _upload(client, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    client.post(reverse("orders:imports"), {"kind": "areas", "file": SimpleUploadedFile("areas.xlsx", buf.getvalue())})
    return ImportJob.objects.latest("id")


def test_areas_export_edit_and_import_round_trip(net, login, django_capture_on_commit_callbacks):
    client = login(net.hq)
    response = client.get(reverse("people:area_export"), {"province": net.zj.pk})
    sheet = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["网点编码", "区县代码", "关键词", "优先级"]
    assert [net.area_a.code, net.site_a.district.adcode, "开发区", 10] in rows
    assert all(r[0] != net.site_x.code for r in rows[1:])  # Zhejiang only

    bad = _upload(
        client,
        [
            rows[0],
            ["NOPE", "330106", "", 1],
            [net.site_a.code, "999999", "", 1],
            [net.site_a.code, "330106", "文三路、古墩路", "high"],
            [net.data_center.code, "330106", "", 1],
        ],
    )
    assert bad.status == ImportJob.Status.INVALID
    assert {(e["row"], e["column"]) for e in bad.errors} == {
        (2, "网点编码"),
        (3, "区县代码"),
        (4, "优先级"),
        (5, "网点编码"),
    }
    before = ServiceArea.objects.count()

    # site_a: its whole-district area gets priority 3, and a keyword area is added; site_b is not in the file
    job = _upload(
        client,
        [
            rows[0],
            [net.site_a.code, net.site_a.district.adcode, "", 3],
            [net.site_a.code, net.site_a.district.adcode, "文三路, 古墩路", 1],
        ],
    )
    assert job.status == ImportJob.Status.READY, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted((a.keywords, a.priority) for a in ServiceArea.objects.filter(site=net.site_a)) == [
        ([], 3),
        (["古墩路", "文三路"], 1),
    ]
    assert ServiceArea.objects.count() == before + 1
    whole = ServiceArea.objects.get(site=net.site_a, keywords=[])
    last = whole.history.order_by("history_date").last()
    assert last.history_type == "~" and last.history_user == net.hq  # updated, not replaced; by whom
