"""The new-order poll is conditional (an unchanged queue answers 304 with no body, a new order changes the ETag)
and the site's "last refresh" record is written at most once a minute however often the page polls."""

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dispatch.models import SiteActivity
from dispatch.services import site_refresh_note

from ..factories import make_order


def test_unchanged_queue_answers_304_and_a_new_order_changes_the_etag(net, login):
    client = login(net.clerk_a)
    url = reverse("dispatch:workbench_rows")
    make_order()
    first = client.get(url, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and first["ETag"] and first["Cache-Control"] == "no-store"
    same = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == first["ETag"]
    order = make_order()
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert order.channel_order_id in changed.content.decode() and b'data-pending="2"' in changed.content
    # another site's order leaves this clerk's version alone
    make_order(sender_city="宁波市", sender_district="海曙区")
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304
    # a garbage validator is simply not fresh
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"x", *garbage').status_code == 200


def test_every_page_of_a_clerk_carries_the_alert_hooks(net, login, settings):
    page = login(net.clerk_a).get(reverse("dispatch:pickup")).content.decode()
    assert (
        'data-poll-url="/desk/accept/rows/"' in page
        and f'data-poll-seconds="{settings.WORKBENCH_POLL_SECONDS}"' in page
    )
    assert "new-order.wav" in page and "点击" in page
    lcs_page = login(net.lcs_zj).get(reverse("home")).content.decode()
    assert "data-poll-url" not in lcs_page and "new-order.wav" not in lcs_page


def test_last_refresh_is_written_at_most_once_a_minute(net, django_assert_num_queries):
    t0 = timezone.now().replace(second=5, microsecond=0)
    for minute in range(-2, 4):  # a gate left in Redis by an earlier run of the suite (same site id) does not count
        cache.delete(f"q9:site-refresh:{net.site_a.pk}:{int(t0.timestamp()) // 60 + minute}")
    assert site_refresh_note(site_id=net.site_a.pk, user=net.clerk_a, at=t0) is True
    with django_assert_num_queries(0):  # the rest of that minute stops at the cache
        for seconds in (10, 30, 50):
            assert (
                site_refresh_note(site_id=net.site_a.pk, user=net.clerk_a, at=t0 + timedelta(seconds=seconds)) is False
            )
    # the next minute of the clock, but not yet 60 seconds after the record: nothing written
    assert site_refresh_note(site_id=net.site_a.pk, user=net.clerk_a, at=t0 + timedelta(seconds=59)) is False
    assert SiteActivity.objects.get(site=net.site_a).last_refresh_at == t0
    assert site_refresh_note(site_id=net.site_a.pk, user=net.clerk_a, at=t0 + timedelta(seconds=125)) is True
    assert SiteActivity.objects.get(site=net.site_a).last_refresh_at == t0 + timedelta(seconds=125)


def test_polls_record_the_refresh_without_writing_each_time(net, login):
    client = login(net.clerk_a)
    url = reverse("dispatch:workbench_rows")
    first = client.get(url)
    assert SiteActivity.objects.filter(site=net.site_a).exists()
    stamp = SiteActivity.objects.get(site=net.site_a).last_refresh_at
    client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert SiteActivity.objects.get(site=net.site_a).last_refresh_at == stamp
