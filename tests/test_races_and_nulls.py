"""Races and nulls answered, never a 500: identical CRM work orders pushed at once are one work order (the way order
intake takes a race, ``core.idempotent``); a change's ``"remark": null`` clears the remark; a courier act naming
order ``Infinity`` is refused on its own (the phone's queue drops it); every import kind has its template (service
areas included)."""

import io
import json
import threading
import time
import uuid

import pytest
import requests
from django.urls import reverse

from complaints.exceptions import WorkOrderConflict
from complaints.models import WorkOrder, WorkOrderEvent
from complaints.services import work_order_receive
from core.signing import headers
from courier import services as courier_services
from dispatch import services as ops
from orders.models import OnlineOrder
from orders.services import api_client_create, channels_ensure
from tests.factories import make_order

WO = {
    "wo_id": "WO-RACE-1",
    "type": "where",
    "source": "guoguo",
    "waybill_no": "300000000901",
    "description": "快递到哪了？",
}


def _signed_posts(base, client, secret, path, body, n):
    """n copies of one request, each signed with its own timestamp (identical signatures would be replays)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    now = int(time.time())
    return [
        headers(key=client.key, secret=secret, method="POST", path=path, body=data, now=now - i) for i in range(n)
    ], data


@pytest.mark.django_db(transaction=True)
def test_eight_identical_work_orders_pushed_at_once_are_one(net, live_server):
    client, secret = api_client_create(name="菜鸟CRM", kind="crm", channel=None, adapter="generic")
    signed, data = _signed_posts(live_server.url, client, secret, "/api/crm/work-orders", WO, 8)
    barrier = threading.Barrier(8)
    statuses = [None] * 8

    def push(i):
        barrier.wait()
        r = requests.post(f"{live_server.url}/api/crm/work-orders", data=data, headers=signed[i], timeout=60)
        statuses[i] = r.status_code

    threads = [threading.Thread(target=push, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [200] * 7 + [201], statuses
    wo = WorkOrder.objects.get(wo_id="WO-RACE-1")
    assert WorkOrderEvent.objects.filter(work_order=wo, kind="received").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_work_order_pushed_again_with_other_content_is_still_a_conflict(net):
    work_order_receive(data=dict(WO))
    with pytest.raises(WorkOrderConflict):
        work_order_receive(data={**WO, "description": "另一件事"})


@pytest.mark.django_db(transaction=True)
def test_a_change_with_a_null_remark_clears_it(net, live_server):
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(name="淘宝", kind="channel", channel=channel, adapter="generic")
    order = make_order(channel=channel, remark="放门口", goods="衣服")
    path = f"/api/orders/{order.channel_order_id}/change"
    for body, expect in (({"remark": None}, ""), ({"goods": None}, "")):
        signed, data = _signed_posts(live_server.url, client, secret, path, body, 1)
        r = requests.post(live_server.url + path, data=data, headers=signed[0], timeout=30)
        assert r.status_code == 200, r.text
        order.refresh_from_db()
        assert getattr(order, next(iter(body))) == expect
    # nothing left to clear: a change that changes nothing is the documented 422
    time.sleep(1)
    signed, data = _signed_posts(live_server.url, client, secret, path, {"remark": None}, 1)
    r = requests.post(live_server.url + path, data=data, headers=signed[0], timeout=30)
    assert r.status_code == 422 and r.json()["error"]["code"] == "order_invalid", r.text


@pytest.mark.parametrize("raw", ["Infinity", "-Infinity", "NaN", "1e999", "99999999999999999999999"])
def test_a_courier_act_naming_an_impossible_order_is_refused_alone(net, login, raw):
    courier = net.site_a.couriers.first()
    me = courier_services.signin_code_issue(actor=net.clerk_a, courier=courier).user
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier)
    good = {"id": str(uuid.uuid4()), "kind": "confirm", "order": order.pk, "waybill": "300000000202"}
    bad_id = str(uuid.uuid4())
    body = f'{{"acts": [{{"id": "{bad_id}", "kind": "confirm", "order": {raw}, "waybill": "300000000203"}}, {json.dumps(good)}]}}'
    r = login(me).post(reverse("courier:acts"), body, content_type="application/json")
    assert r.status_code == 200, r.content[:300]
    results = r.json()["results"]
    assert [x["outcome"] for x in results] == ["refused", "applied"] and results[0]["id"] == bad_id
    assert OnlineOrder.objects.get(pk=order.pk).state == "PICKED_UP"


def test_every_import_kind_has_its_template(net, login):
    from openpyxl import load_workbook

    from orders.models import ImportJob

    for kind in ImportJob.Kind.values:  # accounts: on their own page, open to a province's LCS too
        url = "/people/import/template/" if kind == "accounts" else f"/hq/imports/template/{kind}/"
        r = login(net.hq).get(url)
        assert r.status_code == 200, kind
        rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
        assert len(rows) == 2 and all(rows[1][:2]), (kind, rows)
    assert login(net.hq).get("/hq/imports/template/nothing/").status_code == 404
