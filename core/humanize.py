"""Plain Chinese for codes and times people read. Codes (a rule, a ledger entry's code, …) are shown by their
label through one registry: the apps that own the codes register their choices when they load (the ground floor
imports none of them). Times: a duration as 6天10小时 / 2小时5分 / 29分, a countdown as 还剩 29 分 /
已超时 2 小时, an assessment week as 11月16日–11月22日. One place, used by the templates (``desk`` filters), the
tables and, mirrored line by line, by the countdowns of ``static/js/desk.js``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils import timezone, translation
from django.utils.html import format_html


def duration_text(seconds: float) -> str:
    """A length of time without a sign, to the minute: 6天10小时, 6天, 2小时5分, 2小时, 29分, 0分."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分"


_EN_UNITS = {"天": "d", "小时": "h", "分": "min"}


def countdown_text(seconds: float) -> str:
    """Time left before a deadline (还剩 29 分, 还剩 6 天 10 小时) or past it (已超时 2 小时), the words spaced
    as on the countdowns of the pages."""
    if not (translation.get_language() or "zh").startswith("zh"):
        english = re.sub(r"(\d+)(天|小时|分)", lambda m: f" {m[1]} {_EN_UNITS[m[2]]}", duration_text(seconds)).strip()
        return f"{english} left" if seconds >= 0 else f"{english} overdue"
    spaced = re.sub(r"(\d+)(天|小时|分)", r" \1 \2", duration_text(seconds)).strip()
    return f"还剩 {spaced}" if seconds >= 0 else f"已超时 {spaced}"


def deadline_text(deadline: datetime, *, at: datetime | None = None) -> tuple[str, str]:
    """A deadline as every page says it: (12月10日 18:00 截止, 还剩 2 天 3 小时) — the moment (with its year when
    it is not this year's) and the time left as the pages' countdowns count it. ``deadline_html`` joins them."""
    at = at or timezone.now()
    local, now = timezone.localtime(deadline), timezone.localtime(at)
    if (translation.get_language() or "zh").startswith("zh"):
        year = f"{local.year}年" if local.year != now.year else ""
        when = f"{year}{local.month}月{local.day}日 {local:%H:%M} 截止"
    else:
        when = f"due {local:%Y-%m-%d %H:%M}" if local.year != now.year else f"due {local:%m-%d %H:%M}"
    return when, countdown_text((deadline - at).total_seconds())


def deadline_html(deadline: datetime | None, *, at: datetime | None = None, warn_seconds: int = 21600) -> str:
    """``deadline_text`` for a page: 「12月10日 18:00 截止（还剩 2 天 3 小时）」, the time left ticking
    (``static/js/desk.js``). The one way a page shows an appeal deadline (the ``deadline`` filter, the tables)."""
    if not deadline:
        return ""
    when, left = deadline_text(deadline, at=at)
    return format_html(
        '<span class="deadline text-nowrap" data-testid="deadline">{}（<span class="countdown" data-due="{}" '
        'data-warn="{}">{}</span>）</span>',
        when,
        timezone.localtime(deadline).isoformat(),
        warn_seconds,
        left,
    )


def week_text(monday: date) -> str:
    """An assessment week (Monday to Sunday): 11月16日–11月22日; across a year end both dates carry the year."""
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        return f"{monday.year}年{monday.month}月{monday.day}日–{sunday.year}年{sunday.month}月{sunday.day}日"
    return f"{monday.month}月{monday.day}日–{sunday.month}月{sunday.day}日"


_CODE_LABELS: dict[str, object] = {}


def code_labels_register(choices) -> None:
    """Make ``(code, label)`` pairs readable everywhere (called from an app's ``ready``)."""
    for code, label in choices:
        _CODE_LABELS[str(code)] = label


def code_label(code) -> str:
    """A code as people read it (LATE_ACCEPT → 接单超时); an unknown code is shown as it is."""
    return str(_CODE_LABELS.get(str(code), code)) if code not in (None, "") else ""


def sheet_time(moment):
    """An aware datetime as Beijing wall time without zone, the way a spreadsheet cell holds a date and time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None
