"""The rule book's page lists every version of every rule as the list kit's table: narrowed to one rule, or to the
versions in force, scheduled or superseded now; for HQ, the version in force offers a new version."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse

from penalties import services
from penalties.models import Rule, RuleVersion

from ..conftest import FIXED_NOW

SH = ZoneInfo("Asia/Shanghai")


def _versions(client, **params) -> list[RuleVersion]:
    page = client.get(reverse("penalties:rules"), params)
    assert page.status_code == 200
    return [row.record for row in page.context["versions"].paginated_rows]


def test_the_versions_narrow_to_one_rule_and_to_how_each_stands_now(net, login):
    seeded = RuleVersion.objects.get(code=Rule.LATE_ACCEPT)
    in_force = services.rule_version_create(
        code=Rule.LATE_ACCEPT,
        fine=Decimal("120"),
        threshold_minutes=30,
        description="",
        effective_from=FIXED_NOW - timedelta(days=10),
        actor=net.hq,
        at=FIXED_NOW - timedelta(days=11),
    )
    scheduled = services.rule_version_create(
        code=Rule.LATE_ACCEPT,
        fine=Decimal("150"),
        threshold_minutes=30,
        description="",
        effective_from=datetime(2030, 1, 1, tzinfo=SH),
        actor=net.hq,
    )
    client = login(net.hq)
    everything = _versions(client)
    assert len(everything) == RuleVersion.objects.count()
    assert _versions(client, rule=Rule.LATE_ACCEPT) == [scheduled, in_force, seeded]  # the latest effective first
    assert _versions(client, rule=Rule.LATE_ACCEPT, state="in_force") == [in_force]
    assert _versions(client, state="scheduled") == [scheduled]
    assert _versions(client, state="past") == [seeded]
    assert len(_versions(client, state="in_force")) == len(Rule.values)  # one in force for each rule
    page = client.get(reverse("penalties:rules"), {"rule": Rule.LATE_ACCEPT}).content.decode()
    assert page.count(f'data-testid="rule-new-{Rule.LATE_ACCEPT}"') == 1  # only the version in force offers it
    assert "已被取代" in client.get(reverse("penalties:rules")).content.decode()  # the filter's words, in Chinese


def test_a_province_reads_the_rule_book_without_hqs_links(net, login):
    page = login(net.lcs_zj).get(reverse("penalties:rules"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="rule-versions"' in text and "rule-new-" not in text
