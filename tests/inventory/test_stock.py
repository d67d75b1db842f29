"""Stock arithmetic, stock-taking, low-stock alerts, and e-waybill numbers: each given once under concurrent use."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from core.models import Message
from inventory import selectors, services
from inventory.models import Consumable, StockMove, WaybillRange
from orders.models import OnlineOrder

from ..factories import make_order


@pytest.fixture
def paper(db):
    return Consumable.objects.get_or_create(code="LABEL", defaults={"name": "热敏面单纸", "unit": "卷"})[0]


def test_stock_arithmetic_and_stock_taking(net, paper):
    site, clerk = net.site_a, net.clerk_a
    services.stock_move(site=site, consumable=paper, kind="in", quantity_=20, actor=clerk)
    services.stock_move(site=site, consumable=paper, kind="out", quantity_=7, actor=clerk)
    assert services.quantity(site_id=site.pk, consumable_id=paper.pk) == 13
    with pytest.raises(services.StockError):
        services.stock_move(site=site, consumable=paper, kind="out", quantity_=14, actor=clerk)  # never below zero
    with pytest.raises(services.StockError):
        services.stock_move(site=site, consumable=paper, kind="adjust", quantity_=-1, actor=clerk)  # needs a reason
    services.stock_move(site=site, consumable=paper, kind="adjust", quantity_=-1, reason="受潮报废", actor=clerk)
    move = services.stock_take(site=site, consumable=paper, counted=10, actor=clerk)
    assert move.quantity == -2 and move.counted == 10 and move.kind == StockMove.Kind.COUNT
    assert services.stock_take(site=site, consumable=paper, counted=10, actor=clerk) is None  # agrees: no entry
    assert services.quantity(site_id=site.pk, consumable_id=paper.pk) == 10
    with pytest.raises(services.StockError):  # another site's clerk
        services.stock_move(site=site, consumable=paper, kind="in", quantity_=1, actor=net.clerk_b)


def test_low_stock_alert_once_a_day(net, paper):
    services.min_level_set(site=net.site_a, consumable=paper, min_level=5, actor=net.clerk_a)
    services.stock_move(site=net.site_a, consumable=paper, kind="in", quantity_=3, actor=net.clerk_a)
    assert services.low_stock_alerts_send() == 1
    assert services.low_stock_alerts_send() == 0
    assert "热敏面单纸 3/5" in Message.objects.get(site=net.site_a, category="stock").title
    assert [(s.code, q) for s, _i, q, _m in selectors.low_stock()] == [(net.site_a.code, 3)]


def test_stock_page(net, login, paper):
    client = login(net.clerk_a)
    client.post(reverse("inventory:stock"), {"consumable": paper.pk, "action": "in", "quantity": "8"})
    client.post(reverse("inventory:stock"), {"consumable": paper.pk, "action": "count", "counted": "6"})
    page = client.get(reverse("inventory:stock")).content.decode()
    assert "6 卷" in page and "盘点差异" in page
    r = client.post(
        reverse("inventory:stock"), {"consumable": paper.pk, "action": "out", "quantity": "abc"}, follow=True
    )
    assert r.status_code == 200 and services.quantity(site_id=net.site_a.pk, consumable_id=paper.pk) == 6


def test_ranges_do_not_overlap_and_numbers_run_out(net):
    services.range_allocate(site=net.site_a, start=400000000000, end=400000000002, actor=net.hq, warn_below=2)
    with pytest.raises(services.StockError):
        services.range_allocate(site=net.site_b, start=400000000002, end=400000000010, actor=net.hq)
    with pytest.raises(services.StockError):
        services.range_allocate(site=net.site_b, start=500000000000, end=500000000010, actor=net.clerk_a)
    numbers = [services.waybill_next(site=net.site_a) for _ in range(3)]
    assert numbers == ["400000000000", "400000000001", "400000000002"]
    assert Message.objects.filter(site=net.site_a, category="stock").count() == 1  # warned once
    with pytest.raises(services.StockError):
        services.waybill_next(site=net.site_a)
    # a contract area uses its parent's numbers
    services.range_allocate(site=net.site_a, start=400000001000, end=400000001999, actor=net.hq)
    assert services.waybill_next(site=net.area_a) == "400000001000"


def test_pickup_with_the_next_e_waybill(net, login):
    from dispatch import services as ops

    services.range_allocate(site=net.site_a, start=410000000000, end=410000000099, actor=net.hq)
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    login(net.clerk_a).post(reverse("inventory:pickup_ewaybill", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == "PICKED_UP" and order.waybill_no == "410000000000"


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_gives_a_number_twice(net):
    services.range_allocate(site=net.site_a, start=420000000000, end=420000000999, actor=net.hq)
    got, errors = [], []
    barrier = threading.Barrier(6)

    def worker():
        try:
            barrier.wait()
            for _ in range(40):
                got.append(services.waybill_next(site=net.site_a))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(got) == 240 and len(set(got)) == 240
    assert WaybillRange.objects.get().next == 420000000240
    assert not OnlineOrder.objects.exists()


def _moves(response) -> list[int]:
    return [row.record.pk for row in response.context["move_table"].page.object_list]


def test_movements_keep_one_order_across_pages_and_follow_the_chosen_site(net, login, paper, monkeypatch):
    for n in range(5):
        services.stock_move(site=net.site_a, consumable=paper, kind="in", quantity_=n + 1, actor=net.clerk_a)
    services.stock_move(site=net.site_b, consumable=paper, kind="in", quantity_=9, actor=net.clerk_b)
    StockMove.objects.filter(site=net.site_a).update(at=StockMove.objects.filter(site=net.site_a).first().at)  # tied
    expected = list(StockMove.objects.filter(site=net.site_a).order_by("-id").values_list("pk", flat=True))
    monkeypatch.setattr(selectors, "RECENT_MOVES", 2)
    client = login(net.hq)
    pages = [
        _moves(client.get(reverse("inventory:stock"), {"site": net.site_a.code, "moves-page": n})) for n in (1, 2, 3)
    ]
    assert [pk for page in pages for pk in page] == expected  # no row twice, none lost between pages
    page = client.get(reverse("inventory:stock"), {"site": net.site_a.code}).content.decode()
    assert 'data-testid="stock-moves"' in page and "moves-page=2" in page and f"site={net.site_a.code}" in page
    # the site chosen narrows the movements to its own
    other = client.get(reverse("inventory:stock"), {"site": net.site_b.code})
    assert [StockMove.objects.get(pk=pk).site_id for pk in _moves(other)] == [net.site_b.pk]
    assert 'data-testid="stock-table"' in other.content.decode()  # the stock table and its forms stay


def test_the_site_s_ranges_are_a_table(net, login, paper):
    client = login(net.clerk_a)
    page = client.get(reverse("inventory:stock")).content.decode()
    assert 'data-testid="site-ranges"' in page and "没有号段" in page
    services.range_allocate(site=net.site_a, start=400000000000, end=400000000099, actor=net.hq, warn_below=200)
    services.range_allocate(site=net.site_b, start=500000000000, end=500000000099, actor=net.hq)
    response = client.get(reverse("inventory:stock"))
    rows = [row.record for row in response.context["range_table"].rows]
    assert [r.start for r in rows] == [400000000000]
    assert "site" not in [c.name for c in response.context["range_table"].columns]
    page = response.content.decode()
    assert "400000000000–400000000099" in page and "text-danger fw-bold" in page  # 100 left, warned below 200
