"""Every channel × every event it hears of writes its callback row, whichever way its address is given (the
client's own URL, or — Kuaidi100 — the order's ``callBackUrl`` with none on the client); a client HQ creates or
changes counts from the next event on, in every process (nothing cached)."""

import pytest

from orders import events
from orders.adapters import ADAPTERS
from orders.models import ApiClient, EventKind, OutboxMessage
from orders.services import api_client_create, api_client_update, order_callback_url_record
from tests.factories import channel_get, make_order


@pytest.fixture(autouse=True)
def _named_hosts(settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["cb.example.com"]  # resolves nowhere here; nothing is sent


SETUPS = {
    # name: (channel, adapter, the client's URL, the order's own URL)
    "generic": ("taobao", "generic", "https://cb.example.com/q9", ""),
    "wechat": ("wechat", "wechat", "https://cb.example.com/wx", ""),
    "kuaidi100, the client's URL": ("kuaidi100", "kuaidi100", "https://cb.example.com/kd", ""),
    "kuaidi100, the order's URL only": ("kuaidi100", "kuaidi100", "", "https://cb.example.com/own/1"),
    "kuaidi100, both": ("kuaidi100", "kuaidi100", "https://cb.example.com/kd", "https://cb.example.com/own/2"),
}


def _fields(order, kind, courier, actor) -> dict:
    to_state = "PICKED_UP" if kind == EventKind.SCANNED else order.state
    return {
        "order": order,
        "kind": kind,
        "at": order.order_time,
        "actor": actor,
        "to_state": to_state,
        "courier": courier,
        "waybill_no": "300000000911",
    }


def _heard(adapter, order, courier, actors):
    """The (kind, actor) pairs whose event this channel's format carries."""
    return [
        (kind, actor)
        for kind in EventKind.values
        for actor in actors
        if ADAPTERS[adapter].callback(events.event_build(**_fields(order, kind, courier, actor)), order) is not None
    ]


@pytest.mark.parametrize("setup", list(SETUPS))
def test_every_event_the_channel_hears_of_is_queued(net, setup):
    slug, adapter, client_url, own_url = SETUPS[setup]
    channel = channel_get(slug)
    client, _secret = api_client_create(
        name=setup, kind="channel", channel=channel, adapter=adapter, callback_url=client_url
    )
    order = make_order(channel=channel)
    if own_url:
        order_callback_url_record(order=order, url=own_url)
    courier = net.site_a.couriers.first()
    heard = _heard(adapter, order, courier, (None, net.hq))
    assert len({k for k, _a in heard}) >= 7, heard  # the check itself covers the formats' codes
    for kind, actor in heard:
        event = events.event_record(**_fields(order, kind, courier, actor))
        row = OutboxMessage.objects.filter(event=event, client=client).first()
        assert row is not None, (setup, kind, actor)
        assert row.url == (own_url or client_url) and row.kind == kind and row.status == "pending"


def test_a_kuaidi100_client_without_an_address_queues_nothing_for_an_order_without_one(net):
    channel = channel_get("kuaidi100")
    api_client_create(name="kd", kind="channel", channel=channel, adapter="kuaidi100")
    order = make_order(channel=channel)
    events.event_record(order=order, kind=EventKind.ACCEPTED, at=order.order_time, to_state="ACCEPTED")
    assert not OutboxMessage.objects.filter(order=order).exists()


def test_a_client_created_or_changed_elsewhere_counts_from_the_next_event(net):
    channel = channel_get("taobao")
    order = make_order(channel=channel)
    assert not OutboxMessage.objects.exists()  # this process has read the (empty) client list
    # another process (HQ's web request) creates the client: nothing here is told
    client = ApiClient.objects.create(
        name="new",
        kind="channel",
        channel=channel,
        adapter="generic",
        key="k-new",
        secret="s" * 40,
        callback_url="https://cb.example.com/new",
    )
    events.event_record(order=order, kind=EventKind.ACCEPTED, at=order.order_time, to_state="ACCEPTED")
    assert OutboxMessage.objects.get(order=order).url == "https://cb.example.com/new"
    ApiClient.objects.filter(pk=client.pk).update(callback_url="https://cb.example.com/moved")
    events.event_record(order=order, kind=EventKind.COURIER, at=order.order_time, courier=net.site_a.couriers.first())
    assert OutboxMessage.objects.get(order=order, kind="courier").url == "https://cb.example.com/moved"
    api_client_update(client_id=client.pk, callback_url="https://cb.example.com/moved", active=False)
    events.event_record(order=order, kind=EventKind.CANCELLED, at=order.order_time)
    assert not OutboxMessage.objects.filter(order=order, kind="cancelled").exists()
