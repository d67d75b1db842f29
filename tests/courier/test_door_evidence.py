"""Proof at the door: a photo taken in the page travels with its act and is stored as its attachment (a JPEG of at
most 300 KB and 1600 px, checked here too), required for the failure reasons a photo can show; a coarse place with
its accuracy and the tap on 📞 are kept; HQ's audit page and the order's timeline show them beside the act, to
those who may see the order."""

import base64
import io
import uuid

from django.urls import reverse
from PIL import Image

from courier import services
from courier.models import CourierAct, DoorPhoto, SignInCode
from orders.models import EventKind, FailReason, OrderEvent, OrderState

from .test_phone import assigned, courier_of


def jpeg(width=800, height=600, quality=80, kind="JPEG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(buffer, kind, quality=quality)
    mime = "jpeg" if kind == "JPEG" else kind.lower()
    return f"data:image/{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def fail(user, order, reason=FailReason.PREMISES, **extra):
    return services.courier_acts_apply(
        user=user,
        acts=[{"id": str(uuid.uuid4()), "kind": "fail", "order": order.pk, "reason": reason, "text": "门禁进不去",
               "done_at": None, **extra}],
    )[0]  # fmt: skip


def test_a_failure_a_photo_can_show_needs_one_and_keeps_it_with_the_act(net, login):
    me = courier_of(net)
    order = assigned(net, me)
    refused = fail(me, order)
    assert refused.outcome == "refused" and "拍照" in refused.message
    assert fail(me, order, photo=jpeg(kind="PNG")).outcome == "refused"  # not a JPEG
    assert fail(me, order, photo=jpeg(2000, 1000)).outcome == "refused"  # more than 1600 px
    assert fail(me, order, photo="data:image/jpeg;base64,////").outcome == "refused"  # not an image
    assert not DoorPhoto.objects.exists() and order.__class__.objects.get(pk=order.pk).state == OrderState.ACCEPTED
    done = fail(
        me,
        order,
        photo=jpeg(),
        geo={"lat": 30.27415, "lng": 120.15515, "acc": 35},
        called_at="2026-11-24T08:55:00+08:00",
    )
    assert done.outcome == "applied"
    photo = DoorPhoto.objects.get()
    act = CourierAct.objects.get(outcome="applied")
    assert photo.act == act and photo.order_id == order.pk and photo.size <= 300 * 1024 and photo.width == 800
    assert "photo" not in act.payload  # the picture is the attachment, not a copy in the act's row
    event = OrderEvent.objects.get(order=order, kind=EventKind.PICKUP_FAILED)
    assert event.data["photos"] == [photo.pk]
    assert event.data["geo"] == {"lat": "30.274", "lng": "120.155", "accuracy_m": 35}
    assert event.data["called_at"].startswith("2026-11-24T08:55:00")

    # HQ's audit page and the site's order page show the evidence; the photo is served to them, to nobody else
    url = reverse("courier:door_photo", args=[photo.pk])
    for user, page in (
        (net.hq, reverse("penalties:audit_order", args=[order.pk])),
        (net.clerk_a, reverse("orders:order_detail", args=[order.pk])),
    ):
        html = login(user).get(page).content.decode()
        assert f'src="{url}"' in html and "30.274, 120.155" in html and "±35" in html and "2026-11-24 08:55:00" in html
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert login(net.clerk_b).get(url).status_code == 404
    assert login(net.lcs_xj).get(url).status_code == 404
    assert login(me).get(url).status_code == 200


def test_a_photo_is_optional_otherwise_and_the_place_never_required(net):
    me = courier_of(net)
    order = assigned(net, me)
    assert fail(me, order, reason=FailReason.PHONE).outcome == "applied"
    other = assigned(net, me)
    answer = services.courier_acts_apply(
        user=me,
        acts=[{"id": str(uuid.uuid4()), "kind": "confirm", "order": other.pk, "waybill": "300000000701",
               "photo": jpeg(), "geo": {"lat": "x"}}],
    )[0]  # fmt: skip
    assert answer.outcome == "applied"
    event = OrderEvent.objects.get(order=other, kind=EventKind.PICKED_UP)
    assert len(event.data["photos"]) == 1 and "geo" not in event.data


def test_the_couriers_page_navigates_orders_its_stops_and_says_when_the_account_is_stopped(net, login, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Courier

    me = courier_of(net)
    later, soon, late = assigned(net, me, hours_ago=1), assigned(net, me, hours_ago=15), assigned(net, me, hours_ago=17)
    now = timezone.now()
    assert soon.pickup_due_at - now < timedelta(hours=2) and late.pickup_due_at < now
    page = login(me).get(reverse("courier:home")).content.decode()
    positions = [page.index(f'data-testid="order-{o.channel_order_id}"') for o in (soon, later, late)]
    assert positions == sorted(positions)  # savable first, least time left on top, then the overdue
    assert "https://uri.amap.com/search?keyword=" in page and "https://api.map.baidu.com/geocoder?address=" in page
    assert 'href="geo:0,0?q=' in page and 'data-count="done"' in page
    # a loopback SITE_URL in production: no QR code, a plain reason
    settings.DEBUG, settings.SITE_URL = False, "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["desk.q9.example", "testserver"]
    answer = login(net.clerk_a).post(reverse("courier:signin_qr", args=[me.courier.pk]))
    assert (
        answer.status_code == 400
        and "SITE_URL" in answer.content.decode()
        and "signin-link" not in answer.content.decode()
    )
    assert not SignInCode.objects.filter(user=me, created_at__gt=now).exists()
    # the site deactivates the courier: the phone says so plainly
    Courier.objects.filter(pk=me.courier_id).update(active=False)
    stopped = login(me).get(reverse("courier:home"))
    assert stopped.status_code == 403 and "账号已停用，请联系网点" in stopped.content.decode()
    assert "password" not in stopped.content.decode()
