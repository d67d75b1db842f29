"""Order events are partitioned by Beijing month like the tracking scans: an event of any month is written (a DEFAULT
partition takes a month nobody created), beat creates months ahead and moves what the default held into its month,
a month past the horizon goes to the archive storage (the file system, or object storage through django-storages:
S3 here, served in-process by moto) and ``archive_restore`` brings it back after checking the checksum. The
references to events kept without a database foreign key are checked for events that went missing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import boto3
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from moto import mock_aws

from core.partitions import archive_paths, loose_references, manifest_read, months_attached, orphans
from orders import events
from orders.models import CallbackAttempt, EventKind, OrderEvent, OutboxMessage
from orders.partitions import CALLBACK_ATTEMPTS, EVENTS
from orders.services import api_client_create
from retention.partitions import TABLES, partitions_maintain
from tests.factories import channel_get, make_order

from ..conftest import FIXED_NOW

SH = ZoneInfo("Asia/Shanghai")
OLD = datetime(2024, 6, 10, 9, tzinfo=SH)  # 29 months before the fixed clock's November 2026
KEPT = datetime(2025, 1, 10, 9, tzinfo=SH)  # 22 months before: inside the 25-month horizon


def _where(at: datetime) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM orders_orderevent WHERE at = %s", [at])
        return {r[0] for r in cursor.fetchall()}


def _events(order, at: datetime, n: int) -> list[OrderEvent]:
    return [
        events.event_record(order=order, kind=EventKind.CHANGED, at=at, to_state=order.state, text=f"第{i}次")
        for i in range(n)
    ]


def _rows(at: datetime) -> list[tuple]:
    return list(OrderEvent.objects.filter(at=at).order_by("id").values_list("id", "order_id", "kind", "text", "data"))


def test_order_events_are_partitioned_and_every_month_is_written(net):
    with connection.cursor() as cursor:  # every table of the list, each with its default partition
        cursor.execute(
            "SELECT p.relname FROM pg_class p JOIN pg_inherits i ON i.inhparent = p.oid JOIN pg_class c "
            "ON c.oid = i.inhrelid WHERE p.relkind = 'p' AND c.relname = p.relname || '_default'"
        )
        assert {r[0] for r in cursor.fetchall()} == {spec.table for spec in TABLES.values()}
        assert set(TABLES) == {"scans", "events", "callback_attempts", "result_attempts"}
    order = make_order()
    old = datetime(2025, 3, 5, 10, tzinfo=SH)  # no partition of its own: the default one takes it
    _events(order, old, 2)
    assert _where(old) == {"orders_orderevent_default"}

    done = partitions_maintain(at=FIXED_NOW)

    assert "2025-03" in done["events"]["created"] and _where(old) == {"orders_orderevent_p2025_03"}
    assert {date(2026, 11, 1), date(2027, 2, 1)} <= set(months_attached(EVENTS))  # this month and three ahead
    assert OrderEvent.objects.filter(order=order, at=old).count() == 2
    assert partitions_maintain(at=FIXED_NOW)["events"]["created"] == []  # twice: nothing more
    # still append-only in every partition, the moved rows too
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        OrderEvent.objects.filter(order=order, at=old).update(text="改")


def test_a_month_of_events_past_the_horizon_is_archived_and_comes_back_verified(net, settings, tmp_path):
    settings.PARTITION_ARCHIVE_DIR = str(tmp_path)
    order = make_order()
    _events(order, OLD, 5), _events(order, KEPT, 2)
    before = _rows(OLD)

    done = partitions_maintain(at=FIXED_NOW)

    assert done["events"]["archived"] == ["2024-06"]
    assert _rows(OLD) == [] and OrderEvent.objects.filter(at=KEPT).count() == 2
    record = manifest_read(EVENTS, date(2024, 6, 1))
    assert record["rows"] == 5 and record["ids"] == [before[0][0], before[-1][0]] and len(record["sha256"]) == 64
    assert (tmp_path / archive_paths(EVENTS, date(2024, 6, 1))[0]).exists()

    call_command("archive_restore", "--month", "2024-06", "--table", "events")

    assert _rows(OLD) == before  # every row, every value
    assert date(2024, 6, 1) in months_attached(EVENTS)
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():  # the trigger holds there too
        OrderEvent.objects.filter(at=OLD).update(text="改")
    with pytest.raises(CommandError, match="attached already"):
        call_command("archive_restore", "--month", "2024-06", "--table", "events")


@pytest.fixture
def s3(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="q9-archives")
        settings.ARCHIVE_STORAGE = "storages.backends.s3.S3Storage"
        settings.ARCHIVE_STORAGE_OPTIONS = {
            "bucket_name": "q9-archives",
            "location": "archives",
            "region_name": "us-east-1",
            "access_key": "test",
            "secret_key": "test",
        }
        yield client


def test_archives_go_to_object_storage_and_come_back_with_their_checksum_checked(net, s3):
    order = make_order()
    _events(order, OLD, 3)
    before = _rows(OLD)

    assert partitions_maintain(at=FIXED_NOW)["events"]["archived"] == ["2024-06"]

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="q9-archives")["Contents"]}
    assert keys == {"archives/orders_orderevent_p2024_06.copy.gz", "archives/orders_orderevent_p2024_06.json"}
    assert _rows(OLD) == []
    call_command("archive_restore", "--month", "2024-06")  # every table archived that month: the events
    assert _rows(OLD) == before

    # archived again, then damaged in the bucket: refused, nothing attached
    partitions_maintain(at=FIXED_NOW)
    key = "archives/orders_orderevent_p2024_06.copy.gz"
    body = s3.get_object(Bucket="q9-archives", Key=key)["Body"].read()
    s3.put_object(Bucket="q9-archives", Key=key, Body=body[:-4] + b"oops")
    with pytest.raises(CommandError, match="checksum"):
        call_command("archive_restore", "--month", "2024-06")
    assert _rows(OLD) == [] and date(2024, 6, 1) not in months_attached(EVENTS)
    with pytest.raises(CommandError, match="no archive"):
        call_command("archive_restore", "--month", "2023-01")


def test_references_to_events_without_a_database_key_are_checked(net, settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["cb.example.com"]  # resolves nowhere here; nothing is sent
    assert set(loose_references()) == {
        ("orders_outboxmessage", "event_id", "orders_orderevent"),
        ("penalties_violation", "act_id", "orders_orderevent"),
    }
    channel = channel_get("taobao")
    api_client_create(
        name="cb", kind="channel", channel=channel, adapter="generic", callback_url="https://cb.example.com/q9"
    )
    order = make_order(channel=channel)
    events.event_record(order=order, kind=EventKind.ACCEPTED, at=order.order_time, to_state="ACCEPTED")
    assert OutboxMessage.objects.filter(order=order, event__isnull=False).exists()
    assert orphans() == {"orders_outboxmessage.event_id": 0, "penalties_violation.act_id": 0}

    row = OutboxMessage.objects.filter(order=order).first()
    OutboxMessage.objects.filter(pk=row.pk).update(event_id=row.event_id + 10_000)  # an event that is not there

    assert orphans()["orders_outboxmessage.event_id"] == 1
    assert partitions_maintain(at=FIXED_NOW)["orphans"] == {"orders_outboxmessage.event_id": 1}


def test_a_month_of_callback_attempts_is_archived_and_comes_back(net, settings, tmp_path):
    settings.PARTITION_ARCHIVE_DIR = str(tmp_path)
    settings.CALLBACK_ALLOWED_HOSTS = ["cb.example.com"]
    channel = channel_get("taobao")
    api_client_create(
        name="cb", kind="channel", channel=channel, adapter="generic", callback_url="https://cb.example.com/q9"
    )
    order = make_order(channel=channel)
    events.event_record(order=order, kind=EventKind.ACCEPTED, at=order.order_time, to_state="ACCEPTED")
    message = OutboxMessage.objects.get(order=order)
    for at, code in ((OLD, 503), (OLD, 200), (KEPT, 200)):  # set-up rows: tries the worker made long ago
        CallbackAttempt.objects.create(message=message, at=at, status_code=code, ok=code == 200)
    before = list(CallbackAttempt.objects.filter(at=OLD).order_by("id").values_list("id", "status_code", "ok"))

    assert partitions_maintain(at=FIXED_NOW)["callback_attempts"]["archived"] == ["2024-06"]
    assert not CallbackAttempt.objects.filter(at=OLD).exists() and message.deliveries.count() == 1
    assert manifest_read(CALLBACK_ATTEMPTS, date(2024, 6, 1))["rows"] == 2

    call_command("archive_restore", "--month", "2024-06", "--table", "callback_attempts")

    assert list(CallbackAttempt.objects.filter(at=OLD).order_by("id").values_list("id", "status_code", "ok")) == before
    assert message.deliveries.count() == 3
