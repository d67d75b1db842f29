"""The dashboard: a period and a province to look at, the week beside the week before, worst sites that open their
violations, charts whose axes start at zero and are marked at round numbers; a new rule version opens on the
version in force, its threshold in the unit the rule table shows (hours for pickup)."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from penalties.charts import bar_chart, line_chart, nice_ticks
from penalties.models import RuleVersion
from tests.pages import shown

from .test_pages import T0, late_orders


def test_the_dashboard_filters_by_province_and_period_and_compares_weeks(net, login):
    late_orders(net)  # one late accept at 杭州西湖网点, one at 宁波海曙网点 (Zhejiang), on 11月23日
    client = login(net.hq)
    day = T0.date()
    html = shown(client.get(reverse("penalties:dashboard"), {"date_from": day - timedelta(days=6), "date_to": day}))
    assert 'data-testid="week-over-week"' in html and "周环比" in html
    assert "11月17日–11月23日" in html and "11月10日–11月16日" in html
    worst = html.split('data-testid="worst-sites"')[1].split("</ol>")[0]
    assert f'?site={net.site_a.code}&amp;status=CONFIRMED"' in worst and net.site_b.name in worst
    assert f'href="/violations/?site={net.site_a.code}' in worst
    # Xinjiang had nothing: its worst list is empty and the Zhejiang sites are not named
    other = shown(client.get(reverse("penalties:dashboard"), {"province": net.xj.pk, "date_to": day}))
    assert "新疆维吾尔自治区 ·" in other and net.site_a.name not in other
    # a period longer than a quarter is cut and said so
    long = shown(client.get(reverse("penalties:dashboard"), {"date_from": "2026-01-01", "date_to": day}))
    assert "一次最多查看 92 天" in long
    # the province's LCS has no province to choose
    assert 'name="province"' not in shown(login(net.lcs_zj).get(reverse("penalties:dashboard")))


def test_chart_axes_start_at_zero_at_round_numbers():
    assert nice_ticks(17) == [0, 5, 10, 15, 20] and nice_ticks(3) == [0, 1, 2, 3] and nice_ticks(1234)[-1] == 1500
    rates = line_chart(labels=["11月1日", "11月2日"], series=[("按时接单", [0.97, 0.99])])
    assert re.findall(r">(\d+%)<", rates) == ["0%", "25%", "50%", "75%", "100%"]
    counts = line_chart(labels=["a", "b", "c"], series=[("违规", [3.0, 17.0, 9.0])], percent=False)
    assert re.findall(r'text-anchor="end" fill="#6c757d">([\d,]+)<', counts) == ["0", "5", "10", "15", "20"]
    # the last x label ends at the plot's right edge instead of running past the chart
    assert 'text-anchor="end" fill="#6c757d">c<' in counts
    bars = bar_chart(items=[("一个名字很长很长很长很长很长很长的网点", 7, "/x?a=1&b=2"), ("短", 2)])
    assert "…" in bars and '<a href="/x?a=1&amp;b=2">' in bars and ">0<" in bars and ">8<" in bars


def test_a_new_rule_version_starts_from_the_one_in_force_in_its_unit(net, login):
    client = login(net.hq)
    form = client.get(reverse("penalties:rules"), {"code": "LATE_PICKUP"}).context["form"]
    pickup = RuleVersion.objects.filter(code="LATE_PICKUP").latest("effective_from")
    assert form["code"].value() == "LATE_PICKUP" and form["fine"].value() == pickup.fine
    assert (form["threshold"].value(), form["threshold_unit"].value()) == (pickup.threshold_minutes // 60, "hours")
    accept = client.get(reverse("penalties:rules"), {"code": "LATE_ACCEPT"}).context["form"]
    assert (accept["threshold"].value(), accept["threshold_unit"].value()) == (30, "minutes")
    html = shown(client.get(reverse("penalties:rules"), {"code": "LATE_PICKUP"}))
    assert 'value="hours" selected' in html
    effective = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("penalties:rules"),
        {
            "code": "LATE_PICKUP",
            "fine": "50",
            "threshold": "20",
            "threshold_unit": "hours",
            "effective_from": effective,
        },
    )
    assert RuleVersion.objects.filter(code="LATE_PICKUP").latest("effective_from").threshold_minutes == 20 * 60
