"""Eight "use the site's next e-waybill number" clicks at once for one order burn one number: the order is locked
first and a click that cannot confirm gives its number back."""

import threading

import pytest
from django.db import connections

from core.exceptions import DomainError
from dispatch import services as ops
from inventory.models import WaybillRange
from inventory.services import pickup_with_next_waybill, range_allocate
from orders.models import OnlineOrder

from ..factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_clicks_at_once_burn_one_number(net):
    range_allocate(site=net.site_a, start=880000000000, end=880000000099, actor=net.hq)
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    barrier = threading.Barrier(8)
    numbers, refused, errors = [], [], []

    def click():
        try:
            barrier.wait()
            numbers.append(pickup_with_next_waybill(order_id=order.pk, actor=net.clerk_a))
        except DomainError as exc:
            refused.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and numbers == ["880000000000"] and len(refused) == 7, (numbers, refused, errors)
    assert OnlineOrder.objects.get(pk=order.pk).waybill_no == "880000000000"
    assert WaybillRange.objects.get(site=net.site_a).next == 880000000001  # one number used
    another = make_order()
    ops.order_accept(order_id=another.pk, actor=net.clerk_a)
    assert pickup_with_next_waybill(order_id=another.pk, actor=net.clerk_a) == "880000000001"
