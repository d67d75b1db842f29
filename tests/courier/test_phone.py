"""The courier's phone: one-time sign-in codes, what a courier sees, acts applied exactly once, plain answers to
conflicts, the e-waybill number, and the desk's live courier panel."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import User
from courier import services
from courier.models import CourierAct, SignInCode
from dispatch import courier_panel
from dispatch import services as ops
from inventory.services import range_allocate
from orders.exceptions import OrderOutOfScope
from orders.models import EventKind, FailReason, OnlineOrder, OrderEvent, OrderState
from orders.services import order_cancel

from ..factories import CourierFactory, make_order

S = OrderState


def courier_of(net, courier=None):
    """A courier of site_a with their phone account, opened the way the desk opens it."""
    courier = courier or net.site_a.couriers.first()
    return services.signin_code_issue(actor=net.clerk_a, courier=courier).user


def assigned(net, user, *, hours_ago=0.0, **overrides):
    t = timezone.now() - timedelta(hours=hours_ago)
    order = make_order(at=t, order_time=t, **overrides)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=user.courier, at=t + timedelta(minutes=2))
    return OnlineOrder.objects.get(pk=order.pk)


def act(user, order, kind="confirm", client_id=None, **payload):
    return services.courier_act_apply(
        user=user, client_id=client_id or uuid.uuid4(), kind=kind, order_id=order.pk, payload=payload
    )


# ---------------------------------------------------------------- sign-in codes


def test_signin_code_works_once(net, client):
    issued = services.signin_code_issue(actor=net.clerk_a, courier=net.site_a.couriers.first())
    user = issued.user
    assert user.role == User.Role.COURIER and user.site_id == net.site_a.pk and not user.has_usable_password()
    url = reverse("courier:signin", args=[issued.secret])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("courier:home")
    assert client.get(reverse("courier:home")).status_code == 200
    client.logout()
    again = client.post(url)
    assert again.status_code == 400 and "已被使用" in again.content.decode()
    assert client.get(reverse("courier:home")).status_code == 302  # not signed in
    assert SignInCode.objects.get(user=user).used_at is not None


def test_signin_code_expires_after_ten_minutes(net):
    issued = services.signin_code_issue(actor=net.clerk_a, courier=net.site_a.couriers.first())
    assert issued.expires_at - timezone.now() <= timedelta(minutes=10)
    with pytest.raises(services.SignInError, match="已过期"):
        services.signin_code_redeem(secret=issued.secret, at=issued.expires_at)
    ok = services.signin_code_issue(actor=net.clerk_a, courier=net.site_a.couriers.first())
    assert services.signin_code_redeem(secret=ok.secret, at=ok.expires_at - timedelta(seconds=1)) == ok.user


def test_a_new_code_replaces_the_unused_one_and_the_account_is_opened_once(net):
    courier = net.site_a.couriers.first()
    first = services.signin_code_issue(actor=net.clerk_a, courier=courier)
    second = services.signin_code_issue(actor=net.clerk_a, courier=courier)
    assert first.user == second.user and User.objects.filter(courier=courier).count() == 1
    with pytest.raises(services.SignInError):
        services.signin_code_redeem(secret=first.secret)
    assert services.signin_code_redeem(secret=second.secret) == second.user
    with pytest.raises(services.SignInError, match="无效"):
        services.signin_code_redeem(secret="made-up")


def test_only_the_couriers_own_site_hands_out_codes(net, login):
    courier = net.site_a.couriers.first()
    with pytest.raises(Exception, match="只有该业务员所在网点的客服"):
        services.signin_code_issue(actor=net.clerk_b, courier=courier)
    assert login(net.clerk_b).post(reverse("courier:signin_qr", args=[courier.pk])).status_code == 404
    page = login(net.clerk_a).post(reverse("courier:signin_qr", args=[courier.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "/courier/signin/" in body and not SignInCode.objects.get().used_at


# ---------------------------------------------------------------- what a courier sees


def test_courier_sees_only_their_orders_and_the_whole_phone_only_there(net, login):
    me = courier_of(net)
    other = courier_of(net, CourierFactory(site=net.site_a, name="王五"))
    mine = assigned(net, me, sender_phone="13700001111", remark="到了打电话")
    theirs = assigned(net, other, sender_phone="13700002222")
    loose = make_order(sender_phone="13700003333")
    page = login(me).get(reverse("courier:home")).content.decode()
    assert mine.channel_order_id in page and 'href="tel:13700001111"' in page and "到了打电话" in page
    assert theirs.channel_order_id not in page and "13700002222" not in page
    assert loose.channel_order_id not in page and "13700003333" not in page
    # nothing else of the desk: the order's detail page, the lists, the search
    for url in (
        reverse("orders:order_detail", args=[mine.pk]),
        reverse("orders:order_detail", args=[theirs.pk]),
        reverse("dispatch:pickup"),
        reverse("orders:order_list"),
        reverse("core:message_list"),
    ):
        assert login(me).get(url).status_code == 403, url
    assert login(me).get("/").url == reverse("courier:home")


def test_only_the_couriers_page_may_compile_the_barcode_readers_webassembly(net, login, settings):
    me = courier_of(net)
    home = login(me).get(reverse("courier:home"))
    policy = {d.split()[0]: d.split()[1:] for d in home["Content-Security-Policy"].split("; ")}
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'"]  # the .wasm comes from our own static files only
    page = home.content.decode()
    assert (
        "vendor/zxing-wasm/zxing-reader.js" in page
        and 'data-zxing-wasm="/static/vendor/zxing-wasm/zxing_reader.wasm"' in page
    )
    assert "code128.js" not in page
    worker = login(me).get(reverse("courier:service_worker")).content.decode()
    assert "zxing_reader.wasm" in worker and "courier/scanner.js" in worker and "code128" not in worker
    desk = login(net.clerk_a).get(reverse("dispatch:pickup"))
    assert "wasm-unsafe-eval" not in desk["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = ""  # a deployment that sets its own policy elsewhere
    assert "Content-Security-Policy" not in login(me).get(reverse("courier:home"))


# ---------------------------------------------------------------- acts: exactly once, plain conflicts


def test_a_replayed_act_is_applied_once(net):
    me = courier_of(net)
    order = assigned(net, me)
    cid = uuid.uuid4()
    first = act(me, order, client_id=cid, waybill="300000000201")
    again = act(me, order, client_id=cid, waybill="300000000201")
    assert first.outcome == again.outcome == CourierAct.Outcome.APPLIED and again.replay and not first.replay
    assert first.message == again.message
    order.refresh_from_db()
    assert order.state == S.PICKED_UP and order.waybill_no == "300000000201"
    events = OrderEvent.objects.filter(order=order, kind=EventKind.PICKED_UP)
    assert events.count() == 1
    event = events.get()
    assert event.actor == me and event.courier_id == me.courier_id and event.data["source"] == "courier"
    assert CourierAct.objects.filter(client_id=cid).count() == 1


def test_the_phones_queue_endpoint_answers_each_act_and_replays(net, login):
    me = courier_of(net)
    one, two = assigned(net, me), assigned(net, me)
    acts = [
        {
            "id": str(uuid.uuid4()),
            "kind": "confirm",
            "order": one.pk,
            "waybill": "300000000202",
            "done_at": timezone.now().isoformat(),
        },
        {
            "id": str(uuid.uuid4()),
            "kind": "fail",
            "order": two.pk,
            "reason": FailReason.PHONE,
            "text": "三次致电无人接听",
        },
    ]
    client = login(me)
    url = reverse("courier:acts")
    first = client.post(url, json.dumps({"acts": acts}), content_type="application/json").json()["results"]
    assert [r["outcome"] for r in first] == ["applied", "applied"] and [r["state"] for r in first] == [
        S.PICKED_UP,
        S.PICKUP_FAILED,
    ]
    again = client.post(url, json.dumps({"acts": acts}), content_type="application/json").json()["results"]
    assert all(r["replay"] for r in again) and [r["message"] for r in again] == [r["message"] for r in first]
    assert OrderEvent.objects.filter(order__in=[one, two], data__source="courier").count() == 2
    fail = OrderEvent.objects.get(order=two, kind=EventKind.PICKUP_FAILED)
    assert fail.reason == FailReason.PHONE and fail.text == "三次致电无人接听"
    assert client.post(url, "not json", content_type="application/json").status_code == 400


def test_conflict_the_consumer_cancelled_meanwhile(net):
    me = courier_of(net)
    order = assigned(net, me)
    order_cancel(order_id=order.pk, actor_label="淘宝", text="不寄了")
    answer = act(me, order, waybill="300000000203")
    assert answer.outcome == "conflict" and "消费者已撤单" in answer.message and answer.state == S.CANCELLED
    assert not OrderEvent.objects.filter(order=order, data__source="courier").exists()


def test_conflict_another_courier_confirmed_it(net):
    me = courier_of(net)
    other = courier_of(net, CourierFactory(site=net.site_a, name="王五"))
    order = assigned(net, me)
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=other.courier)
    assert act(other, order, waybill="300000000204").outcome == "applied"
    answer = act(me, order, waybill="300000000299")  # my act, made offline before the reassignment
    assert answer.outcome == "conflict"
    assert "已由业务员王五" in answer.message and "300000000204" in answer.message
    order.refresh_from_db()
    assert order.waybill_no == "300000000204"
    assert OrderEvent.objects.filter(order=order, kind=EventKind.PICKED_UP).count() == 1


def test_conflict_the_clerk_reassigned_it_and_a_refusal_can_be_retried(net):
    me = courier_of(net)
    other = courier_of(net, CourierFactory(site=net.site_a, name="王五"))
    order = assigned(net, me)
    bad = act(me, order, waybill="12")
    assert bad.outcome == "refused" and "运单号" in bad.message
    assert act(me, order, waybill="300000000205").outcome == "applied"  # a new act, a new id: it works
    order2 = assigned(net, me)
    ops.order_courier_assign(order_id=order2.pk, actor=net.clerk_a, courier=other.courier)
    answer = act(me, order2, waybill="300000000206")
    assert answer.outcome == "conflict" and "改派给其他业务员" in answer.message


def test_an_order_never_assigned_to_the_courier_is_named_nothing(net):
    me = courier_of(net)
    foreign = make_order()
    ops.order_accept(order_id=foreign.pk, actor=net.clerk_a)
    answer = act(me, foreign, waybill="300000000207")
    assert answer.outcome == "refused" and foreign.channel_order_id not in answer.message
    assert OnlineOrder.objects.get(pk=foreign.pk).state == S.ACCEPTED


def test_a_courier_cannot_use_the_clerks_other_operations(net):
    me = courier_of(net)
    order = assigned(net, me)
    with pytest.raises(OrderOutOfScope):
        ops.order_transfer(order_id=order.pk, actor=me, to_site=net.site_b)
    with pytest.raises(OrderOutOfScope):
        ops.order_courier_assign(order_id=order.pk, actor=me, courier=me.courier)


def test_reappointment_and_the_sites_next_e_waybill_number(net):
    me = courier_of(net)
    range_allocate(site=net.site_a, start=880000000000, end=880000000099, actor=net.hq)
    order = assigned(net, me)
    answer = act(me, order, ewaybill=True)
    assert answer.outcome == "applied" and "880000000000" in answer.message
    later = assigned(net, me)
    start = timezone.localtime() + timedelta(days=1)
    answer = act(
        me,
        later,
        kind="reappoint",
        window_start=start.strftime("%Y-%m-%dT%H:%M"),
        window_end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        text="电话约明天上午",
    )
    assert answer.outcome == "applied"
    event = OrderEvent.objects.get(order=later, kind=EventKind.REAPPOINTED)
    assert event.data["source"] == "courier" and event.actor == me


# ---------------------------------------------------------------- the desk follows


def test_the_desk_panel_counts_and_flags_untouched_orders_due_within_two_hours(net, login):
    me = courier_of(net)
    soon = assigned(net, me, hours_ago=15)  # 16-hour clock: due in about an hour
    calm = assigned(net, me)
    done = assigned(net, me)
    act(me, done, waybill="300000000208")
    failed = assigned(net, me)
    act(me, failed, kind="fail", reason=FailReason.PHONE, text="三次致电无人接听")
    row = next(r for r in courier_panel.courier_panel(user=net.clerk_a) if r.courier == me.courier)
    assert (row.assigned, row.done, row.failed) == (2, 1, 1) and row.has_account
    assert [o.pk for o in row.flagged] == [soon.pk] and calm.pk not in [o.pk for o in row.flagged]
    page = login(net.clerk_a).get(reverse("dispatch:pickup_couriers")).content.decode()
    assert f'data-testid="flag-{soon.channel_order_id}"' in page
    # the desk marks the rows closed meanwhile
    assert f'data-closed-order="{done.pk}"' in page and f'data-closed-order="{failed.pk}"' in page
    assert f'data-closed-order="{calm.pk}"' not in page and "300000000208" in page
    # a touch on the phone (a re-appointment agreed with the consumer) takes the flag away
    start = timezone.localtime() + timedelta(minutes=30)
    act(
        me,
        soon,
        kind="reappoint",
        window_start=start.strftime("%Y-%m-%dT%H:%M"),
        window_end=(start + timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M"),
        text="约半小时后",
    )
    row = next(r for r in courier_panel.courier_panel(user=net.clerk_a) if r.courier == me.courier)
    assert row.flagged == []


def test_hq_administers_courier_accounts_like_any_other(net, login):
    me = courier_of(net)
    phone = Client()
    assert login(net.hq).get(reverse("people:user_detail", args=[me.pk])).status_code == 200
    assert login(net.hq).get(reverse("people:user_list")).status_code == 200
    issued = services.signin_code_issue(actor=net.clerk_a, courier=me.courier)
    phone.post(reverse("courier:signin", args=[issued.secret]))
    assert phone.get(reverse("courier:home")).status_code == 200
    login(net.hq).post(reverse("people:user_deactivate", args=[me.pk]))
    me.refresh_from_db()
    assert not me.is_active
    assert phone.get(reverse("courier:home")).status_code == 302  # the phone is signed out at once
    with pytest.raises(Exception, match="已被停用"):  # the clerk cannot undo HQ's decision
        services.signin_code_issue(actor=net.clerk_a, courier=me.courier)
    login(net.hq).post(reverse("people:user_reactivate", args=[me.pk]))
    again = services.signin_code_issue(actor=net.clerk_a, courier=me.courier)
    assert services.signin_code_redeem(secret=again.secret) == me
