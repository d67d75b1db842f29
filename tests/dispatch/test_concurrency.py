"""Two clerks, one order, on real PostgreSQL with real threads (each its own connection and transaction):
exactly one wins, exactly one event, the loser gets a clear message."""

import threading

import pytest
from django.db import connections

from core.exceptions import DomainError
from dispatch import services as ops
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState

from ..factories import UserFactory, make_order

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except DomainError as exc:
            results[i] = ("refused", str(exc.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("repeat", range(3))
def test_two_clerks_accept_the_same_order(net, repeat):
    second_clerk = UserFactory(username=f"clerk-a2-{repeat}", role="clerk", site=net.site_a)
    order = make_order()
    results = race(
        lambda: ops.order_accept(order_id=order.pk, actor=net.clerk_a),
        lambda: ops.order_accept(order_id=order.pk, actor=second_clerk),
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    message = next(r[1] for r in results if r[0] == "refused")
    assert order.channel_order_id in message
    assert OrderEvent.objects.filter(order=order, kind=EventKind.ACCEPTED).count() == 1
    assert OnlineOrder.objects.get(pk=order.pk).state == OrderState.ACCEPTED


@pytest.mark.parametrize("repeat", range(3))
def test_accept_races_transfer(net, repeat):
    second_clerk = UserFactory(username=f"clerk-a3-{repeat}", role="clerk", site=net.site_a)
    order = make_order()
    results = race(
        lambda: ops.order_accept(order_id=order.pk, actor=net.clerk_a, expect=OrderState.PENDING),
        lambda: ops.order_transfer(
            order_id=order.pk, actor=second_clerk, to_site=net.site_b, expect=OrderState.PENDING
        ),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    events = OrderEvent.objects.filter(order=order, kind__in=[EventKind.ACCEPTED, EventKind.TRANSFERRED])
    assert events.count() == 1
    fresh = OnlineOrder.objects.get(pk=order.pk)
    if events.get().kind == EventKind.ACCEPTED:
        assert (fresh.state, fresh.site_id) == (OrderState.ACCEPTED, net.site_a.pk)
    else:
        assert (fresh.state, fresh.site_id) == (OrderState.PENDING, net.site_b.pk)


def test_two_batches_overlapping(net):
    orders = [make_order() for _ in range(30)]
    ids = [o.pk for o in orders]
    results = race(
        lambda: ops.orders_accept_batch(order_ids=ids[:20], actor=net.clerk_a),
        lambda: ops.orders_accept_batch(order_ids=ids[10:], actor=net.clerk_a),
    )
    done = results[0][1].done + results[1][1].done
    assert sorted(done) == ids  # each order accepted by exactly one batch
    assert OrderEvent.objects.filter(order_id__in=ids, kind=EventKind.ACCEPTED).count() == 30
