"""Alert channels: 企业微信 and 钉钉 robots posted to a local fake webhook server (the documented bodies, 钉钉's
signature verified the way the robot verifies it), a failure retried with every attempt recorded, e-mail, the SMS
logging backend, and HQ's page (secrets never shown back, bad input answered in Chinese)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from core import alerts
from core.models import AlertAttempt, AlertChannel, AlertMessage

KEY = "wecom-robot-key-0123456789"
TOKEN = "dingtalk-access-token-0123456789"
SECRET = "SEC0123456789abcdef0123456789abcdef"


class FakeRobots:
    """企业微信's and 钉钉's webhook endpoints on 127.0.0.1: records each POST (path, query, JSON body) and answers
    with the next of ``replies`` (HTTP status, body), then ``{"errcode": 0, "errmsg": "ok"}``."""

    def __init__(self):
        self.received, self.replies = [], []
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                robots.received.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "body": json.loads(raw), "raw": raw}
                )
                status, body = robots.replies.pop(0) if robots.replies else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots():
    r = FakeRobots()
    yield r
    r.close()


def _wecom(robots, province=None, name="总部值班群"):
    return alerts.channel_save(
        province=province, kind="wecom", name=name, target=f"{robots.base}/cgi-bin/webhook/send?key={KEY}"
    )


def _payload():
    return {
        "title": "浙江省：3 单 10 分钟内到接单时限，网点无人值守",
        "lines": ["杭州西湖网点（33010601）：2 单", "宁波海曙网点（33020301）：1 单"],
        "link": "http://127.0.0.1:8000/network/silent/",
    }


def test_wecom_robot_receives_the_documented_markdown_body(net, robots):
    channel = _wecom(robots)
    p = _payload()
    assert alerts.alert_send(province=None, kind="test", title=p["title"], lines=p["lines"], link=p["link"]) == 1
    assert alerts.alerts_deliver() == 1
    [got] = robots.received
    assert got["path"] == "/cgi-bin/webhook/send" and got["query"] == {"key": [KEY]}
    body = got["body"]
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.splitlines()[0] == f"### {p['title']}"
    assert "> 杭州西湖网点（33010601）：2 单" in content and "> 宁波海曙网点（33020301）：1 单" in content
    assert content.endswith(f"]({p['link']})")
    message = AlertMessage.objects.get(channel=channel)
    assert message.status == "delivered" and message.attempts == 1
    assert list(AlertAttempt.objects.filter(message=message).values_list("ok", "status_code")) == [(True, 200)]
    print("企业微信 body received:", got["raw"].decode())


def test_wecom_content_stays_within_4096_bytes(net, robots):
    _wecom(robots)
    lines = [f"网点{i:05d}（{i:08d}）：3 单，最早 09:30 到期" for i in range(400)]
    alerts.alert_send(province=None, kind="test", title="很多网点", lines=lines, link="")
    alerts.alerts_deliver()
    content = robots.received[0]["body"]["markdown"]["content"]
    assert len(content.encode()) <= alerts.WECOM_LIMIT
    assert "网点00000" in content and "网点00399" not in content and "另有" in content


def test_dingtalk_robot_gets_a_text_body_and_a_signature_that_verifies(net, robots):
    alerts.channel_save(
        province=net.zj,
        kind="dingtalk",
        name="浙江运营群",
        target=f"{robots.base}/robot/send?access_token={TOKEN}",
        secret=SECRET,
    )
    p = _payload()
    alerts.alert_send(province=net.zj, kind="test", title=p["title"], lines=p["lines"], link=p["link"])
    assert alerts.alerts_deliver() == 1
    [got] = robots.received
    assert got["body"] == {"msgtype": "text", "text": {"content": "\n".join([p["title"], *p["lines"], p["link"]])}}
    query = got["query"]
    assert query["access_token"] == [TOKEN]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    # what 钉钉 checks: HmacSHA256 over "timestamp\nsecret" keyed by the secret, base64 (parse_qs undid the
    # urlencoding), and a timestamp within an hour of its clock
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert sign == expected.decode()
    import time

    assert abs(int(timestamp) - time.time() * 1000) < 3_600_000
    # and a wrong secret would not verify
    assert sign != base64.b64encode(hmac.new(b"SECx", f"{timestamp}\nSECx".encode(), hashlib.sha256).digest()).decode()


def test_a_failed_post_is_retried_with_every_attempt_recorded(net, robots, _fixed_clock):
    _wecom(robots)
    robots.replies = [(500, {"error": "busy"}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    alerts.alert_send(province=None, kind="test", title="重试", lines=["一行"], link="")
    assert alerts.alerts_deliver() == 0
    message = AlertMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1 and message.last_error.startswith("HTTP 500")
    assert alerts.alerts_deliver() == 0  # not due before the back-off
    _fixed_clock.shift(timedelta(seconds=11))
    assert alerts.alerts_deliver() == 0
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error.startswith("errcode 45009")  # 200 with an error code fails
    _fixed_clock.shift(timedelta(seconds=21))
    assert alerts.alerts_deliver() == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 3
    assert list(message.deliveries.values_list("ok", "status_code")) == [(False, 500), (False, 200), (True, 200)]
    assert len(robots.received) == 3


def test_an_unreachable_robot_fails_without_its_key_in_the_error_or_the_log(net, caplog, settings):
    settings.CALLBACK_MAX_ATTEMPTS = 1
    alerts.channel_save(
        province=None, kind="wecom", name="坏群", target=f"http://127.0.0.1:9/cgi-bin/webhook/send?key={KEY}"
    )
    alerts.alert_send(province=None, kind="test", title="到不了", lines=[], link="")
    with caplog.at_level(logging.WARNING):
        assert alerts.alerts_deliver() == 0
    message = AlertMessage.objects.get()
    assert message.status == "failed" and message.deliveries.count() == 1
    assert KEY not in message.last_error and KEY not in caplog.text
    # HQ sends it again from the page: pending, from a fresh count
    assert alerts.alerts_retry([message.pk]) == 1


def test_email_and_the_sms_logging_backend(net, mailoutbox, caplog):
    alerts.channel_save(province=None, kind="email", name="值班邮箱", target="ops@q9.example, duty@q9.example")
    alerts.channel_save(province=None, kind="sms", name="值班手机", target="13800001111，13900002222")
    with caplog.at_level(logging.INFO, logger="q9.sms"):
        alerts.alert_send(province=None, kind="test", title="测试告警", lines=["第一行", "第二行"], link="http://x/")
        assert alerts.alerts_deliver() == 2
    [mail] = mailoutbox
    assert mail.subject == "测试告警" and mail.to == ["ops@q9.example", "duty@q9.example"]
    assert "第二行" in mail.body
    sms_line = [r.getMessage() for r in caplog.records if r.name == "q9.sms"]
    assert sms_line == ["SMS to 138****1111, 139****2222: 【Q9】测试告警（2 项） http://x/"]
    assert "13800001111" not in caplog.text
    assert AlertAttempt.objects.filter(ok=True).count() == 2


def test_a_province_without_channels_is_alerted_through_hqs(net, robots):
    hq = _wecom(robots)
    assert alerts.channels_for(net.zj) == [hq]
    own = _wecom(robots, province=net.zj, name="浙江群")
    assert alerts.channels_for(net.zj) == [own]
    assert alerts.channels_for(None) == [hq]


def test_channel_checks_in_chinese(net):
    from core.exceptions import AlertChannelError

    cases = [
        ("wecom", "https://example.com/hook?key=abc", "", "机器人"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "", "机器人"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc", "", "加签"),
        ("email", "not-an-address", "", "不是电子邮件地址"),
        ("sms", "12345", "", "手机号"),
    ]
    from django.utils import translation

    with translation.override("zh-hans"):
        for kind, target, secret, words in cases:
            with pytest.raises(AlertChannelError) as refused:
                alerts.channel_save(province=None, kind=kind, name="x", target=target, secret=secret)
            assert words in str(refused.value.message), (kind, target, refused.value.message)
    # the documented hosts are taken as they are (their addresses are checked again when a message is sent)
    ok = alerts.channel_save(
        province=None, kind="wecom", name="总部", target="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + KEY
    )
    assert alerts.masked_target(ok) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=weco…6789"


def test_hqs_page_adds_a_channel_sends_a_test_and_never_shows_the_secret(net, login, robots):
    client = login(net.hq)
    url = reverse("core:alert_channels")
    page = client.get(url)
    assert page.status_code == 200 and "告警通道" in page.content.decode()
    added = client.post(
        url,
        {
            "action": "save",
            "province": net.zj.pk,
            "kind": "dingtalk",
            "name": "浙江运营群",
            "target": f"{robots.base}/robot/send?access_token={TOKEN}",
            "secret": SECRET,
            "active": "on",
        },
        follow=True,
    )
    text = added.content.decode()
    channel = AlertChannel.objects.get()
    assert channel.secret == SECRET and channel.province == net.zj
    assert TOKEN not in text and SECRET not in text and "dingtalk-access-token" not in text
    assert "ding…6789" in text and "已设置加签密钥" in text
    # a change with the address and secret left empty keeps them
    client.post(
        f"{url}?edit={channel.pk}",
        {"action": "save", "province": net.zj.pk, "kind": "dingtalk", "name": "浙江值班群", "target": "", "secret": ""},
    )
    channel.refresh_from_db()
    assert channel.name == "浙江值班群" and channel.secret == SECRET and TOKEN in channel.target
    assert not channel.active
    edit = client.get(f"{url}?edit={channel.pk}").content.decode()
    assert SECRET not in edit and TOKEN not in edit
    # the test message goes out through the outbox
    client.post(url, {"action": "test", "channel": channel.pk})
    alerts.alerts_deliver()
    message = AlertMessage.objects.get(kind="test")
    assert message.status == "failed" and "停用" in message.last_error  # switched off above: refused, not retried
    # bad input: a Chinese error next to the field, nothing saved, never a 500
    bad = client.post(url, {"action": "save", "kind": "wecom", "name": "坏", "target": "http://10.0.0.1/x?key=1"})
    assert bad.status_code == 200 and "机器人" in bad.content.decode() and AlertChannel.objects.count() == 1
    assert client.post(url, {"action": "test", "channel": "abc"}).status_code == 404


def test_only_hq_reaches_the_page_and_hq_finds_it_in_the_navigation(net, login):
    url = reverse("core:alert_channels")
    for user in (net.clerk_a, net.lcs_zj, net.manager):
        assert login(user).get(url).status_code == 403
    assert f'href="{url}"' in login(net.hq).get(reverse("home")).content.decode()


def test_the_latest_alerts_are_a_table_filtered_by_status_and_channel_with_a_retry_on_failed_rows(net, login, robots):
    hq_room, zj_room = _wecom(robots), _wecom(robots, province=net.zj, name="浙江运营群")
    for i in range(3):
        alerts.alert_send(province=None, kind="test", title=f"总部告警{i}", lines=["一行"])
    alerts.alert_send(province=net.zj, kind="test", title="浙江告警", lines=["一行"])
    AlertMessage.objects.filter(payload__title="总部告警1").update(status=AlertMessage.Status.FAILED)
    client = login(net.hq)
    url = reverse("core:alert_channels")

    def titles(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return [row.record.payload["title"] for row in page.context["table"].page.object_list], page

    everything, page = titles()
    assert everything == ["浙江告警", "总部告警2", "总部告警1", "总部告警0"]  # the newest first, the id breaking ties
    text = page.content.decode()
    assert text.count('data-testid="alert-retry"') == 1  # only the failed row is sent again from its row
    assert "总部 · 总部值班群" in text and f"{net.zj.name} · 浙江运营群" in text
    assert titles(status="failed")[0] == ["总部告警1"]
    assert titles(channel=zj_room.pk)[0] == ["浙江告警"]
    assert titles(channel=hq_room.pk, status="pending")[0] == ["总部告警2", "总部告警0"]
    # pages of the channels' table and of the alerts' do not share a parameter
    assert titles(**{"alerts-page": 1})[0] == everything
    channels = [row.record for row in page.context["channels"].rows]
    assert channels == [hq_room, zj_room]  # HQ's first, then the provinces


def test_a_row_action_comes_back_to_the_alerts_as_filtered_and_paged(net, login, robots):
    room = _wecom(robots)
    alerts.alert_send(province=None, kind="test", title="总部告警", lines=["一行"])
    failed = AlertMessage.objects.get(payload__title="总部告警")
    AlertMessage.objects.filter(pk=failed.pk).update(status=AlertMessage.Status.FAILED)
    client = login(net.hq)
    url = reverse("core:alert_channels")
    r = client.post(f"{url}?status=failed&alerts-page=1", {"action": "retry", "message": failed.pk})
    assert r.status_code == 302 and r["Location"] == f"{url}?status=failed&alerts-page=1"
    r = client.post(f"{url}?status=failed&edit={room.pk}", {"action": "delete", "channel": room.pk})
    assert r.status_code == 302 and r["Location"] == f"{url}?status=failed"  # not back to editing what is gone
    assert client.get(r["Location"]).status_code == 200
