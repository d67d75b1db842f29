"""Status callbacks through an outbox: a row per callback is written by ``orders.events`` in the
transaction of the change itself; Celery delivers due rows with exponential back-off; every attempt is recorded;
HQ sees the failed ones and retries them. A broker outage only delays delivery: the rows wait in PostgreSQL and
the next scheduled run (or the next change's kick) picks them up."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.outbox import Outbox

from .adapters import adapter_for
from .models import (
    ApiClient,
    CallbackAttempt,
    OrderCallbackUrl,
    OrderEvent,
    OutboxMessage,
)


def _clients_by_channel(channel_ids) -> dict[int, list[ApiClient]]:
    """The active channel clients that may be owed callbacks, read fresh each time (one indexed query on a small
    table): a client HQ creates or changes takes effect with the next event, in every process. A Kuaidi100 client
    may have no address of its own: its orders bring theirs (``callBackUrl``)."""
    table: dict[int, list[ApiClient]] = {}
    has_address = ~Q(callback_url="") | Q(adapter=ApiClient.Adapter.KUAIDI100)
    for client in ApiClient.objects.filter(
        has_address, active=True, kind=ApiClient.Kind.CHANNEL, channel_id__in=set(channel_ids)
    ).order_by("id"):
        table.setdefault(client.channel_id, []).append(client)
    return table


def outbox_for_events(events) -> int:
    """Queue the callbacks these (just saved) events owe their channels. Called by ``orders.events``."""
    events = list(events)
    table = _clients_by_channel({e.order.channel_id for e in events})
    if not table:
        return 0
    now = timezone.now()
    own_urls = {}
    if any(c.adapter == ApiClient.Adapter.KUAIDI100 for e in events for c in table.get(e.order.channel_id, ())):
        own_urls = dict(
            OrderCallbackUrl.objects.filter(order_id__in={e.order_id for e in events}).values_list("order_id", "url")
        )
    rows = []
    for event in events:
        order = event.order
        for client in table.get(order.channel_id, ()):
            url = own_urls.get(order.pk) if client.adapter == ApiClient.Adapter.KUAIDI100 else None
            url = url or client.callback_url
            payload = adapter_for(client.adapter).callback(event, order) if url else None
            if payload is not None:
                rows.append(
                    OutboxMessage(
                        client=client,
                        order=order,
                        event=event,
                        kind=event.kind,
                        url=url,
                        payload=payload,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return CALLBACKS.queue(rows)


def channels_reaching(*, order, kind: str) -> list[str]:
    """The names of the API clients through which an event of ``kind`` on this order reaches the channel (those
    with an address and a format that carries it). Empty: the channel has no way to hear of it."""
    probe = OrderEvent(
        order=order,
        kind=kind,
        at=timezone.now(),
        site=order.site,
        stint=order.stint,
        from_state=order.state,
        to_state=order.state,
    )
    own = OrderCallbackUrl.objects.filter(order_id=order.pk).exists()
    return [
        client.name
        for client in _clients_by_channel([order.channel_id]).get(order.channel_id, ())
        if (client.callback_url or (own and client.adapter == ApiClient.Adapter.KUAIDI100))
        and adapter_for(client.adapter).callback(probe, order) is not None
    ]


CALLBACKS = Outbox(
    name="orders.callbacks",
    model=OutboxMessage,
    attempts=CallbackAttempt,
    task="orders.tasks.callbacks_deliver",
)


def outbox_deliver(*, limit: int = 100, rounds: int = 10) -> int:
    """Deliver the due status callbacks, in bounded batches; returns how many were delivered."""
    return CALLBACKS.deliver(limit=limit, rounds=rounds)


def outbox_retry(*, message_ids, actor=None) -> int:
    """HQ sends failed callbacks again (from now, with a fresh count)."""
    return CALLBACKS.retry(message_ids)
