"""Personal-data erasure: a closed order's names, phones, street addresses and free text leave the order,
its history, its callbacks and the phone's acts PERSONAL_DATA_RETENTION_DAYS after it closed, set-based in bounded
batches, idempotent, each run recorded; an order an open case may need is held; the non-personal facts stay."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import connection

from complaints.models import WorkOrder
from core.clock import week_of
from courier.models import CourierAct, DoorPhoto
from dispatch import services as ops
from finance.models import ClosedMonth
from orders.models import ApiClient, EventKind, OnlineOrder, OrderEvent, OutboxMessage, SenderIdCheck
from orders.sender_id import encrypt, mask, phone_digest
from orders.services import order_cancel, order_change
from penalties.models import Rule, RuleVersion, Violation, ViolationStatus
from retention.models import ErasureRun
from retention.services import erasure_run

from ..conftest import FIXED_NOW
from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
PERSONAL = ("张三", "13812345678", "文三路90号", "李四", "13998765432", "建国路1号", "王五", "13700001111", "天目山路")


def _may(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=SH)


def _picked_up(net, day: int, waybill: str, changes: dict | None = None) -> OnlineOrder:
    order = make_order(order_time=_may(day))
    if changes:
        order_change(order_id=order.pk, changes=changes, at=_may(day, 10) + timedelta(minutes=5))
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=_may(day, 11))
    return ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill=waybill, at=_may(day, 12))


def _violation(order: OnlineOrder, status: str) -> Violation:
    version = RuleVersion.objects.filter(code=Rule.FALSE_FAIL_REASON).order_by("-effective_from").first()
    return Violation.objects.create(
        order=order,
        stint=1,
        rule=Rule.FALSE_FAIL_REASON,
        site=order.site,
        province=order.province,
        rule_version=version,
        fine=Decimal("50"),
        occurred_at=order.order_time,
        week=week_of(order.order_time),
        status=status,
        source="audit",
        created_at=order.order_time,
    )


def _may_orders(net):
    """May 2026 (more than 180 days before the fixed clock's 24 November): five closed orders with personal data in
    their history, callbacks and the phone's acts, two of them held by open cases; one order of November."""
    changed = _picked_up(net, 3, "123456789001", changes={"receiver_name": "王五", "receiver_phone": "13700001111"})
    failed = make_order(order_time=_may(4), remark="放门卫天目山路")
    ops.order_accept(order_id=failed.pk, actor=net.clerk_a, at=_may(4, 11))
    ops.order_pickup_fail(
        order_id=failed.pk, actor=net.clerk_a, reason="phone", text="张三 13812345678 两次未接", at=_may(4, 12)
    )
    plain = _picked_up(net, 5, "123456789003")
    held_by_appeal = _picked_up(net, 6, "123456789004")
    held_by_work_order = _picked_up(net, 7, "123456789005")
    for order in (changed, failed, plain, held_by_appeal, held_by_work_order):
        OnlineOrder.objects.filter(pk=order.pk).update(updated_at=order.order_time + timedelta(hours=3))
    ClosedMonth.objects.create(month=datetime(2026, 5, 1).date(), closed_at=_may(31))
    _violation(plain, ViolationStatus.CONFIRMED)  # final, its month's statements issued: no longer a reason
    _violation(held_by_appeal, ViolationStatus.PROPOSED)
    WorkOrder.objects.create(
        wo_id="WO-1",
        type="where",
        source="api",
        waybill_no="123456789005",
        consumer_name="张三",
        consumer_phone="13812345678",
        description="快递在哪",
        raised_at=_may(8),
        limit_hours=24,
        due_at=_may(9),
        state="open",
        created_at=_may(8),
    )
    client = ApiClient.objects.create(name="cb", kind="channel", channel=changed.channel, callback_url="http://x.test/")
    OutboxMessage.objects.create(
        client=client,
        order=failed,
        kind="pickup_failed",
        url="http://x.test/",
        payload={"text": "张三 13812345678 两次未接"},
        status="delivered",
        next_attempt_at=_may(4, 12),
        created_at=_may(4, 12),
    )
    act = CourierAct.objects.create(
        client_id=uuid.uuid4(),
        user=net.clerk_a,
        order=failed,
        kind="fail",
        payload={"text": "张三 13812345678 两次未接"},
        received_at=_may(4, 12),
        outcome="applied",
    )
    photo = DoorPhoto(act=act, order=failed, width=1, height=1, size=4, created_at=_may(4, 12))
    photo.file.save("door.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
    SenderIdCheck.objects.create(
        order=plain,
        doc_type="resident_id",
        number_encrypted=encrypt("110101199003074514"),
        name_encrypted=encrypt("张三"),
        number_masked=mask("110101199003074514"),
        phone_digest=phone_digest("13812345678"),
        checked_at=_may(5, 12),
        checked_by=net.clerk_a,
    )
    recent = make_order(order_time=FIXED_NOW - timedelta(days=3))
    return {"erased": [changed, failed, plain], "held": [held_by_appeal, held_by_work_order], "recent": recent}


def _personal_rows_in_may() -> dict[str, int]:
    """The query that shows a month erased: every row of May's orders, their events, callbacks and the phone's acts,
    as text, that still holds one of the test's names, phones or streets, per order."""
    like = [f"%{value}%" for value in PERSONAL]
    sql = """
      WITH may AS (SELECT id FROM orders_onlineorder WHERE order_time >= %(start)s AND order_time < %(end)s),
      texts AS (
        SELECT o.id AS order_id, row_to_json(o)::text AS t FROM orders_onlineorder o JOIN may ON may.id = o.id
        UNION ALL SELECT e.order_id, row_to_json(e)::text FROM orders_orderevent e JOIN may ON may.id = e.order_id
        UNION ALL SELECT m.order_id, row_to_json(m)::text FROM orders_outboxmessage m JOIN may ON may.id = m.order_id
        UNION ALL SELECT a.order_id, row_to_json(a)::text FROM courier_courieract a JOIN may ON may.id = a.order_id)
      SELECT order_id, count(*) FROM texts WHERE t LIKE ANY(%(like)s) GROUP BY order_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": _may(1, 0), "end": datetime(2026, 6, 1, tzinfo=SH), "like": like})
        return dict(cursor.fetchall())


def test_an_erased_month_holds_no_personal_data_but_its_facts(net, django_capture_on_commit_callbacks):
    orders = _may_orders(net)
    before = _personal_rows_in_may()
    assert set(before) == {o.pk for o in orders["erased"] + orders["held"]}
    photo = DoorPhoto.objects.get(order=orders["erased"][1])
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        run = erasure_run(batch=2)  # two orders a transaction: three batches and the empty one that ends the walk

    assert set(_personal_rows_in_may()) == {o.pk for o in orders["held"]}
    assert (run.orders, run.held, run.complete) == (3, 2, True)
    assert run.batches == 3 and run.callbacks == 1 and run.courier_acts == 1 and run.events >= 2
    assert ErasureRun.objects.count() == 1
    changed = OnlineOrder.objects.get(pk=orders["erased"][0].pk)
    assert (changed.sender_name, changed.sender_phone, changed.sender_address, changed.receiver_name) == (
        "",
        "",
        "",
        "",
    )
    assert changed.erased_at == FIXED_NOW or changed.erased_at is not None
    # the facts statistics, the rule book and the ledger read stay
    assert (changed.state, changed.waybill_no, changed.sender_district, changed.sender_adcode) == (
        "PICKED_UP",
        "123456789001",
        "西湖区",
        "330106",
    )
    change = OrderEvent.objects.get(order=changed, kind=EventKind.CHANGED)
    assert change.data == {"changes": {"receiver_name": [None, None], "receiver_phone": [None, None]}}
    failed = OnlineOrder.objects.get(pk=orders["erased"][1].pk)
    assert (failed.fail_reason, failed.fail_text, failed.remark) == ("phone", "", "")
    assert OrderEvent.objects.filter(order=failed, kind=EventKind.PICKUP_FAILED, reason="phone", text="").exists()
    photo.refresh_from_db()
    assert photo.file.name == "" and not storage.exists(name) and (photo.size, run.door_photos) == (4, 1)
    check = SenderIdCheck.objects.get(order=orders["erased"][2])
    assert (check.number_encrypted, check.name_encrypted, check.number_masked, check.phone_digest) == ("", "", "", "")
    assert (check.doc_type, check.checked_by_id, run.id_checks) == ("resident_id", net.clerk_a.pk, 1)
    recent = OnlineOrder.objects.get(pk=orders["recent"].pk)
    assert recent.erased_at is None and recent.sender_phone == "13812345678"
    assert WorkOrder.objects.get(wo_id="WO-1").consumer_phone == "13812345678"  # its case is open


def test_a_second_run_changes_nothing_and_a_closed_case_releases_its_order(net):
    orders = _may_orders(net)
    erasure_run()
    again = erasure_run()
    assert (again.orders, again.events, again.callbacks, again.courier_acts, again.held) == (0, 0, 0, 0, 2)
    Violation.objects.filter(order=orders["held"][0]).update(status=ViolationStatus.CONFIRMED)
    WorkOrder.objects.filter(wo_id="WO-1").update(state="closed", closed_at=_may(9))
    last = erasure_run()
    assert (last.orders, last.held, last.work_orders) == (2, 0, 1)
    assert _personal_rows_in_may() == {}
    assert WorkOrder.objects.get(wo_id="WO-1").consumer_name == ""
    assert ErasureRun.objects.count() == 3


def test_an_order_is_kept_until_its_retention_ends_after_it_closed(net, settings):
    order = _picked_up(net, 20, "123456789010")
    OnlineOrder.objects.filter(pk=order.pk).update(updated_at=FIXED_NOW - timedelta(days=150))  # closed late
    settings.PERSONAL_DATA_RETENTION_DAYS = 180
    assert erasure_run().orders == 0
    settings.PERSONAL_DATA_RETENTION_DAYS = 120
    assert erasure_run().orders == 1


def test_a_run_while_another_holds_the_lock_does_nothing(net):
    from django.db import connections

    from core import locks

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [locks.PERSONAL_DATA_ERASURE])
        assert erasure_run() is None
    finally:
        other.close()
    assert ErasureRun.objects.count() == 0


def test_the_erasure_pauses_between_batches_so_the_desks_polls_get_the_database(net, monkeypatch, settings):
    """``ERASURE_PAUSE_SECONDS`` after every batch that left more to do (``bench.lifecycle``: the unchanged poll's p95
    0.60 → 0.67 ms with 0.5 s, 0.51 → 1.81 ms with none), never after the walk's last one."""
    from retention import services as retention_services

    slept = []
    monkeypatch.setattr(retention_services.time, "sleep", slept.append)
    settings.ERASURE_PAUSE_SECONDS = 0.5
    old = FIXED_NOW - timedelta(days=400)
    for _ in range(5):
        order = make_order(at=old, order_time=old)
        order_cancel(order_id=order.pk, actor_label="淘宝", at=old + timedelta(minutes=5))
        OnlineOrder.objects.filter(pk=order.pk).update(updated_at=old + timedelta(hours=1))  # closed then
    run = erasure_run(batch=2)
    assert run.orders == 5 and slept == [0.5, 0.5, 0.5]  # three full batches went on; the empty one ended the walk
    settings.ERASURE_PAUSE_SECONDS = 0
    slept.clear()
    erasure_run(batch=2)
    assert slept == []
