"""Waybill number format (运单号): a setting, by default 12–15 digits. Ground floor: the format only; the
uniqueness across orders is the order services' check (and a unique index)."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import WaybillFormatError

# a "\d" inside a bracket (group 1: an unclosed "[" before it) or outside one
_ASCII_DIGIT = re.compile(r"(\[[^\]]*)?\\d")


def waybill_pattern() -> str:
    """The configured format, its ``\\d`` read as an ASCII digit (Python's and the API validator's ``\\d`` also
    match full-width and other scripts' digits, which no scanner prints)."""
    return _ASCII_DIGIT.sub(lambda m: m.group(1) + "0-9" if m.group(1) else "[0-9]", settings.WAYBILL_PATTERN)


def waybill_validate(value: str) -> str:
    """The cleaned waybill number; raises ``WaybillFormatError`` with a Chinese message naming the format."""
    value = (value or "").strip()
    if not value:
        raise WaybillFormatError(_("Enter the waybill number."), field="waybill_no")
    if not value.isascii() or not re.fullmatch(waybill_pattern(), value):
        raise WaybillFormatError(
            _("Waybill number “%(no)s” is not valid: it must be %(format)s.")
            % {"no": value[:40], "format": settings.WAYBILL_FORMAT_LABEL},
            field="waybill_no",
        )
    return value
