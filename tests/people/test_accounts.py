"""Accounts in the app: HQ manages every account, a province LCS the clerks and managers of its province; every
change is recorded; a temporary password must be replaced at the first sign-in; deactivation ends the sessions."""

import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from core.models import User
from people import selectors
from people.models import AccountEvent, TemporaryPassword
from people.services import (
    AccountError,
    Unit,
    account_create,
    account_deactivate,
    account_move,
    account_password_reset,
    account_update,
)

R = User.Role


def signed_in(username, password) -> Client:
    """A browser that signed in through the login page (axes wants the request)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def cannot_sign_in(username, password) -> bool:
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 200


def test_hq_creates_a_clerk_who_must_replace_the_temporary_password(net):
    user, password = account_create(
        actor=net.hq,
        username="wang",
        unit=Unit(role=R.CLERK, site=net.site_a),
        first_name="王小二",
        phone="13800000001",
        email="wang@example.com",
    )
    assert user.site == net.site_a and user.role == R.CLERK and password and len(password) == 12
    event = AccountEvent.objects.get(user=user)
    assert (
        event.kind == "created" and event.actor == net.hq and event.data["changes"]["site_id"] == [None, net.site_a.pk]
    )
    assert selectors.must_change_password(user)

    clerk = signed_in("wang", password)
    for path in ("/", reverse("orders:order_list"), reverse("dispatch:workbench")):
        response = clerk.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = clerk.get(reverse("password_change"))
    assert "请先设置您自己的密码" in page.content.decode()
    response = clerk.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Xk82-qpLm-Zr", "new_password2": "Xk82-qpLm-Zr"},
    )
    assert response.status_code == 302
    assert clerk.get("/").status_code == 200  # the same session goes on
    assert not TemporaryPassword.objects.filter(user=user).exists()
    assert AccountEvent.objects.filter(user=user, kind="password_changed", actor=user).count() == 1


def test_an_lcs_manages_only_its_provinces_clerks_and_managers(net):
    user, _ = account_create(actor=net.lcs_zj, username="nb-clerk", unit=Unit(role=R.CLERK, site=net.site_b))
    assert user.site == net.site_b
    manager, _ = account_create(actor=net.lcs_zj, username="zj-boss", unit=Unit(role=R.MANAGER))
    assert manager.province == net.zj  # an LCS's managers are its own province's
    with pytest.raises(AccountError, match="不在您的省内"):
        account_create(actor=net.lcs_zj, username="x-clerk", unit=Unit(role=R.CLERK, site=net.site_x))
    for role in (R.HQ, R.LCS):
        with pytest.raises(AccountError):
            account_create(actor=net.lcs_zj, username=f"x-{role}", unit=Unit(role=role, province=net.zj))
    with pytest.raises(AccountError):
        account_create(actor=net.clerk_a, username="by-clerk", unit=Unit(role=R.CLERK, site=net.site_a))
    visible = set(selectors.manageable_users(net.lcs_zj).values_list("username", flat=True))
    assert {"clerk-a", "clerk-area", "clerk-b", "manager-zj", "nb-clerk", "zj-boss"} <= visible
    assert not visible & {"clerk-x", "lcs-xj", "hq", "manager", "lcs-zj"}
    with pytest.raises(AccountError):
        account_deactivate(actor=net.lcs_zj, user=net.clerk_x)
    with pytest.raises(AccountError):
        account_move(actor=net.lcs_zj, user=net.clerk_a, site=net.site_x)


def test_pages_answer_404_outside_the_province_and_403_to_other_roles(net, login):
    client = login(net.lcs_zj)
    assert client.get(reverse("people:user_detail", args=[net.clerk_a.pk])).status_code == 200
    for other in (net.clerk_x, net.lcs_xj, net.hq, net.manager):
        assert client.get(reverse("people:user_detail", args=[other.pk])).status_code == 404
        assert client.post(reverse("people:user_deactivate", args=[other.pk])).status_code == 404
    assert client.get(reverse("people:user_detail", args=[net.lcs_zj.pk])).status_code == 404  # not oneself
    assert login(net.clerk_a).get(reverse("people:user_list")).status_code == 403
    assert login(net.manager).get(reverse("people:user_list")).status_code == 403


def test_deactivation_ends_every_session_at_once(net):
    clerk = signed_in(net.clerk_a.username, "pass-12345")
    other_computer = signed_in(net.clerk_a.username, "pass-12345")
    assert clerk.get("/").status_code == 200
    assert account_deactivate(actor=net.lcs_zj, user=net.clerk_a) == 2
    for client in (clerk, other_computer):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(net.clerk_a.pk)]
    assert cannot_sign_in(net.clerk_a.username, "pass-12345")
    event = AccountEvent.objects.get(user=net.clerk_a, kind="deactivated")
    assert event.actor == net.lcs_zj and event.data["sessions_ended"] == 2


def test_a_password_reset_signs_the_user_out_and_forces_a_new_one(net):
    clerk = signed_in(net.clerk_b.username, "pass-12345")
    password = account_password_reset(actor=net.hq, user=net.clerk_b)
    assert clerk.get("/").status_code == 302
    assert cannot_sign_in(net.clerk_b.username, "pass-12345")
    again = signed_in(net.clerk_b.username, password)
    assert again.get("/")["Location"] == reverse("password_change")
    assert AccountEvent.objects.filter(user=net.clerk_b, kind="password_reset", actor=net.hq).count() == 1


def test_edits_and_moves_are_recorded_field_by_field(net):
    email = net.clerk_a.email
    account_update(
        actor=net.hq,
        user=net.clerk_a,
        first_name="西湖客服",
        phone="13900000002",
        email=email,
        unit=Unit(role=R.CLERK, site=net.site_a),
    )
    event = AccountEvent.objects.get(user=net.clerk_a, kind="updated")
    assert event.data["changes"] == {"phone": ["", "13900000002"]}
    # nothing changed, nothing recorded
    account_update(
        actor=net.hq,
        user=net.clerk_a,
        first_name="西湖客服",
        phone="13900000002",
        email=email,
        unit=Unit(role=R.CLERK, site=net.site_a),
    )
    assert AccountEvent.objects.filter(user=net.clerk_a, kind="updated").count() == 1
    account_move(actor=net.lcs_zj, user=net.clerk_a, site=net.site_b)
    net.clerk_a.refresh_from_db()
    assert net.clerk_a.site == net.site_b
    moved = AccountEvent.objects.get(user=net.clerk_a, kind="moved")
    assert moved.data["changes"]["site_id"] == [net.site_a.pk, net.site_b.pk] and moved.actor == net.lcs_zj
    with pytest.raises(AccountError):
        account_move(actor=net.hq, user=net.lcs_zj, site=net.site_a)  # only clerks move between sites
    # the user's own history (django-simple-history) names who changed the fields
    assert net.clerk_a.history.count() >= 3


def test_the_pages_create_edit_and_deactivate(net, login):
    client = login(net.hq)
    response = client.post(
        reverse("people:user_create"),
        {
            "username": "li",
            "first_name": "李四",
            "phone": "13800000003",
            "email": "",
            "role": R.CLERK,
            "site": net.site_x.code,
        },
    )
    body = response.content.decode()
    password = re.search(r'data-testid="temporary-password">([^<]+)<', body).group(1)
    li = User.objects.get(username="li")
    assert li.check_password(password) and li.site == net.site_x
    # a wrong site code keeps what was typed and says why
    response = client.post(
        reverse("people:user_create"), {"username": "zhao", "first_name": "赵", "role": R.CLERK, "site": "NOPE"}
    )
    assert response.status_code == 200 and "没有这个编码的网点" in response.content.decode()
    assert not User.objects.filter(username="zhao").exists()
    response = client.post(
        reverse("people:user_detail", args=[li.pk]),
        {
            "first_name": "李四",
            "phone": "13800000004",
            "email": "li@example.com",
            "role": R.CLERK,
            "site": net.site_x.code,
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("people:user_deactivate", args=[li.pk])).status_code == 302
    li.refresh_from_db()
    assert not li.is_active and li.email == "li@example.com"
    page = client.get(reverse("people:user_detail", args=[li.pk])).content.decode()
    assert "已停用" in page and "重新启用" in page and "13800000004" in page


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "accounts.xlsx"
    return buffer


HEADER = ["网点编码", "姓名", "手机", "邮箱", "角色"]


def test_a_file_with_a_wrong_row_creates_nobody_and_says_where(net, login):
    client = login(net.lcs_zj)
    upload = _xlsx(
        [
            HEADER,
            [net.site_a.code, "张三", "13811110001", "zs@example.com", "网点客服"],
            [net.site_x.code, "李四", "13811110002", "ls@example.com", "网点客服"],
            ["NOPE", "王五", "13811110003", "ww@example.com", "网点客服"],
            [net.site_b.code, "赵六", "13811110001", "bad-mail", "总部电商组"],
        ]
    )
    response = client.post(reverse("people:user_import"), {"file": upload}, follow=True)
    body = response.content.decode()
    assert "有错误：未导入" in body  # checked by the worker (eager here), every problem on the job's page
    job = response.context["job"]
    assert (job.total, job.done, job.refused) == (4, 0, 3)
    errors = job.errors
    assert {(e["row"], e["column"]) for e in errors} == {
        (3, "网点编码"),
        (4, "网点编码"),
        (5, "手机"),
        (5, "邮箱"),
        (5, "角色"),
    }
    assert not User.objects.filter(username__startswith="138111").exists()


def test_a_clean_file_creates_every_account_and_mails_a_link(net, login, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://desk.q9.example"
    client = login(net.hq)
    upload = _xlsx(
        [
            HEADER + ["省份"],
            [net.site_a.code, "张三", "13811110001", "zs@example.com", "网点客服", ""],
            ["", "钱七", "13811110005", "qq@example.com", "省平台", "新疆维吾尔自治区"],
        ]
    )
    response = client.post(reverse("people:user_import"), {"file": upload}, follow=True)
    job = response.context["job"]
    assert job.status == "ready" and job.total == 2 and not User.objects.filter(username="13811110001").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:user_import_job", args=[job.pk]), follow=True)
    assert [u.username for u in response.context["created"]] == ["13811110001", "13811110005"]
    assert (response.context["job"].done, response.context["job"].refused) == (2, 0)
    zs = User.objects.get(username="13811110001")
    assert zs.site == net.site_a and not zs.has_usable_password()
    assert zs.history.get().history_user == net.hq  # created in bulk, recorded all the same
    assert AccountEvent.objects.get(user=zs).data["imported"] is True
    assert User.objects.get(username="13811110005").province == net.xj
    assert len(mail.outbox) == 2
    link = re.search(r"https://desk\.q9\.example/accounts/reset/\S+", mail.outbox[0].body).group(0)
    path = link.removeprefix("https://desk.q9.example")
    form_path = Client().get(path)["Location"]
    newcomer = Client()
    newcomer.get(path, follow=True)
    response = newcomer.post(form_path, {"new_password1": "Mv7-ptq-2Lx9", "new_password2": "Mv7-ptq-2Lx9"})
    assert response["Location"] == reverse("password_reset_complete")
    signed_in("13811110001", "Mv7-ptq-2Lx9")
    # a second delivery of the same task sends nothing: the password is set
    from people.services import welcome_mail_send

    assert welcome_mail_send(user_ids=[zs.pk]) == 0


def test_password_reset_by_email_has_an_absolute_link_and_ends_in_a_sign_in(net, settings):
    settings.SITE_URL = "https://desk.q9.example"
    net.clerk_a.email = "clerk-a@example.com"
    net.clerk_a.save()
    anon = Client()
    response = anon.post(reverse("password_reset"), {"email": "clerk-a@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and "重设密码" in mail.outbox[0].subject
    link = re.search(r"https://desk\.q9\.example(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = anon.get(link, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    response = anon.post(
        response.redirect_chain[-1][0], {"new_password1": "Qe4-nzv-8Pwa", "new_password2": "Qe4-nzv-8Pwa"}
    )
    assert response["Location"] == reverse("password_reset_complete")
    signed_in("clerk-a", "Qe4-nzv-8Pwa")
    # the link works once
    assert not anon.get(link, follow=True).context["validlink"]
    # an unknown address learns nothing and gets nothing
    assert anon.post(reverse("password_reset"), {"email": "nobody@example.com"}).status_code == 302
    assert len(mail.outbox) == 1
