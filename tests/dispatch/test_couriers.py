"""Site self-service: the clerk adds couriers, changes a phone, deactivates and reactivates; only the site's own
clerks; inactive couriers are not offered on 网点揽件; a refused form keeps what was typed."""

import pytest
from django.urls import reverse

from core import couriers as svc
from core.exceptions import DomainError
from core.models import Courier

from ..factories import make_order


def test_add_change_deactivate(net):
    courier = svc.courier_add(actor=net.clerk_a, site=net.site_a, name="王五", phone="138 0000 1111")
    assert courier.phone == "13800001111" and courier.active
    with pytest.raises(DomainError, match="11"):
        svc.courier_add(actor=net.clerk_a, site=net.site_a, name="赵六", phone="12345")
    with pytest.raises(DomainError, match="已有"):
        svc.courier_add(actor=net.clerk_a, site=net.site_a, name="赵六", phone="13800001111")
    with pytest.raises(DomainError):  # another site's clerk
        svc.courier_add(actor=net.clerk_b, site=net.site_a, name="赵六", phone="13800002222")
    area = svc.courier_add(actor=net.clerk_a, site=net.area_a, name="承包区业务员", phone="13800003333")
    assert area.site == net.area_a  # the parent site's clerk keeps its contract areas' couriers too
    svc.courier_update(actor=net.clerk_a, courier_id=courier.pk, phone="13900001111")
    svc.courier_update(actor=net.clerk_a, courier_id=courier.pk, active=False)
    courier.refresh_from_db()
    assert courier.phone == "13900001111" and not courier.active
    with pytest.raises(DomainError):
        svc.courier_update(actor=net.clerk_b, courier_id=courier.pk, active=True)


def test_pages_and_pickup_offers_only_active_couriers(net, login):
    from dispatch import services as ops

    client = login(net.clerk_a)
    page = client.post(reverse("dispatch:couriers"), {"name": "王五", "phone": "138"})
    assert page.status_code == 200 and 'value="王五"' in page.content.decode()  # refused: kept
    client.post(reverse("dispatch:couriers"), {"name": "王五", "phone": "13800004444"})
    courier = Courier.objects.get(name="王五")
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    assert "王五" in client.get(reverse("dispatch:pickup")).content.decode()
    client.post(reverse("dispatch:courier_update", args=[courier.pk]), {"action": "deactivate"})
    assert not Courier.objects.get(pk=courier.pk).active
    assert ">王五</option>" not in client.get(reverse("dispatch:pickup")).content.decode()
    bad = client.post(
        reverse("dispatch:courier_update", args=[courier.pk]), {"action": "phone", "phone": "1"}, follow=True
    ).content.decode()
    assert 'value="1"' in bad  # the mistyped phone is shown again with the error
    assert (
        login(net.clerk_b)
        .post(reverse("dispatch:courier_update", args=[courier.pk]), {"action": "activate"})
        .status_code
        == 404
    )
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(net.clerk_a)  # the test client is shared: back to this site's clerk
    rows = list(
        load_workbook(BytesIO(client.get(reverse("dispatch:couriers_export")).content)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0] == ("业务员", "网点", "电话", "状态")  # the page's columns (its buttons aside)
    assert ("王五", net.site_a.name, "13800004444", "停用") in rows, rows
