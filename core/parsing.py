"""Safe parsing of what people type into addresses and forms: every helper answers a value inside the desk's
range or the default, never an exception, so a hostile or mistyped query is a page, not a 500.

Dates live between 2000-01-01 and 2100-12-31 (the API's year range): a date outside would overflow the day
arithmetic of the filters (``date + 1 day`` past 9999-12-31) or mean nothing for a courier."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import dateparse, timezone
from django.utils.translation import gettext_lazy as _

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year
PAGE_MAX = 10_000
PER_PAGE_MAX = 500
INT_MAX = 2**31 - 1  # PostgreSQL integer


def is_digits(text: str) -> bool:
    """Whether the text is ASCII digits only. ``str.isdigit`` also says yes to "²", "①", "１２" and "١٢", which
    ``int()`` then refuses or reads as another number."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_int(value, default: int | None = None, *, lo: int | None = None, hi: int | None = None) -> int | None:
    """An integer from text (``"12"``), or the default when it is not one or lies outside [lo, hi]."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text or len(text) > 12 or not is_digits(text.removeprefix("-")):
            return default
        number = int(text)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return default
    return number


def parse_id(value) -> int | None:
    """A database id (positive, fits the column) or None."""
    return parse_int(value, None, lo=1, hi=INT_MAX)


def parse_date(value, default: date | None = None) -> date | None:
    """An ISO date (``2026-11-24``, also ``2026/11/24``) within 2000–2100, or the default."""
    text = str(value or "").strip().replace("/", "-")
    if not text or len(text) > 10:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return default
    return day if DATE_MIN <= day <= DATE_MAX else default


def parse_moment(value, *, date_only: bool = False) -> datetime | None:
    """A time someone typed or sent (``2026-11-23T10:30``, ``2026-11-23 10:30:00``, with or without a zone; with
    ``date_only`` also ``2026-11-23`` and ``2026/11/23``, meaning its midnight) as an aware datetime, Beijing time
    when no zone is given; None when it is not one. A well-formed impossible time (2026-13-45, 2026-02-30, 25:00)
    is None too: Django's ``parse_datetime`` raises on those. Limited to 2000–2100 like the dates."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value if value is not None else "").strip()
        if date_only:
            text = text.replace("/", "-")
        if not text or len(text) > 40:
            return None
        try:
            moment = dateparse.parse_datetime(text)
            if moment is None and date_only:  # 2026-11-23, also 2026-1-5 (as Excel and WPS write dates)
                moment = datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            return None
        if moment is None:
            return None
    if not DATE_MIN <= moment.date() <= DATE_MAX:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, ZoneInfo(settings.TIME_ZONE))
    return moment


def parse_month(value, default: date | None = None) -> date | None:
    """``2026-11`` as the first day of that month, or the default."""
    text = str(value or "").strip()
    return parse_date(text + "-01", default) if len(text) == 7 else default


def parse_year(value, default: int | None = None) -> int | None:
    return parse_int(value, default, lo=YEAR_MIN, hi=YEAR_MAX)


class SaneDateField(forms.DateField):
    """A form date limited to 2000–2100, with the desk's message."""

    default_validators = [
        MinValueValidator(DATE_MIN, message=_("Give a date between 2000-01-01 and 2100-12-31.")),
        MaxValueValidator(DATE_MAX, message=_("Give a date between 2000-01-01 and 2100-12-31.")),
    ]

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 32:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _sane_date_filter():
    class SaneDateFilter(django_filters.DateFilter):
        """django-filter's date filter on ``SaneDateField``: an out-of-range date is a form error (the list
        shows its default window), never an overflow."""

        field_class = SaneDateField

    return SaneDateFilter


SaneDateFilter = _sane_date_filter()
