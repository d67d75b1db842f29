"""Every account kind's page can be saved as it stands, the site is
chosen with the site picker, the account's record and history read in Chinese, and the bulk import refuses a
short phone and a role that is not one of the desk's role names, listing every problem at once."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook

from core.models import User
from people.services import Unit, account_create, account_deactivate, account_update, courier_account_open
from tests.pages import shown

R = User.Role


def _as_typed(form) -> dict:
    """What a browser sends back for an unchanged form: every enabled field's shown value."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        data[name] = "" if value is None else getattr(value, "pk", value)
    return data


def _every_kind(net) -> dict:
    courier = net.site_a.couriers.first()
    no_role, _ = account_create(actor=net.hq, username="norole", unit=Unit(role=R.CLERK, site=net.site_a))
    User.objects.filter(pk=no_role.pk).update(role="", site=None)
    return {
        "clerk": net.clerk_b,
        "lcs": net.lcs_zj,
        "manager (nation)": net.manager,
        "manager (province)": net.manager_zj,
        "courier": courier_account_open(actor=net.clerk_a, courier=courier),
        "no role": User.objects.get(pk=no_role.pk),
        "hq": account_create(actor=net.hq, username="hq-2", unit=Unit(role=R.HQ))[0],
    }


def test_every_account_kinds_form_saves_unchanged(net, login):
    client = login(net.hq)
    failures = []
    for kind, account in _every_kind(net).items():
        before = (account.role, account.site_id, account.province_id, getattr(account, "courier_id", None))
        page = client.get(reverse("people:user_detail", args=[account.pk]))
        assert page.status_code == 200, kind
        form = page.context["form"]
        assert dict(form.fields["role"].choices).get(account.role), f"{kind}: its own role is not offered"
        response = client.post(reverse("people:user_detail", args=[account.pk]), _as_typed(form))
        if response.status_code != 302:
            failures.append(f"{kind}: {response.status_code} {response.context and response.context['form'].errors}")
            continue
        account.refresh_from_db()
        after = (account.role, account.site_id, account.province_id, account.courier_id)
        if after != before:
            failures.append(f"{kind}: {before} became {after}")
    assert not failures, failures


def test_an_lcs_saves_its_clerks_and_managers_unchanged(net, login):
    client = login(net.lcs_zj)
    for account in (net.clerk_b, net.manager_zj):
        form = client.get(reverse("people:user_detail", args=[account.pk])).context["form"]
        assert client.post(reverse("people:user_detail", args=[account.pk]), _as_typed(form)).status_code == 302


def test_a_couriers_account_keeps_its_role_and_site(net, login):
    courier = courier_account_open(actor=net.clerk_a, courier=net.site_a.couriers.first())
    client = login(net.hq)
    page = client.get(reverse("people:user_detail", args=[courier.pk]))
    html = shown(page)
    assert "业务员" in html and "网点客服" not in re.search(r'<select name="role".*?</select>', html, re.S).group(0)
    data = {**_as_typed(page.context["form"]), "first_name": "新名字", "phone": "13912345678"}
    assert client.post(reverse("people:user_detail", args=[courier.pk]), data).status_code == 302
    courier.refresh_from_db()
    assert (courier.first_name, courier.phone, courier.role, courier.site) == (
        "新名字",
        "13912345678",
        R.COURIER,
        net.site_a,
    )
    # asking for another role is a clear error next to the field, never a 500
    response = client.post(reverse("people:user_detail", args=[courier.pk]), {**data, "role": R.CLERK})
    assert response.status_code == 200 and response.context["form"].errors


def test_the_site_is_chosen_with_the_site_picker(net, login):
    client = login(net.hq)
    html = shown(client.get(reverse("people:user_create")))
    field = re.search(r'<input[^>]*name="site"[^>]*>', html).group(0)
    assert 'data-testid="site-picker"' in field and reverse("dispatch:site_search") in field and 'list="' in field
    assert "---------" not in html and "无（全国）" in html
    # what the picker puts in the box ("code name") is understood
    response = client.post(
        reverse("people:user_create"),
        {"username": "picked", "first_name": "选", "role": R.CLERK, "site": f"{net.site_b.code} {net.site_b.name}"},
    )
    assert response.status_code == 200 and User.objects.get(username="picked").site == net.site_b
    found = client.get(reverse("dispatch:site_search"), {"site": "宁波"}).json()["results"]
    assert [s["code"] for s in found] == [net.site_b.code]


def test_an_accounts_record_and_history_read_in_chinese(net, login):
    account_update(
        actor=net.hq,
        user=net.clerk_b,
        first_name="宁波客服",
        phone="13900000001",
        email="",
        unit=Unit(role=R.CLERK, site=net.site_x),
    )
    account_update(
        actor=net.hq,
        user=User.objects.get(pk=net.clerk_b.pk),
        first_name="宁波客服",
        phone="13900000001",
        email="",
        unit=Unit(role=R.LCS, province=net.xj),
    )
    account_deactivate(actor=net.hq, user=net.clerk_b)
    html = shown(login(net.hq).get(reverse("people:user_detail", args=[net.clerk_b.pk])))
    for raw in (
        "site_id",
        "province_id",
        "role:",
        "<del>clerk<",
        "→ lcs",
        "</span>: clerk<",
        "导入类型",
        "有 →",
        "→ 有",
        "+00:00",
    ):
        assert raw not in html, raw
    assert "乌鲁木齐天山网点" in html and "新疆维吾尔自治区" in html and "省平台" in html and "网点客服" in html
    assert "是</del> → 否" in html  # 启用: 是 → 否
    assert not re.search(r"\d{2}:\d{2}:\d{2}", html)  # local times to the minute


def test_a_sites_history_names_its_province_and_kind(net, login, client):
    from tests.people.test_history import admin_site_edit

    client = login(net.hq)
    admin_site_edit(client, net.site_b, kind="sorting", province=net.xj.pk, active="")
    html = shown(client.get(reverse("people:object_history", args=["site", net.site_b.pk])))
    assert "类型</span>: <del>网点</del> → 分拨" in html
    assert f"省份</span>: <del>{net.zj.name}</del> → {net.xj.name}" in html
    assert "是</del> → 否" in html
    assert f"省份</span>: <del>{net.zj.pk}" not in html and "类型</span>: <del>site" not in html


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "accounts.xlsx"
    return buffer


@pytest.mark.parametrize("role_word", ["客服", "总部"])
def test_the_import_refuses_a_short_phone_and_a_near_role_and_lists_every_problem(net, login, role_word):
    response = login(net.hq).post(
        reverse("people:user_import"),
        {
            "file": _xlsx(
                [
                    ["网点编码", "姓名", "手机", "角色"],  # the e-mail column is missing
                    [net.site_a.code, "张三", "8888123", "网点客服"],
                    ["NOPE", "李四", "13811110002", role_word],
                ]
            )
        },
        follow=True,
    )
    errors = {(e["row"], e["column"]) for e in response.context["job"].errors}
    assert errors == {(1, "邮箱"), (2, "手机"), (3, "角色"), (3, "网点编码")}
    assert not User.objects.filter(first_name__in=["张三", "李四"]).exists()
