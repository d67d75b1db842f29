"""实名收寄 at the pickup: the document checked (a 居民身份证 by its GB 11643 check character), stored encrypted,
shown masked, never in a list, export, log line or API answer; the business types that require it; a sender
verified within 90 days not asked again; the pickup refused until it is done, on the phone and at the desk."""

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.signing import headers
from courier import services
from courier.models import CourierAct
from dispatch import services as ops
from orders import sender_id
from orders.exceptions import OrderError
from orders.models import OnlineOrder, OrderState, SenderIdCheck
from orders.services import api_client_create, channels_ensure

from .test_phone import assigned, courier_of

NUMBER = "33010619900101123X"  # a valid check character
NAME = "欧阳寄件"
S = OrderState


@pytest.fixture
def required(settings):
    settings.SENDER_ID_BUSINESS_TYPES = ["send", "online"]
    return settings


def test_resident_id_numbers_by_gb_11643():
    assert sender_id.resident_id_valid("11010519491231002X")
    assert sender_id.resident_id_valid(NUMBER)
    for bad in (
        "110105194912310021",
        "11010519491231002",
        "1101051949123100211",
        "110105194913310028",
        "A1010519491231002X",
    ):
        assert not sender_id.resident_id_valid(bad), bad
    assert sender_id.mask(NUMBER) == "3301**********123X"
    with pytest.raises(OrderError) as refused:
        sender_id.sender_id_clean(doc_type="resident_id", number="330106199001011234", name=NAME)
    assert "身份证号码不正确" in str(refused.value.message) and refused.value.field == "id_number"
    assert sender_id.sender_id_clean(doc_type="passport", number=" e1234 5678 ", name="Li")[1] == "E12345678"


def test_pickup_waits_for_the_check_at_the_desk_and_on_the_phone(net, required, login):
    me = courier_of(net)
    order = assigned(net, me, sender_phone="13700005555")
    with pytest.raises(OrderError) as refused:
        ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000601")
    assert "实名收寄" in str(refused.value.message)
    # the phone: refused without the document, refused with a wrong number, applied with the right one
    answer = services.courier_act_apply(
        user=me, client_id=uuid.uuid4(), kind="confirm", order_id=order.pk, payload={"waybill": "300000000601"}
    )
    assert answer.outcome == "refused" and "实名收寄" in answer.message
    bad = {"type": "resident_id", "number": "330106199001011234", "name": NAME}
    answer = services.courier_act_apply(
        user=me, client_id=uuid.uuid4(), kind="confirm", order_id=order.pk,
        payload={"waybill": "300000000601", "id_doc": bad},
    )  # fmt: skip
    assert answer.outcome == "refused" and "身份证号码不正确" in answer.message
    assert not SenderIdCheck.objects.filter(order=order).exists()
    good = {"type": "resident_id", "number": NUMBER, "name": NAME}
    answer = services.courier_act_apply(
        user=me, client_id=uuid.uuid4(), kind="confirm", order_id=order.pk,
        payload={"waybill": "300000000601", "id_doc": good},
    )  # fmt: skip
    assert answer.outcome == "applied"
    check = SenderIdCheck.objects.get(order=order)
    assert check.number_masked == "3301**********123X" and check.checked_by == me
    # stored encrypted, readable with the key; the act's row keeps nothing of it
    assert NUMBER not in check.number_encrypted and NAME not in check.name_encrypted
    assert sender_id.decrypt(check.number_encrypted) == NUMBER and sender_id.decrypt(check.name_encrypted) == NAME
    assert all(NUMBER not in json.dumps(a.payload, ensure_ascii=False) for a in CourierAct.objects.filter(order=order))

    # the same sender within 90 days is not asked again; after 90 days they are
    again = assigned(net, me, sender_phone="13700005555")
    assert not sender_id.sender_id_required(again, at=timezone.now())
    assert sender_id.sender_id_required(again, at=check.checked_at + timedelta(days=90, seconds=1))
    ops.order_pickup_confirm(order_id=again.pk, actor=net.clerk_a, waybill="300000000602")

    # the desk records it for another sender, then confirms
    third = assigned(net, me, sender_phone="13700006666")
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:pickup")).content.decode()
    assert f'data-testid="sender-id-{third.channel_order_id}"' in page
    url = reverse("dispatch:order_sender_id", args=[third.pk])
    client.post(url, {"doc_type": "resident_id", "id_number": "330106199001011234", "id_name": NAME})
    assert not SenderIdCheck.objects.filter(order=third).exists()
    client.post(url, {"doc_type": "passport", "id_number": "E12345678", "id_name": "Li Lei"})
    assert SenderIdCheck.objects.get(order=third).number_masked == "E1*****78"
    ops.order_pickup_confirm(order_id=third.pk, actor=net.clerk_a, waybill="300000000603")
    assert OnlineOrder.objects.get(pk=third.pk).state == S.PICKED_UP


def test_not_required_for_business_types_the_setting_leaves_out(net, settings):
    settings.SENDER_ID_BUSINESS_TYPES = ["online"]
    me = courier_of(net)
    order = assigned(net, me)
    assert order.business_type == "send"
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000604")


def test_the_number_never_appears_in_lists_exports_logs_or_api_answers(net, required, login, caplog):
    caplog.set_level(logging.DEBUG)
    channels = channels_ensure()
    api_client, secret = api_client_create(name="淘宝", kind="channel", channel=channels["taobao"], adapter="generic")
    me = courier_of(net)
    order = assigned(net, me, sender_phone="13700007777")
    answers = services.courier_acts_apply(
        user=me,
        acts=[{"id": str(uuid.uuid4()), "kind": "confirm", "order": order.pk, "waybill": "300000000605",
               "id_doc": {"type": "resident_id", "number": NUMBER, "name": NAME}}],
    )  # fmt: skip
    assert answers[0].outcome == "applied"
    seen = [json.dumps([a.as_json() for a in answers], ensure_ascii=False)]
    clerk, hq = net.clerk_a, net.hq
    for user, url in (
        (clerk, reverse("orders:order_list")),
        (clerk, reverse("orders:order_list") + f"?q={order.channel_order_id}"),
        (clerk, reverse("orders:order_export")),
        (clerk, reverse("orders:order_export") + "?format=csv"),
        (clerk, reverse("dispatch:pickup")),
        (hq, reverse("orders:order_list")),
        (hq, reverse("orders:order_export")),
        (hq, reverse("penalties:audit_order", args=[order.pk])),
    ):
        response = login(user).get(url)
        assert response.status_code == 200, url
        seen.append(
            b"".join(response.streaming_content if response.streaming else [response.content]).decode(
                "utf-8", "replace"
            )
        )
    detail = login(clerk).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "3301**********123X" in detail and 'data-testid="sender-id-check"' in detail  # masked where the order is
    seen.append(detail)
    path = f"/api/orders/{order.channel_order_id}"
    h = headers(key=api_client.key, secret=secret, method="GET", path=path, body=b"")
    api = login(net.clerk_a).get(path, headers={k: v for k, v in h.items() if k != "Content-Type"})
    assert api.status_code in (200, 404)
    seen.append(api.content.decode())
    seen.append("\n".join(r.getMessage() for r in caplog.records))
    seen.append(repr(SenderIdCheck.objects.get(order=order)) + str(SenderIdCheck.objects.get(order=order)))
    for text in seen:
        assert NUMBER not in text and NUMBER.lower() not in text and NAME not in text
