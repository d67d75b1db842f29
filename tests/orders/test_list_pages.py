"""The order record's lists converted to the list kit (a selector, a ``ListFilter``, a ``ListTable``): 撤单处理 and
HQ's API clients, status callbacks and file imports. Each keeps its page's forms and buttons; its filters narrow
the rows; its rows keep one order whatever ties (the id breaks them), so paging neither repeats nor skips a row."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import selectors
from orders.models import ImportJob, OnlineOrder, OrderState, OutboxMessage
from orders.services import api_client_create, order_cancel

from ..factories import channel_get, make_order

pytestmark = pytest.mark.django_db


def _heads(html: str) -> list[str]:
    table = html[html.index("<table") : html.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


def _numbers(html: str, orders) -> list[str]:
    """The orders' logistics numbers in the order the page lists them."""
    found = {o.channel_order_id: html.find(o.channel_order_id) for o in orders}
    return [n for n, at in sorted(found.items(), key=lambda kv: kv[1]) if at >= 0]


def _cancelled(n: int = 1, **kwargs) -> list[OnlineOrder]:
    orders = [make_order(**kwargs) for _i in range(n)]
    for o in orders:
        order_cancel(order_id=o.pk, actor_label="淘宝")
    return orders


# ---------------------------------------------------------------- 撤单处理


def test_cancellations_filter_by_number_and_channel(net, login):
    a, b = _cancelled(2)
    (c,) = _cancelled(channel="kuaidi100")
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:cancellations"), {"q": a.channel_order_id}).content.decode()
    assert a.channel_order_id in page and b.channel_order_id not in page and c.channel_order_id not in page
    page = client.get(reverse("dispatch:cancellations"), {"channel": channel_get("kuaidi100").pk}).content.decode()
    assert _numbers(page, [a, b, c]) == [c.channel_order_id]
    assert 'name="handled" value="open"' in page  # the filters keep the open/done switch's position


def test_cancellations_site_column_only_for_a_clerk_of_several_sites(net, login):
    (a,) = _cancelled()
    (area,) = _cancelled(sender_address="开发区1号")
    assert area.site_id != a.site_id
    (b,) = _cancelled()
    OnlineOrder.objects.filter(pk=b.pk).update(site=net.site_b)
    several = login(net.clerk_a).get(reverse("dispatch:cancellations")).content.decode()
    assert "网点" in _heads(several) and net.site_a.name in several
    assert sorted(_numbers(several, [a, area, b])) == sorted([a.channel_order_id, area.channel_order_id])
    assert 'name="site"' in several  # a clerk of a site and its contract area picks one of them
    page = login(net.clerk_area).get(reverse("dispatch:cancellations"), {"site": net.site_a.pk}).content.decode()
    assert area.channel_order_id in page  # a one-site clerk has no site filter: the value is ignored
    one = login(net.clerk_b).get(reverse("dispatch:cancellations")).content.decode()
    assert b.channel_order_id in one and "网点" not in _heads(one) and 'name="site"' not in one


def test_cancellations_keep_one_order_when_times_tie(net, login):
    orders = _cancelled(5)
    OnlineOrder.objects.filter(pk__in=[o.pk for o in orders]).update(cancelled_at=timezone.now())
    newest_first = [o.channel_order_id for o in sorted(orders, key=lambda o: -o.pk)]
    client = login(net.clerk_a)
    seen = []
    for page in (1, 2, 3):
        html = client.get(reverse("dispatch:cancellations"), {"per_page": 2, "page": page}).content.decode()
        seen += _numbers(html, orders)
    assert seen == newest_first
    assert selectors.orders_cancelled(user=net.clerk_a).query.order_by[-1] == "-id"


def test_cancellations_bulk_handle_from_the_page(net, login):
    a, b = _cancelled(2)
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:cancellations")).content.decode()
    assert 'data-testid="handle-cancellations"' in page and "data-select-all" in page
    assert f'name="ids" value="{a.pk}"' in page and f'name="ids" value="{b.pk}"' in page
    r = client.post(reverse("dispatch:cancellations_handle"), {"ids": [a.pk, b.pk], "next": "/desk/cancellations/"})
    assert r.status_code == 302
    assert OnlineOrder.objects.filter(pk__in=[a.pk, b.pk], cancel_handled_at__isnull=False).count() == 2
    assert 'data-testid="cancellations-empty"' in client.get(reverse("dispatch:cancellations")).content.decode()
    done = client.get(reverse("dispatch:cancellations"), {"handled": "done"}).content.decode()
    assert _numbers(done, [a, b]) == [b.channel_order_id, a.channel_order_id]
    assert 'name="ids" value=' not in done and "已做" in done  # a handled order has no checkbox
    assert (
        len(_numbers(client.get(reverse("dispatch:cancellations"), {"handled": "all"}).content.decode(), [a, b])) == 2
    )
    assert OnlineOrder.objects.get(pk=a.pk).state == OrderState.CANCELLED


