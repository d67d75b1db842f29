"""Many clerks at once: every page of every clerk polls 网点接单 every 10 s, so an unchanged
poll must stay cheap: at most 2 SQL statements and 5 ms of CPU in the web process (measured over many polls),
with no rendering and no write."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dispatch.views import accept as order_views

from ..factories import make_order

POLLS = 200


def test_an_unchanged_poll_costs_at_most_two_queries_and_5_ms_of_cpu(net, login):
    client = login(net.clerk_a)
    url = reverse("dispatch:workbench_rows")
    for _ in range(3):
        make_order()
    first = client.get(url, HTTP_HX_REQUEST="true")
    etag = first["ETag"]
    client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)  # warm (the refresh record, caches)
    connection.queries_log.clear()  # a full log (9,000 entries, DEBUG) would capture nothing
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    queries = [q["sql"] for q in ctx.captured_queries]
    assert 1 <= len(queries) <= 2, "\n".join(q[:300] for q in queries)
    assert all(q.lstrip().upper().startswith("SELECT") for q in queries), queries  # nothing written
    started = time.process_time()
    for _ in range(POLLS):
        assert client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag).status_code == 304
    per_poll_ms = (time.process_time() - started) * 1000 / POLLS
    print(f"unchanged poll: {per_poll_ms:.2f} ms CPU, {len(queries)} queries")
    assert per_poll_ms <= 5, per_poll_ms


def test_the_workbench_is_paged_most_urgent_first(net, login, monkeypatch):
    monkeypatch.setattr(order_views, "WORKBENCH_LIMIT", 3)
    orders = [make_order() for _ in range(5)]
    urgent = sorted(orders, key=lambda o: (o.accept_due_at, o.pk))
    client = login(net.clerk_a)
    first = client.get(reverse("dispatch:workbench")).content.decode()
    assert [o.channel_order_id in first for o in urgent] == [True, True, True, False, False]
    assert "第 1 页 / 共 2 页" in first and "?page=2" in first and 'data-pending="5"' in first
    rows = client.get(reverse("dispatch:workbench_rows") + "?page=2", HTTP_HX_REQUEST="true")
    second = rows.content.decode()
    assert [o.channel_order_id in second for o in urgent] == [False, False, False, True, True]
    assert "第 2 页 / 共 2 页" in second and "?page=1" in second
    # each page has its own validator: page 1's ETag does not answer 304 for page 2
    page1 = client.get(reverse("dispatch:workbench_rows"), HTTP_HX_REQUEST="true")
    assert (
        client.get(reverse("dispatch:workbench_rows") + "?page=2", HTTP_IF_NONE_MATCH=page1["ETag"]).status_code == 200
    )
    assert (
        client.get(reverse("dispatch:workbench_rows") + "?page=2", HTTP_IF_NONE_MATCH=rows["ETag"]).status_code == 304
    )
    assert client.get(reverse("dispatch:workbench") + "?page=x").status_code == 200
