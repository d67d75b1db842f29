"""demo_data's order stream: every state on show, the demo clerk has live work, a rerun the same day adds nothing."""

import pytest
from django.core.management import call_command

from orders.models import OnlineOrder, OrderEvent, OrderState


@pytest.mark.django_db
def test_demo_order_stream(settings):
    settings.DEMO_MODE = True
    call_command("load_network")
    call_command("demo_data", orders=250)
    states = set(OnlineOrder.objects.values_list("state", flat=True))
    assert states >= {OrderState.PENDING, OrderState.ACCEPTED, OrderState.PICKED_UP, OrderState.CANCELLED}
    demo = OnlineOrder.objects.filter(site__code="33010601")
    assert demo.filter(state=OrderState.PENDING).count() >= 8
    assert len(set(OnlineOrder.objects.values_list("channel__slug", flat=True))) >= 5
    counts = (OnlineOrder.objects.count(), OrderEvent.objects.count())
    call_command("demo_data", orders=250)
    assert (OnlineOrder.objects.count(), OrderEvent.objects.count()) == counts
