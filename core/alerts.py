"""Operations alerts where the teams are: 企业微信 and 钉钉 group robots, e-mail and SMS, configured by HQ for each
province's team and for HQ itself (``AlertChannel``).

A caller (the escalation job, ``dispatch.escalation``) first claims what it is about to alert (``alerts_claim``:
one row per event and reference, so a condition that lasts is alerted once), then queues one message to every
active channel of the province (``alert_send``; a province with none goes to HQ's channels). Messages leave
through the one outbox kit (``core.outbox``): retried with back-off, every attempt recorded, given up after
``CALLBACK_MAX_ATTEMPTS``; the robots' webhooks through the one destination check (``core.destinations``).

A message holds a title, lines and a link to the desk — never a phone number, a name or an address — and is
rendered in each channel's documented form when sent:

- 企业微信: ``{"msgtype": "markdown", "markdown": {"content": …}}`` POSTed to the robot's URL (its ``key``), at most
  4,096 bytes; ``errcode`` 0 in the reply is success.
- 钉钉: ``{"msgtype": "text", "text": {"content": …}}`` POSTed to the robot's URL (its ``access_token``) with
  ``timestamp`` (ms) and ``sign`` = urlencode(base64(HmacSHA256(secret, timestamp + "\\n" + secret))).
- e-mail: Django's mail to the channel's addresses.
- SMS: ``core.sms``'s backend (a logging one unless a provider's class is set)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote_plus, urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import EmailValidator
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from . import destinations, sms
from .exceptions import AlertChannelError
from .models import AlertAttempt, AlertChannel, AlertMessage, AlertRaised, Province
from .outbox import Outbox, TimedOut

log = logging.getLogger("q9.alerts")

K = AlertChannel.Kind
WEBHOOKS = (K.WECOM, K.DINGTALK)
WECOM_LIMIT = 4096  # bytes of a markdown message's content
DINGTALK_LIMIT = 18000  # bytes of a text message's content (the robot takes 20,000)
MOST_RECIPIENTS = 20
PHONE = re.compile(r"^1[3-9]\d{9}$")
_SECRET_PARAMS = re.compile(r"((?:key|access_token|sign|timestamp)=)[^&\s'\")]+", re.IGNORECASE)
KEEP_RAISED = timedelta(days=7)


# ---------------------------------------------------------------------------------------------------- channels


def _recipients(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,;，；、]+", text or "") if p]


def _webhook_check(kind: str, url: str) -> str:
    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
    except ValueError:
        parts, query = None, {}
    host = settings.ALERT_WEBHOOK_HOSTS[kind]
    param = "key" if kind == K.WECOM else "access_token"
    example = (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        if kind == K.WECOM
        else "https://oapi.dingtalk.com/robot/send?access_token=…"
    )
    documented = parts is not None and parts.scheme == "https" and parts.hostname == host
    if parts is None or not (documented or destinations.host_allowed(parts.hostname or "")) or not query.get(param):
        raise AlertChannelError(
            _("Paste the robot's webhook address as the group's robot settings show it: %(example)s")
            % {"example": example},
            field="target",
        )
    if not documented:
        try:
            destinations.destination_check(url)
        except destinations.DestinationRefused as exc:
            raise AlertChannelError(exc.message, field="target") from None
    return url


def _target_check(kind: str, target: str) -> str:
    target = (target or "").strip()
    if kind in WEBHOOKS:
        return _webhook_check(kind, target)
    found = _recipients(target)
    if not found:
        raise AlertChannelError(_("Enter at least one recipient."), field="target")
    if len(found) > MOST_RECIPIENTS:
        raise AlertChannelError(_("At most %(n)d recipients in one channel.") % {"n": MOST_RECIPIENTS}, field="target")
    for item in found:
        if kind == K.EMAIL:
            try:
                EmailValidator()(item)
            except Exception:  # noqa: BLE001 - Django's ValidationError, worded our way
                raise AlertChannelError(
                    _("%(value)s is not an e-mail address.") % {"value": item[:60]}, field="target"
                ) from None
        elif not PHONE.match(item):
            raise AlertChannelError(
                _("%(value)s is not an 11-digit mobile number.") % {"value": item[:20]}, field="target"
            )
    return ", ".join(found)


def channel_save(
    *,
    channel: AlertChannel | None = None,
    province: Province | None,
    kind: str,
    name: str,
    target: str,
    secret: str = "",
    active: bool = True,
    at: datetime | None = None,
) -> AlertChannel:
    """Create a channel, or change one: an empty address or secret on a change keeps the stored one (they are
    never shown back)."""
    at = at or timezone.now()
    if kind not in K.values:
        raise AlertChannelError(_("Choose the kind of channel."), field="kind")
    name = (name or "").strip()
    if not name:
        raise AlertChannelError(_("Give the channel a name."), field="name")
    keep = channel is not None and channel.kind == kind
    target = target.strip() if target and target.strip() else (channel.target if keep else "")
    target = _target_check(kind, target)
    secret = (secret or "").strip() or (channel.secret if keep else "")
    if kind == K.DINGTALK and not secret:
        raise AlertChannelError(
            _("Enter the robot's signing secret (加签, it starts with SEC): messages are signed with it."),
            field="secret",
        )
    if kind != K.DINGTALK:
        secret = ""
    channel = channel or AlertChannel(created_at=at)
    channel.province, channel.kind, channel.name = province, kind, name[:64]
    channel.target, channel.secret, channel.active, channel.updated_at = target, secret[:200], active, at
    channel.save()
    return channel


def channel_delete(*, channel: AlertChannel) -> None:
    channel.delete()


def masked_target(channel: AlertChannel) -> str:
    """What a page shows of the address: a robot's key or token by its first and last four characters, e-mail
    addresses and numbers masked."""
    if channel.kind in WEBHOOKS:
        parts = urlsplit(channel.target)
        shown = []
        for name, values in parse_qs(parts.query).items():
            value = values[0] if values else ""
            shown.append(f"{name}={value[:4]}…{value[-4:]}" if len(value) > 10 else f"{name}=…")
        return f"{parts.scheme}://{parts.hostname}{parts.path}?{'&'.join(shown)}"
    if channel.kind == K.SMS:
        return ", ".join(sms.masked(n) for n in _recipients(channel.target))
    masked = []
    for address in _recipients(channel.target):
        local, _at, domain = address.partition("@")
        masked.append(f"{local[:1]}***@{domain}")
    return ", ".join(masked)


# ----------------------------------------------------------------------------------------------- raising alerts


def alerts_claim(*, kind: str, refs, at: datetime) -> set[int]:
    """Record that these references are alerted for ``kind``; answers the ones not alerted before (only those are
    to be sent). Two runs at once cannot both claim one."""
    refs = sorted({int(r) for r in refs})
    if not refs:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AlertRaised._meta.db_table} (kind, ref, at) "  # noqa: S608 - a model's table
            "SELECT %s, unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING RETURNING ref",
            [kind, refs, at],
        )
        return {row[0] for row in cursor.fetchall()}


def alerts_forget(*, at: datetime) -> int:
    """Claims older than a week are dropped (their orders and callbacks are long decided)."""
    return AlertRaised.objects.filter(at__lt=at - KEEP_RAISED).delete()[0]


def channels_for(province: Province | None) -> list[AlertChannel]:
    """The active channels of a province's team, else HQ's (an alert nobody receives is lost)."""
    found = list(AlertChannel.objects.filter(province=province, active=True).order_by("id"))
    if not found and province is not None:
        found = list(AlertChannel.objects.filter(province=None, active=True).order_by("id"))
    return found


def alert_send(
    *,
    province: Province | None,
    kind: str,
    title: str,
    lines: list[str],
    link: str = "",
    at: datetime | None = None,
    channels: list[AlertChannel] | None = None,
) -> int:
    """Queue one message to every active channel of the province (None: HQ's); answers how many were queued."""
    at = at or timezone.now()
    channels = channels_for(province) if channels is None else channels
    if not channels:
        log.warning("alert %s not sent: no active alert channel for %s", kind, province.code if province else "HQ")
        return 0
    payload = {"title": title, "lines": list(lines), "link": link}
    due = min(at, timezone.now())  # a run acting for a later moment (a replay, a test) sends now
    rows = [AlertMessage(channel=c, kind=kind, payload=payload, next_attempt_at=due, created_at=at) for c in channels]
    return ALERTS.queue(rows)


def channel_test(*, channel: AlertChannel, at: datetime | None = None) -> int:
    """A test message to one channel (the page's 发送测试消息)."""
    where = channel.province.name if channel.province else _("HQ")
    return alert_send(
        province=channel.province,
        kind="test",
        title=_("Q9 alert test"),
        lines=[_("This channel of %(where)s receives Q9 Order Desk's alerts.") % {"where": where}],
        link=settings.SITE_URL.rstrip("/") + "/alerts/",
        at=at,
        channels=[channel],
    )


def alerts_retry(ids) -> int:
    return ALERTS.retry(ids)


# -------------------------------------------------------------------------------------------------- rendering


def _fit(head: str, lines: list[str], tail: str, limit: int, line_form: str) -> str:
    """head + as many lines as fit in ``limit`` bytes + a line saying how many were left out + tail."""
    out, size = [head], len(head.encode()) + len(tail.encode()) + 40
    for i, line in enumerate(lines):
        text = line_form.format(line)
        if size + len(text.encode()) + 1 > limit:
            out.append(line_form.format(_("… and %(n)d more lines on the desk") % {"n": len(lines) - i}))
            break
        out.append(text)
        size += len(text.encode()) + 1
    if tail:
        out.append(tail)
    return "\n".join(out)


def wecom_body(payload: dict) -> dict:
    link = payload.get("link") or ""
    tail = f"[{_('Open the desk')}]({link})" if link else ""
    content = _fit(f"### {payload['title']}", payload.get("lines", []), tail, WECOM_LIMIT, "> {}")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_body(payload: dict) -> dict:
    content = _fit(payload["title"], payload.get("lines", []), payload.get("link") or "", DINGTALK_LIMIT, "{}")
    return {"msgtype": "text", "text": {"content": content}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: base64(HmacSHA256(secret, timestamp + "\\n" + secret)), urlencoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def plain_text(payload: dict) -> str:
    lines = [payload["title"], *payload.get("lines", [])]
    if payload.get("link"):
        lines.append(payload["link"])
    return "\n".join(lines)


def sms_text(payload: dict) -> str:
    """One short message: the title, how many lines the desk has, the link."""
    n = len(payload.get("lines", []))
    text = payload["title"] + (_("(%(n)d items)") % {"n": n} if n > 1 else "：" + payload["lines"][0] if n else "")
    return f"【Q9】{text[:120]} {payload.get('link') or ''}".strip()


# --------------------------------------------------------------------------------------------------- delivery


def scrub(text: str) -> str:
    """A robot's key, token and signature never reach a log line or the page (an HTTP error names the URL)."""
    return _SECRET_PARAMS.sub(r"\1…", text or "")


def _post(url: str, body: dict) -> tuple[bool, int | None, str]:
    timeout = settings.CALLBACK_TIMEOUT_SECONDS
    data = json.dumps(body, ensure_ascii=False).encode()
    try:
        with destinations.session() as http:
            response = http.post(
                url,
                data=data,
                timeout=(timeout, timeout),
                headers={"Content-Type": "application/json; charset=utf-8"},
                allow_redirects=False,
                stream=True,
            )
            reply = response.raw.read(2048, decode_content=True).decode("utf-8", "replace") if response.raw else ""
            response.close()
    except requests.Timeout as exc:
        raise TimedOut(scrub(f"{type(exc).__name__}: {destinations.excerpt(str(exc), 200)}")) from None
    except requests.RequestException as exc:
        return False, None, scrub(f"{type(exc).__name__}: {destinations.excerpt(str(exc), 200)}")
    if not 200 <= response.status_code < 300:
        return False, response.status_code, f"HTTP {response.status_code}: {destinations.excerpt(reply)}"
    try:
        answer = json.loads(reply)
        errcode = int(answer.get("errcode", 0))
    except (ValueError, TypeError, AttributeError):
        return False, response.status_code, f"not the robot's answer: {destinations.excerpt(reply)}"
    if errcode != 0:
        return False, response.status_code, f"errcode {errcode}: {destinations.excerpt(str(answer.get('errmsg')))}"
    return True, response.status_code, ""


def deliver_row(row: AlertMessage) -> tuple[bool, int | None, str]:
    """Send one alert in its channel's form (the outbox kit's ``send``)."""
    channel = row.channel
    if not channel.active:
        raise destinations.DestinationRefused(_("The channel is switched off."))
    if channel.kind == K.WECOM:
        return _post(channel.target, wecom_body(row.payload))
    if channel.kind == K.DINGTALK:
        return _post(dingtalk_url(channel.target, channel.secret), dingtalk_body(row.payload))
    if channel.kind == K.EMAIL:
        try:
            send_mail(
                row.payload["title"],
                plain_text(row.payload),
                settings.DEFAULT_FROM_EMAIL,
                _recipients(channel.target),
                fail_silently=False,
            )
        except Exception as exc:  # noqa: BLE001 - SMTP, socket and backend errors alike: the attempt failed
            return False, None, f"{type(exc).__name__}: {destinations.excerpt(str(exc), 200)}"
        return True, None, ""
    try:
        sms.backend().send(_recipients(channel.target), sms_text(row.payload))
    except sms.SmsError as exc:
        return False, None, f"SMS: {destinations.excerpt(str(exc), 200)}"
    return True, None, ""


ALERTS = Outbox(
    name="alerts",
    model=AlertMessage,
    attempts=AlertAttempt,
    task="core.tasks.alerts_deliver",
    related=("channel",),
    send=deliver_row,
    describe=lambda row: f"alert channel {row.channel_id} ({row.channel.kind})",
)


def alerts_deliver(*, limit: int = 100) -> int:
    return ALERTS.deliver(limit=limit)
