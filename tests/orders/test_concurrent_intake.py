"""Identical pushes arriving at the same moment, on real PostgreSQL with real threads (each its own
connection and transaction): one order is created, every other copy answers "existing" — zero conflicts — and a
copy that really differs is the only 409."""

import threading

import pytest
from django.db import connections

from orders import intake as intake_module
from orders.intake import orders_intake
from orders.models import OnlineOrder, OrderEvent

from ..factories import channel_get, order_data

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(n, call):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("waybill", [None, "300000000777"])
def test_ten_identical_single_pushes_are_one_order(net, waybill):
    channel = channel_get("taobao")
    data = order_data(channel_order_id="SAME-1", waybill_no=waybill)  # no order_time: the server stamps it
    results = at_once(10, lambda: orders_intake(channel=channel, items=[dict(data)], actor_label="淘宝")[0])
    statuses = sorted(r.status for r in results)
    assert statuses == ["created"] + ["existing"] * 9, [(r.status, r.message) for r in results]
    assert OnlineOrder.objects.filter(channel_order_id="SAME-1").count() == 1
    assert OrderEvent.objects.filter(order__channel_order_id="SAME-1").count() == 1
    assert len({r.order.pk for r in results}) == 1


def test_five_identical_bulks_of_fifty_have_no_false_conflict(net):
    channel = channel_get("taobao")
    items = [order_data(channel_order_id=f"BULK-{i:03d}") for i in range(50)]
    results = at_once(5, lambda: orders_intake(channel=channel, items=[dict(x) for x in items], actor_label="淘宝"))
    statuses = [r.status for batch in results for r in batch]
    assert statuses.count("conflict") == 0 and statuses.count("invalid") == 0, [
        (r.status, r.message) for batch in results for r in batch if r.status not in ("created", "existing")
    ][:5]
    assert statuses.count("created") == 50 and statuses.count("existing") == 200
    assert OnlineOrder.objects.filter(channel_order_id__startswith="BULK-").count() == 50


def test_a_real_difference_is_still_the_only_conflict(net):
    channel = channel_get("taobao")
    same = order_data(channel_order_id="DIFF-1")
    other = dict(same, goods="另一件")
    calls = [same] * 5 + [other]
    box = iter(range(6))
    lock = threading.Lock()

    def push():
        with lock:
            i = next(box)
        return orders_intake(channel=channel, items=[dict(calls[i])], actor_label="淘宝")[0]

    results = at_once(6, push)
    by_goods = {}
    for r in results:
        by_goods.setdefault(r.status, 0)
        by_goods[r.status] += 1
    stored = OnlineOrder.objects.get(channel_order_id="DIFF-1")
    # whichever copy won, every copy equal to it is "created"/"existing", every other one a conflict
    winners = 5 if stored.goods == same["goods"] else 1
    assert by_goods.get("created", 0) + by_goods.get("existing", 0) == winners
    assert by_goods.get("conflict", 0) == 6 - winners


def test_a_copy_stored_between_the_two_lookups_is_the_same_order(net, monkeypatch):
    """The race behind the flaky ``[300000000777]`` case, made certain: an identical copy with a waybill number is
    committed by another connection after this push looked for repeats (none yet) and before it checked the
    waybill numbers in use. The waybill is then held by this very order: "existing", not "waybill taken"."""
    channel = channel_get("taobao")
    data = order_data(channel_order_id="RACE-1", waybill_no="300000000778")
    other = _stored_meanwhile(monkeypatch, channel, data)
    result = orders_intake(channel=channel, items=[dict(data)], actor_label="淘宝")[0]
    assert other["result"].status == "created"
    assert result.status == "existing", (result.status, result.code, result.message)
    assert result.order.pk == other["result"].order.pk
    assert OnlineOrder.objects.filter(channel_order_id="RACE-1").count() == 1
    # a different order with that waybill is still refused
    late = orders_intake(channel=channel, items=[order_data(channel_order_id="RACE-2", waybill_no="300000000778")])[0]
    assert late.status == "invalid" and late.code == "waybill_taken"


def _stored_meanwhile(monkeypatch, channel, data) -> dict:
    """While this thread's push checks its first new order id (after its look-up of repeats), another connection
    stores ``data`` and commits; the returned dict gets that push's result as ``result``."""
    original = intake_module.channel_order_id_check
    other, main = {}, threading.get_ident()

    def meanwhile(**kwargs):
        if threading.get_ident() == main and not other:
            other["started"] = True
            thread = threading.Thread(target=lambda: other.update(result=_push_elsewhere(channel, data)))
            thread.start()
            thread.join(60)
        return original(**kwargs)

    monkeypatch.setattr(intake_module, "channel_order_id_check", meanwhile)
    return other


def _push_elsewhere(channel, data):
    try:
        return intake_module.orders_intake(channel=channel, items=[dict(data)], actor_label="淘宝")[0]
    finally:
        connections.close_all()


def test_a_copy_stored_just_before_the_copy_is_answered_existing(net, monkeypatch):
    """A copy without a waybill number committed by another connection after the look-up of repeats: this push's
    COPY breaks the unique key, nothing of it is kept, and the orders are taken one by one: "existing", the same
    order, one "created" event in all."""
    channel = channel_get("taobao")
    data = order_data(channel_order_id="RACE-3", waybill_no="")
    neighbour = order_data(channel_order_id="RACE-4", waybill_no="")
    other = _stored_meanwhile(monkeypatch, channel, data)
    first, second = orders_intake(channel=channel, items=[dict(data), dict(neighbour)], actor_label="淘宝")
    assert other["result"].status == "created"
    assert (first.status, second.status) == ("existing", "created")
    assert first.order.pk == other["result"].order.pk
    assert OrderEvent.objects.filter(order__channel_order_id__in=["RACE-3", "RACE-4"], kind="created").count() == 2
