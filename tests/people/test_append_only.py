"""The ledger and the order, violation and work-order histories refuse UPDATE and DELETE in the database itself
(django-pgtrigger), whatever the client: raw SQL included. TRUNCATE stays allowed (test and bench clean-up)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from complaints.models import WorkOrderEvent
from complaints.services import work_order_receive
from finance.models import LedgerEntry
from logistics.services import scans_ingest
from orders.models import OrderEvent
from penalties.models import Violation, ViolationEvent
from penalties.money import ledger_sync
from penalties.services import violation_evidence_add
from penalties.sweep import sla_sweep
from people.models import AccountEvent
from people.services import Unit, account_create

from ..factories import make_order

TABLES = [
    "finance_ledgerentry",
    "orders_orderevent",
    "penalties_violationevent",
    "complaints_workorderevent",
    "people_accountevent",
]


@pytest.fixture
def history(net):
    """One row in each protected table, made through the services."""
    from tests.rulebook_seed import rules_seed

    rules_seed()  # idempotent; a transactional test elsewhere may have flushed the seeded rule book
    order = make_order()
    later = timezone.now() + timedelta(days=3)
    sla_sweep(since=order.order_time - timedelta(days=1), until=later, at=later)  # late accept and pickup
    assert ledger_sync(at=later) >= 1
    violation_evidence_add(violation_id=Violation.objects.first().pk, actor=net.hq, text="截图")
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000991",
                "scan_type": "到件",
                "site_code": net.site_a.code,
                "scanned_at": timezone.now(),
            }
        ]
    )
    work_order_receive(
        data={"wo_id": "MWO1", "type": "where", "source": "pc", "waybill_no": "300000000991", "description": "x"}
    )
    account_create(actor=net.hq, username="new-clerk", unit=Unit(role="clerk", site=net.site_a))
    for model in (LedgerEntry, OrderEvent, ViolationEvent, WorkOrderEvent, AccountEvent):
        assert model.objects.exists(), model


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_raw_sql_cannot_rewrite_the_history(history, table, statement):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        before = cursor.fetchone()[0]
        with pytest.raises(DatabaseError, match="Cannot update or delete rows"):
            with transaction.atomic():
                cursor.execute(statement.format(t=table))
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == before > 0


def test_the_orm_cannot_either(history):
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        OrderEvent.objects.all().update(text="rewritten")
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        ViolationEvent.objects.all().delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        LedgerEntry.objects.all().update(amount=0)


def test_truncate_stays_allowed_for_clean_up(history):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts are in this transaction
        cursor.execute("TRUNCATE finance_ledgerentry")
    assert not LedgerEntry.objects.exists()
