import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.exceptions import MessageError
from core.models import Message, MessageRead
from core.selectors import message_unread_count, messages_for
from core.services import message_mark_all_read, message_mark_read, message_send

A = Message.Audience


@pytest.mark.django_db
def test_site_message_reaches_its_clerks_and_the_parent_site_only(net):
    msg = message_send(audience=A.SITE, site=net.area_a, title="订单提醒")
    assert msg in messages_for(user=net.clerk_area)
    assert msg in messages_for(user=net.clerk_a)  # the parent site sees its contract areas
    assert msg not in messages_for(user=net.clerk_b)
    assert msg not in messages_for(user=net.lcs_zj)


@pytest.mark.django_db
def test_province_and_hq_and_user_messages(net):
    p = message_send(audience=A.PROVINCE, province=net.zj, title="省通知")
    h = message_send(audience=A.HQ, title="总部通知")
    u = message_send(audience=A.USER, user=net.clerk_b, title="个人通知")
    assert set(messages_for(user=net.lcs_zj)) == {p}
    assert set(messages_for(user=net.manager_zj)) == {p}
    assert set(messages_for(user=net.lcs_xj)) == set()
    assert set(messages_for(user=net.hq)) == {h}
    assert set(messages_for(user=net.clerk_b)) == {u}


@pytest.mark.django_db
def test_unread_count_and_marking_read(net):
    m1 = message_send(audience=A.SITE, site=net.site_a, title="一")
    message_send(audience=A.SITE, site=net.site_a, title="二")
    assert message_unread_count(user=net.clerk_a) == 2
    assert message_mark_read(message=m1, user=net.clerk_a) is True
    assert message_mark_read(message=m1, user=net.clerk_a) is False  # idempotent
    assert message_unread_count(user=net.clerk_a) == 1
    assert message_mark_all_read(user=net.clerk_a) == 1
    assert message_unread_count(user=net.clerk_a) == 0
    assert MessageRead.objects.filter(user=net.clerk_a).count() == 2


@pytest.mark.django_db
def test_bad_targets_raise_domain_errors(net):
    with pytest.raises(MessageError):
        message_send(audience=A.SITE, title="没有网点")
    with pytest.raises(MessageError):
        message_send(audience=A.HQ, title="  ")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_email_copy_is_sent_after_commit_once(net, django_capture_on_commit_callbacks, settings):
    settings.HQ_GROUP_EMAIL = "ecom-hq@q9.example"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        msg = message_send(
            audience=A.SITE,
            site=net.site_a,
            title="违规通知",
            body="详见附件",
            attachment=SimpleUploadedFile("明细.pdf", b"%PDF-1.4"),
            email=True,
        )
    assert len(mail.outbox) == 0 and len(callbacks) == 1  # nothing leaves before commit
    callbacks[0]()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "[Q9] 违规通知"
    assert set(sent.to) == {net.site_a.email, net.clerk_a.email}
    assert sent.attachments[0][0].endswith(".pdf")
    msg.refresh_from_db()
    assert msg.emailed_at is not None
    from core.services import message_email_send

    assert message_email_send(message_id=msg.pk) == 0  # a second delivery sends nothing
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_bell_shows_unread_count_in_header(net, login):
    message_send(audience=A.SITE, site=net.site_a, title="新订单")
    client = login(net.clerk_a)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in html
    client.get(reverse("core:message_detail", args=[Message.objects.get().pk]))
    assert 'data-testid="unread-count"' not in client.get(reverse("core:message_badge")).content.decode()


@pytest.mark.django_db
def test_compose_as_lcs_within_province_only(net, login):
    client = login(net.lcs_zj)
    url = reverse("core:message_compose")
    response = client.post(
        url, {"audience": "site", "site_code": net.site_x.code, "category": "general", "title": "越权"}
    )
    assert response.status_code == 200
    assert "您的权限范围内没有此编码的网点" in response.content.decode()
    assert 'value="越权"' in response.content.decode()  # what was typed is kept
    response = client.post(
        url,
        {
            "audience": "site",
            "site_code": net.site_b.code,
            "category": "general",
            "title": "请及时刷新订单",
            "body": "正文",
        },
    )
    assert response.status_code == 302
    assert Message.objects.get().site == net.site_b