# ---------------------------------------------------------------- status callbacks (HQ)


def _callbacks(client, n: int, status: str, at=None) -> list[OutboxMessage]:
    at = at or timezone.now()
    return [
        OutboxMessage.objects.create(
            client=client,
            order=make_order(),
            kind="ACCEPTED",
            url="https://cb.example.com/q9",
            payload={},
            status=status,
            attempts=3 if status == "failed" else 0,
            last_error="timeout" if status == "failed" else "",
            next_attempt_at=at,
            created_at=at,
        )
        for _i in range(n)
    ]


def _clients():
    taobao, _s = api_client_create(name="淘宝回传", kind="channel", channel=channel_get("taobao"), adapter="generic")
    kd, _s = api_client_create(
        name="快递100回传", kind="channel", channel=channel_get("kuaidi100"), adapter="kuaidi100"
    )
    return taobao, kd


def test_callbacks_filter_by_status_channel_and_client(net, login):
    taobao, kd = _clients()
    (failed_tb,) = _callbacks(taobao, 1, "failed")
    (failed_kd,) = _callbacks(kd, 1, "failed")
    (pending,) = _callbacks(taobao, 1, "pending")
    client = login(net.hq)
    url = reverse("orders:callbacks")
    numbers = [m.order.channel_order_id for m in (failed_tb, failed_kd, pending)]
    page = client.get(url).content.decode()  # failed ones by default, with the retry button
    assert sorted(_numbers(page, [m.order for m in (failed_tb, failed_kd, pending)])) == sorted(numbers[:2])
    assert 'data-testid="retry"' in page and 'name="status" value="failed"' in page
    page = client.get(url, {"status": "pending"}).content.decode()
    assert _numbers(page, [failed_tb.order, pending.order]) == [numbers[2]] and 'data-testid="retry"' not in page
    page = client.get(url, {"channel": channel_get("kuaidi100").pk}).content.decode()
    assert _numbers(page, [failed_tb.order, failed_kd.order]) == [numbers[1]]
    page = client.get(url, {"client": taobao.pk, "status": "failed"}).content.decode()
    assert _numbers(page, [failed_tb.order, failed_kd.order]) == [numbers[0]]
    page = client.get(url, {"q": numbers[1]}).content.decode()
    assert _numbers(page, [failed_tb.order, failed_kd.order]) == [numbers[1]]


def test_callbacks_keep_one_order_when_times_tie_and_retry_the_selected(net, login):
    taobao, _kd = _clients()
    messages = _callbacks(taobao, 5, "failed", at=timezone.now())
    client = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        html = client.get(reverse("orders:callbacks"), {"per_page": 2, "page": page}).content.decode()
        seen += _numbers(html, [m.order for m in messages])
    assert seen == [m.order.channel_order_id for m in sorted(messages, key=lambda m: -m.pk)]
    assert selectors.callbacks_for(user=net.hq).query.order_by[-1] == "-id"
    r = client.post(reverse("orders:callbacks") + "?status=failed", {"ids": [messages[0].pk, messages[1].pk]})
    assert r.status_code == 302 and r["Location"].endswith("?status=failed")
    assert set(OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True)) == {
        messages[0].pk,
        messages[1].pk,
    }


# ---------------------------------------------------------------- file imports (HQ)


def _job(net, kind: str, status: str, name: str, at=None) -> ImportJob:
    return ImportJob.objects.create(
        kind=kind,
        file=f"imports/{name}",
        name=name,
        status=status,
        created_by=net.hq,
        created_at=at or timezone.now(),
        channel=channel_get("taobao") if kind == "orders" else None,
    )


