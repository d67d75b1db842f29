"""Status callbacks through an outbox: a row per callback is written by ``orders.events`` in the
transaction of the change itself; Celery delivers due rows with exponential back-off; every attempt is recorded;
HQ sees the failed ones and retries them. A broker outage only delays delivery: the rows wait in PostgreSQL and
the next scheduled run (or the next change's kick) picks them up."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import jobs
from core.caches import ProcessCache

from .adapters import adapter_for
from .callback_urls import CallbackUrlRefused, callback_url_check
from .models import (
    ApiClient,
    CallbackAttempt,
    OrderCallbackUrl,
    OrderEvent,
    OutboxMessage,
)
from .signing import headers


def _load_clients() -> dict[int, list[ApiClient]]:
    table: dict[int, list[ApiClient]] = {}
    # a Kuaidi100 client may have no address of its own: its orders bring theirs (callBackUrl)
    for client in ApiClient.objects.filter(active=True, kind=ApiClient.Kind.CHANNEL).exclude(
            callback_url="", adapter=ApiClient.Adapter.KUAIDI100):
        table.setdefault(client.channel_id, []).append(client)
    return table


clients = ProcessCache("API clients with a callback URL", _load_clients)


def clients_changed() -> None:
    clients.changed()


def _clients_by_channel() -> dict[int, list[ApiClient]]:
    return clients.get()


def outbox_for_events(events) -> int:
    """Queue the callbacks these (just saved) events owe their channels. Called by ``orders.events``."""

    table = _clients_by_channel()
    if not table:
        return 0
    now = timezone.now()
    events = list(events)
    own_urls = {}
    if any(c.adapter == ApiClient.Adapter.KUAIDI100 for e in events for c in table.get(e.order.channel_id, ())):
        own_urls = dict(OrderCallbackUrl.objects.filter(order_id__in={e.order_id for e in events})
                        .values_list("order_id", "url"))
    rows = []
    for event in events:
        order = event.order
        for client in table.get(order.channel_id, ()):
            url = own_urls.get(order.pk) if client.adapter == ApiClient.Adapter.KUAIDI100 else None
            url = url or client.callback_url
            payload = adapter_for(client.adapter).callback(event, order) if url else None
            if payload is not None:
                rows.append(OutboxMessage(client=client, order=order, event=event, kind=event.kind,
                                          url=url, payload=payload, next_attempt_at=now, created_at=now))
    if rows:
        OutboxMessage.objects.bulk_create(rows, batch_size=1000)
        jobs.publish_on_commit("orders.tasks.callbacks_deliver")
    return len(rows)


def channels_reaching(*, order, kind: str) -> list[str]:
    """The names of the API clients through which an event of ``kind`` on this order reaches the channel (those
    with an address and a format that carries it). Empty: the channel has no way to hear of it."""

    probe = OrderEvent(order=order, kind=kind, at=timezone.now(), site=order.site, stint=order.stint,
                       from_state=order.state, to_state=order.state)
    own = OrderCallbackUrl.objects.filter(order_id=order.pk).exists()
    return [client.name for client in _clients_by_channel().get(order.channel_id, ())
            if (client.callback_url or (own and client.adapter == ApiClient.Adapter.KUAIDI100))
            and adapter_for(client.adapter).callback(probe, order) is not None]
def backoff(attempts: int) -> timedelta:
    base = settings.CALLBACK_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def _claim(limit: int, now: datetime) -> list[int]:
    """Lease due rows (their next attempt moves a minute ahead) so two workers never send the same one."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_outboxmessage SET next_attempt_at = %s WHERE id IN ("
            " SELECT id FROM orders_outboxmessage WHERE status = 'pending' AND next_attempt_at <= %s"
            " ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
            [now + timedelta(seconds=60), now, limit])
        return [row[0] for row in cursor.fetchall()]


def post_signed(*, url: str, payload: dict, client: ApiClient) -> tuple[bool, int | None, str]:
    """POST a JSON payload signed with the client's secret (like our API requests): (ok, status, error)."""

    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    try:
        response = requests.post(url, data=body, timeout=settings.CALLBACK_TIMEOUT_SECONDS,
                                 headers=headers(key=client.key, secret=client.secret, method="POST",
                                                 path=urlsplit(url).path or "/", body=body))
    except requests.RequestException as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:300]
    ok = 200 <= response.status_code < 300
    return ok, response.status_code, "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"


def deliver_one(message: OutboxMessage, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    refused = ""
    if message.url != message.client.callback_url:  # an order's own address: checked again before each send
        try:
            callback_url_check(message.url)
        except CallbackUrlRefused as exc:
            refused = str(exc.message)
    if refused:
        ok, code, error = False, None, refused
        message.attempts = getattr(settings, "CALLBACK_MAX_ATTEMPTS", 10) - 1  # never worth another try
    else:
        ok, code, error = post_signed(url=message.url, payload=message.payload, client=message.client)
    CallbackAttempt.objects.create(message=message, at=now, status_code=code, error=error[:300], ok=ok)
    message.attempts += 1
    if ok:
        message.status, message.delivered_at, message.last_error = OutboxMessage.Status.DELIVERED, now, ""
    else:
        message.last_error = error[:300]
        if message.attempts >= settings.CALLBACK_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])
    return ok


def outbox_deliver(*, limit: int = 100, rounds: int = 10) -> int:
    """Deliver what is due, in bounded batches; returns how many were delivered."""
    delivered = 0
    for _ in range(rounds):
        ids = _claim(limit, timezone.now())
        if not ids:
            break
        for message in OutboxMessage.objects.filter(pk__in=ids).select_related("client").order_by("id"):
            delivered += deliver_one(message)
    return delivered


@transaction.atomic
def outbox_retry(*, message_ids, actor=None) -> int:
    """HQ sends failed callbacks again (from now, with a fresh count)."""
    now = timezone.now()
    n = OutboxMessage.objects.filter(pk__in=list(message_ids), status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now)
    if n:
        jobs.publish_on_commit("orders.tasks.callbacks_deliver")
    return n
