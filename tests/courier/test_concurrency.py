"""The same act sent twice at the same moment (a flaky network: the phone re-sends before the first answer), on
real PostgreSQL with real threads: one applies it, the other waits for it and gets its answer; one event."""

import uuid

import pytest

from courier import services
from courier.models import CourierAct
from orders.models import EventKind, OrderEvent, OrderState

from ..dispatch.test_concurrency import race
from .test_phone import assigned, courier_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("repeat", range(3))
def test_the_same_act_twice_at_once_is_applied_once(net, repeat):
    me = courier_of(net)
    order = assigned(net, me)
    cid = uuid.uuid4()

    def send():
        return services.courier_act_apply(
            user=me, client_id=cid, kind="confirm", order_id=order.pk, payload={"waybill": f"30000000030{repeat}"}
        )

    results = race(send, send)
    assert [r[0] for r in results] == ["ok", "ok"], results
    answers = [r[1] for r in results]
    assert {a.outcome for a in answers} == {"applied"} and sorted(a.replay for a in answers) == [False, True]
    assert OrderEvent.objects.filter(order=order, kind=EventKind.PICKED_UP).count() == 1
    assert CourierAct.objects.filter(client_id=cid).count() == 1
    order.refresh_from_db()
    assert order.state == OrderState.PICKED_UP
