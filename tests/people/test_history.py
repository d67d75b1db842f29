"""Master data keeps its history: who changed what, when, on the object's page; a violation's page shows the rule
version and the site's service areas as they stood when it was recorded, after both were changed."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from core.models import ServiceArea, Site
from orders.models import ApiClient
from orders.services import api_client_create, api_client_update, channels_ensure
from penalties.models import RuleVersion, Violation
from penalties.services import rule_version_create
from penalties.sweep import sla_sweep
from people.history import as_of, baseline_missing, history_rows, tracked_pairs
from tests.rulebook_seed import rules_seed

from ..factories import make_order


def admin_site_edit(client, site, **changes):
    """HQ edits a site in the admin (no inline rows sent: the areas and couriers stay as they are)."""
    data = {
        "code": site.code,
        "name": site.name,
        "province": site.province_id,
        "district": site.district_id or "",
        "kind": site.kind,
        "level": site.level,
        "parent": site.parent_id or "",
        "active": "on" if site.active else "",
        "phone": site.phone,
        "email": site.email,
        "address": site.address,
        **changes,
    }
    for prefix in ("service_areas", "couriers"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(reverse("admin:core_site_change", args=[site.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def admin_area_edit(client, area, **changes):
    data = {
        "site": area.site_id,
        "district": area.district_id,
        "keywords": ",".join(area.keywords or []),
        "priority": area.priority,
        **changes,
    }
    response = client.post(reverse("admin:core_servicearea_change", args=[area.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_sites_page_shows_who_changed_what_after_two_edits(net, login):
    client = login(net.hq)
    admin_site_edit(client, net.site_b, phone="057488880001")
    net.site_b.refresh_from_db()
    admin_site_edit(client, net.site_b, phone="057488880002", address="海曙区中山西路 1 号")
    rows = history_rows(Site.objects.get(pk=net.site_b.pk))
    assert [r["kind"] for r in rows] == ["修改", "修改", "创建"]
    assert all(r["user"] == net.hq for r in rows[:2])
    assert ("电话", "057488880001", "057488880002") in rows[0]["changes"]
    assert ("电话", "—", "057488880001") in rows[1]["changes"]
    page = login(net.lcs_zj).get(reverse("core:site_detail", args=[net.site_b.code])).content.decode()
    assert page.count("057488880001") == 2 and "海曙区中山西路 1 号" in page and "hq" in page
    history_page = client.get(reverse("people:object_history", args=["site", net.site_b.pk])).content.decode()
    assert "057488880002" in history_page
    # a clerk's site page carries no change log
    assert (
        "谁在什么时候"
        not in login(net.clerk_b).get(reverse("core:site_detail", args=[net.site_b.code])).content.decode()
    )


def test_api_clients_and_rules_keep_theirs(net, settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["a.example", "b.example"]  # names that resolve nowhere here
    channel = channels_ensure()["kuaidi100"]
    client, _secret = api_client_create(
        name="快递100",
        kind="channel",
        channel=channel,
        adapter="kuaidi100",
        callback_url="https://a.example/cb",
        actor=net.hq,
    )
    api_client_update(client_id=client.pk, callback_url="https://b.example/cb", active=True, actor=net.hq)
    rows = history_rows(ApiClient.objects.get(pk=client.pk))
    assert ("回传地址", "https://a.example/cb", "https://b.example/cb") in rows[0]["changes"]
    assert "secret" not in {f.name for f in ApiClient.history.model._meta.fields}  # never copied into the history


def test_the_violation_page_shows_the_rule_and_areas_as_they_stood(net, login, _fixed_clock):
    rules_seed()
    order = make_order()  # at site_a, whose area is 西湖区 without keywords
    later = timezone.now() + timedelta(days=1)
    sla_sweep(since=order.order_time - timedelta(minutes=1), until=later, at=later)
    violation = Violation.objects.filter(order=order).order_by("id").first()
    old_fine = violation.fine
    _fixed_clock.shift(timedelta(days=2))  # the edits come after the violation was recorded
    client = login(net.hq)
    area = ServiceArea.objects.get(site=net.site_a)
    before = (area.keywords, area.priority)
    admin_area_edit(client, area, keywords="文三路,古墩路", priority=5)
    rule_version_create(
        code=violation.rule,
        fine=Decimal("77.00"),
        threshold_minutes=violation.rule_version.threshold_minutes,
        description="新标准",
        effective_from=timezone.now() + timedelta(minutes=1),
        actor=net.hq,
    )
    _fixed_clock.shift(timedelta(minutes=2))

    then = as_of(ServiceArea, at=violation.created_at, site_id=net.site_a.pk)
    assert [(a.keywords, a.priority) for a in then] == [before] != [(["文三路", "古墩路"], 5)]
    page = client.get(reverse("penalties:violation_detail", args=[violation.pk])).content.decode()
    block = page[page.index('data-testid="as-found"') : page.index('data-testid="violation-history"')]
    assert f"¥{old_fine:,.2f}" in block and "现行" in block and "¥77.00" in block
    assert "文三路" not in block and "已变更" in block
    assert RuleVersion.objects.filter(code=violation.rule).count() == 2


def test_rows_written_in_bulk_get_a_baseline_once(net):
    Site.objects.bulk_create([Site(code="BULK0001", name="批量网点", province=net.zj, district=net.site_a.district)])
    bulk = Site.objects.get(code="BULK0001")
    assert not bulk.history.exists()
    assert baseline_missing(tracked_pairs(), at=timezone.now()) == 1
    assert baseline_missing(tracked_pairs(), at=timezone.now()) == 0
    assert bulk.history.get().history_type == "+"
