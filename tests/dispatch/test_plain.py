"""Plain Chinese for durations, countdowns and weeks (core/humanize.py) and the pages that use them."""

from datetime import date

from django.urls import reverse

from core.humanize import countdown_text, duration_text, week_text
from core.templatetags.desk import minutes_text

from ..pages import shown


def test_durations():
    assert duration_text(9254 * 60) == "6天10小时"
    assert duration_text(960 * 60) == "16小时"
    assert duration_text(125 * 60) == "2小时5分"
    assert duration_text(29 * 60 + 59) == "29分"
    assert duration_text(6 * 86400) == "6天"
    assert minutes_text(960) == "16小时" and minutes_text("x") == ""


def test_countdowns():
    assert countdown_text(29 * 60) == "还剩 29 分"
    assert countdown_text(-2 * 3600) == "已超时 2 小时"
    assert countdown_text(9254 * 60) == "还剩 6 天 10 小时"


def test_weeks():
    assert week_text(date(2026, 11, 16)) == "11月16日–11月22日"
    assert week_text(date(2026, 12, 28)) == "2026年12月28日–2027年1月3日"


def test_rules_page_shows_thresholds_in_hours(net, login):
    page = shown(login(net.hq).get(reverse("penalties:rules")))
    assert "16小时" in page and "960" not in page


def test_codes_read_by_their_names():
    from core.humanize import code_label

    assert code_label("LATE_ACCEPT") == "接单超时" and code_label("WO_QUALITY") != "WO_QUALITY"
    assert code_label("REFUND_60") == "罚款退还 60%" and code_label("REWARD") == "月度奖励"
    assert code_label("SOMETHING_NEW") == "SOMETHING_NEW" and code_label(None) == ""


def test_event_kinds_read_by_their_names():
    from core.humanize import code_label

    assert code_label("picked_up") == "揽件确认" and code_label("waybill_corrected") == "网点更正运单号"
