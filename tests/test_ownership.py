"""The write-ownership check (tests/ownership.py) trips on a stray write and lets the owner's writes through."""

import pytest

from orders import workflow
from orders.models import OnlineOrder

from .factories import make_order
from .ownership import allowed, table_owners, written_tables


@pytest.mark.parametrize(
    "sql, tables",
    [
        ('INSERT INTO "orders_onlineorder" ("a") VALUES (1)', {"orders_onlineorder"}),
        ('UPDATE "orders_onlineorder" SET "remark" = %s WHERE id = 1', {"orders_onlineorder"}),
        ('DELETE FROM "penalties_violation" WHERE id = 1', {"penalties_violation"}),
        ("COPY orders_orderevent (a, b) FROM STDIN", {"orders_orderevent"}),
        ('SELECT * FROM "orders_onlineorder" WHERE id = 1 FOR NO KEY UPDATE OF "orders_onlineorder"', set()),
        ("INSERT INTO finance_ledgerentry (k) SELECT 1 ON CONFLICT (key) DO UPDATE SET k = 1", {"finance_ledgerentry"}),
    ],
)
def test_written_tables(sql, tables):
    assert written_tables(sql) == tables


def test_owners():
    owners = table_owners()
    assert owners["core_site"] == "core" and owners["orders_onlineorder"] == "orders"
    assert allowed("orders_onlineorder", "orders.workflow", owners) is None
    assert allowed("orders_onlineorder", "dispatch.services", owners) == "orders"
    assert allowed("orders_orderevent", "orders.services", owners) == "orders.events"  # one module writes events
    assert allowed("orders_onlineorder", "orders.migrations.0002_channels", owners) is None
    # the second factor's library tables belong to the ground floor's services
    assert allowed("otp_totp_totpdevice", "core.twofactor", owners) is None
    assert allowed("otp_static_statictoken", "people.views", owners) == "core"


def test_a_stray_update_fails_the_test_that_made_it(net, write_guard):
    order = make_order()
    stray = {"__name__": "penalties.views", "OnlineOrder": OnlineOrder}
    exec("def touch(pk):\n    OnlineOrder.objects.filter(pk=pk).update(remark='改')\n", stray)  # noqa: S102
    stray["touch"](order.pk)
    assert [(s.table, s.writer, s.owner) for s in write_guard.strays] == [
        ("orders_onlineorder", "penalties.views", "orders")
    ]
    write_guard.strays.clear()  # this test plants the stray on purpose; any other test would fail here
    order = workflow.lock(order.pk)
    order.remark = "改"
    workflow.save(order, ["remark"])  # the owner's way: no stray
    assert write_guard.strays == []