def test_imports_filter_by_kind_and_state(net, login):
    orders_done = _job(net, "orders", "done", "orders-done.csv")
    sites_invalid = _job(net, "sites", "invalid", "sites-invalid.xlsx")
    _job(net, "accounts", "done", "accounts.xlsx")  # the people pages' import: not listed here
    client = login(net.hq)
    url = reverse("orders:imports")
    page = client.get(url).content.decode()
    assert "orders-done.csv" in page and "sites-invalid.xlsx" in page and "accounts.xlsx" not in page
    assert 'data-testid="import-check"' in page and 'data-testid="import-template-orders"' in page
    assert (
        reverse("orders:import_detail", args=[orders_done.pk]) in page and "已导入" in page and "有错误：未导入" in page
    )
    page = client.get(url, {"kind": "sites"}).content.decode()
    assert "sites-invalid.xlsx" in page and "orders-done.csv" not in page
    page = client.get(url, {"status": "done"}).content.decode()
    assert "orders-done.csv" in page and "sites-invalid.xlsx" not in page
    page = client.get(url, {"status": "done", "kind": "sites"}).content.decode()
    assert 'data-testid="imports-empty"' in page and "没有符合这些条件的导入" in page
    assert reverse("orders:import_detail", args=[sites_invalid.pk]) not in page


def test_imports_keep_one_order_when_times_tie(net, login):
    at = timezone.now()
    jobs = [_job(net, "scans", "done", f"scans-{i}.csv", at=at) for i in range(5)]
    client = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        html = client.get(reverse("orders:imports"), {"per_page": 2, "page": page}).content.decode()
        seen += [j.name for j in sorted(jobs, key=lambda j: html.find(j.name)) if html.find(j.name) >= 0]
    assert seen == [j.name for j in sorted(jobs, key=lambda j: -j.pk)]
    assert selectors.import_jobs_for(user=net.hq).query.order_by[-1] == "-id"


# ---------------------------------------------------------------- API clients (HQ)


def test_api_clients_filter_and_keep_their_forms(net, login, settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["cb.example.com"]
    taobao, kd = _clients()
    scanner, _s = api_client_create(name="扫描系统", kind="scanner", channel=None, adapter="generic")
    client = login(net.hq)
    url = reverse("orders:api_clients")
    page = client.get(url).content.decode()
    assert all(c.key in page for c in (taobao, kd, scanner))
    assert page.count('name="action" value="update"') == 3 and page.count('name="action" value="rotate"') == 3
    assert reverse("people:object_history", args=["api-client", kd.pk]) in page
    assert 'name="action" value="create"' in page  # the new client's form stays below the list
    page = client.get(url, {"kind": "scanner"}).content.decode()
    assert scanner.key in page and taobao.key not in page
    page = client.get(url, {"channel": channel_get("kuaidi100").pk}).content.decode()
    assert kd.key in page and taobao.key not in page and scanner.key not in page
    page = client.get(url, {"q": "淘宝"}).content.decode()
    assert taobao.key in page and kd.key not in page
    r = client.post(url, {"action": "update", "client": kd.pk, "callback_url": "https://cb.example.com/kd"})
    assert r.status_code == 302
    kd.refresh_from_db()
    assert kd.callback_url == "https://cb.example.com/kd" and not kd.active  # the box left unticked
    page = client.get(url, {"active": "false"}).content.decode()
    assert kd.key in page and taobao.key not in page and "停用" in page
    r = client.post(f"{url}?kind=channel&page=1", {"action": "update", "client": kd.pk, "callback_url": ""})
    assert r.status_code == 302 and r["Location"] == f"{url}?kind=channel&page=1"  # back to the list as it was


def test_api_clients_keep_one_order_when_names_tie(net, login):
    made = [api_client_create(name="同名", kind="scanner", channel=None, adapter="generic")[0] for _i in range(5)]
    client = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        html = client.get(reverse("orders:api_clients"), {"per_page": 2, "page": page}).content.decode()
        seen += [c.key for c in sorted(made, key=lambda c: html.find(c.key)) if html.find(c.key) >= 0]
    assert seen == [c.key for c in sorted(made, key=lambda c: c.pk)]
    assert selectors.api_clients_for(user=net.hq).query.order_by[-1] == "id"


def test_the_switches_above_a_list_keep_its_other_filters_and_go_back_to_the_first_page(net, login):
    taobao = channel_get("taobao").pk
    page = login(net.clerk_a).get(reverse("dispatch:cancellations"), {"channel": taobao, "page": 2}).content.decode()
    assert f'href="?channel={taobao}&amp;handled=done"' in page and f'href="?channel={taobao}&amp;handled=all"' in page
    page = login(net.hq).get(reverse("orders:callbacks"), {"channel": taobao, "page": 3}).content.decode()
    assert f'href="?channel={taobao}&amp;status=delivered"' in page