@pytest.mark.django_db
def test_compose_rejects_bad_attachment_in_chinese(net, login, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    client = login(net.hq)
    response = client.post(
        reverse("core:message_compose"),
        {
            "audience": "hq",
            "category": "general",
            "title": "附件",
            "attachment": SimpleUploadedFile("big.pdf", b"x" * 100),
        },
    )
    assert "超过上限" in response.content.decode()
    response = client.post(
        reverse("core:message_compose"),
        {
            "audience": "hq",
            "category": "general",
            "title": "附件",
            "attachment": SimpleUploadedFile("run.exe", b"x"),
        },
    )
    assert "不接受 .exe 类型的文件" in response.content.decode()
    assert not Message.objects.exists()


def test_email_copy_survives_a_lost_task(net, django_capture_on_commit_callbacks, mailoutbox, monkeypatch):
    """The broker is down when the message is sent: nothing fails, and the backlog job e-mails the copy later."""
    from datetime import timedelta

    from django.utils import timezone

    from core import tasks
    from core.models import Message
    from core.services import message_send, messages_email_backlog

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.message_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(audience=Message.Audience.SITE, site=net.site_a, title="周报", email=True)
    assert not mailoutbox and Message.objects.get(pk=message.pk).emailed_at is None
    assert messages_email_backlog(at=timezone.now() + timedelta(minutes=5)) == 1
    assert len(mailoutbox) == 1 and Message.objects.get(pk=message.pk).emailed_at is not None
    assert messages_email_backlog(at=timezone.now() + timedelta(minutes=10)) == 0


@pytest.mark.django_db
def test_unread_count_in_sql_is_the_querysets_count_for_every_role(net):
    """``message_unread_count`` is ``scoping.message_q`` written in SQL (the bell asks it every minute): for every
    user of every role, read or not, it counts exactly ``messages_unread_for``."""
    from core.selectors import messages_unread_for

    sent = [
        message_send(audience=A.SITE, site=net.area_a, title="承包区"),
        message_send(audience=A.SITE, site=net.site_a, title="网点"),
        message_send(audience=A.SITE, site=net.site_b, title="宁波"),
        message_send(audience=A.PROVINCE, province=net.zj, title="浙江"),
        message_send(audience=A.PROVINCE, province=net.xj, title="新疆"),
        message_send(audience=A.HQ, title="总部"),
    ]
    sent += [message_send(audience=A.USER, user=u, title="个人") for u in (net.clerk_a, net.lcs_zj, net.hq)]
    users = [
        net.clerk_a,
        net.clerk_area,
        net.clerk_b,
        net.clerk_x,
        net.lcs_zj,
        net.lcs_xj,
        net.hq,
        net.manager,
        net.manager_zj,
    ]
    counts = []
    for user in users:
        counts.append(message_unread_count(user=user))
        assert counts[-1] == messages_unread_for(user=user).count(), user.username
    assert counts == [3, 1, 1, 0, 2, 1, 2, 0, 1]
    message_mark_read(message=sent[0], user=net.clerk_a)
    message_mark_read(message=sent[3], user=net.manager_zj)
    for user in users:
        assert message_unread_count(user=user) == messages_unread_for(user=user).count(), user.username
    assert message_unread_count(user=net.clerk_a) == 2 and message_unread_count(user=net.manager_zj) == 0


@pytest.mark.django_db
def test_a_page_with_a_table_counts_the_messages_once(net, login):
    """The header's context is computed once per request, though the order list renders its table as a second
    template with the request (which runs the context processors again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import make_order

    make_order()
    client = login(net.clerk_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("orders:order_list")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("core_messageread" in s for s in sql) == 1
    assert sum("count(*)" in s.lower() and "PENDING" in s for s in sql) <= 1, sql
