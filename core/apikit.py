"""The kit of every app's JSON API: the one error answer (``error``, ``ErrorOut``, ``ERRORS``) and the field types
of the API's schemas (channel API, adapters, tracking feed, CRM), each a constraint that the
OpenAPI document states and the server enforces exactly — no more, no less — so a client (and schemathesis with
every check) can rely on the document: what it allows is accepted, what it forbids answers 422.

- ``Text(n)``: at most ``n`` characters, no control character (the text policy, ``core.textpolicy``: C0 but
  tab/LF/CR, DEL, U+FFFE/U+FFFF; a lone surrogate is refused too, JSON Schema cannot name it). ``Text(n, 1)``
  also needs one character that is not blank (the services strip what they store).
- ``Moment``: an RFC 3339 date-time with the year 2000–2100 (a pattern on the text); without an offset it is
  Beijing time. A number or any other shape is refused, never read as Unix seconds.
- ``HhMm``: a time of day as ``HH:mm``, or empty.
- ``Kilograms``: a weight, 0 … 999,999.99: a JSON number (rounded to the cent) or a decimal text of at most two
  places.
- ``Int(lo, hi)`` and ``Flag``: a JSON integer / boolean (``"1"``, ``0`` for a flag, ``true`` for a number are
  refused — pydantic would coerce them).
- ``Body``: an input object — a JSON object, never a list, string or number in its place."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema, model_validator

from core import clock
from core.textpolicy import schema_text
from core.waybills import waybill_pattern

# the text policy's control characters (core.textpolicy.CONTROL_RE, lone surrogates aside), as JSON Schema names them
CONTROLS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uFFFE\\uFFFF"
NO_CONTROL = f"^[^{CONTROLS}]*$"
# what Python's str.strip() removes (and the services strip), control characters aside
BLANKS = "\\t\\n\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
NOT_BLANK = f"^[^{CONTROLS}]*[^{CONTROLS}{BLANKS}][^{CONTROLS}]*$"

YEARS = "(20[0-9]{2}|2100)"
MOMENT_PATTERN = f"^{YEARS}-"
_MOMENT_RE = re.compile(
    rf"{YEARS}-[0-9]{{2}}-[0-9]{{2}}[Tt][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\.[0-9]+)?([Zz]|[+-][0-9]{{2}}:[0-9]{{2}})?",
    re.ASCII,
)
HHMM = "^(([01][0-9]|2[0-3]):[0-5][0-9])?$"
# an http(s) address with a host name (the callback address of an order)
HTTP_URL = "^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?)?$"


BLANK_TEXT = "must not be blank / 不能为空"


def _text(value: str, *, required: bool, pattern: re.Pattern | None) -> str:
    schema_text(value)  # the text policy: a 422 naming the control character
    if required and not value.strip():
        raise ValueError(BLANK_TEXT)
    if pattern is not None and not pattern.search(value):
        raise ValueError(f"must match {pattern.pattern} / 格式不正确")
    return value


def Text(n: int, min_length: int = 0, *, pattern: str | None = None, description: str | None = None):  # noqa: N802
    """A text of at most ``n`` characters under the text policy; ``min_length=1``: not blank; ``pattern``: a
    further format (a JSON Schema / Python regular expression with its own anchors), replacing the policy's
    pattern in the document (the policy still holds)."""
    required = min_length > 0
    forbidden = {"x-forbidden": "control characters" + (", blank text" if required else "")}
    if pattern is None:
        # the policy's own pattern is enforced by pydantic-core (its regular expressions, no Python call per field:
        # a bulk push has 20,000 texts); a lone surrogate fails its string check. ``policy_message`` words both.
        return Annotated[
            str,
            Field(
                max_length=n,
                min_length=min_length,
                pattern=NOT_BLANK if required else NO_CONTROL,
                description=description,
                json_schema_extra=forbidden,
            ),
        ]
    compiled = re.compile(pattern)
    return Annotated[
        str,
        Field(
            max_length=n,
            min_length=min_length,
            description=description,
            json_schema_extra={"pattern": pattern, **forbidden},
        ),
        AfterValidator(lambda v: _text(v, required=required, pattern=compiled)),
    ]


#: a channel's order id: not blank, no control character and no "/" (the API addresses an order by its id in the
#: path, where a "/", even sent as %2F, splits it: the channel could never query or cancel it)
ORDER_ID = f"^[^/{CONTROLS}]*[^/{CONTROLS}{BLANKS}][^/{CONTROLS}]*$"
NO_SLASH = "must not contain “/” / 不能包含“/”"


#: a new order's id from a channel (64 characters at most), checked by pydantic-core like ``Text``
ChannelOrderId = Annotated[
    str,
    Field(
        max_length=64,
        min_length=1,
        pattern=ORDER_ID,
        json_schema_extra={"x-forbidden": "control characters, blank text, /"},
    ),
]


_POLICY_PATTERNS = frozenset((NO_CONTROL, NOT_BLANK, ORDER_ID))


def policy_message(err: dict) -> str | None:
    """The text policy's wording for a pydantic error of a ``Text`` field (its pattern or a lone surrogate), the
    same as ``_text`` gives; None for any other error. ``err`` is one of ``ValidationError.errors()``, with input."""
    value = err.get("input")
    if not isinstance(value, str):
        return None
    kind = err.get("type")
    if kind == "string_unicode" or (
        kind == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") in _POLICY_PATTERNS
    ):
        try:
            schema_text(value)
        except ValueError as exc:
            return str(exc)
        if kind == "string_pattern_mismatch" and err["ctx"]["pattern"] == ORDER_ID and "/" in value:
            return NO_SLASH
        if kind == "string_pattern_mismatch" and err["ctx"]["pattern"] in (NOT_BLANK, ORDER_ID):
            return BLANK_TEXT
    return None


_ZH = {
    "missing": "必填",
    "extra_forbidden": "不认识的字段",
    "string_type": "须为文本",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限的数字",
    "decimal_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "不得小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "不得大于 {le}",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "datetime_type": "不是有效的时间（如 2026-11-23T10:30:00+08:00）",
    "datetime_parsing": "不是有效的时间（如 2026-11-23T10:30:00+08:00）",
    "datetime_from_date_parsing": "不是有效的时间（如 2026-11-23T10:30:00+08:00）",
    "date_type": "不是有效的日期（如 2026-11-23）",
    "date_parsing": "不是有效的日期（如 2026-11-23）",
    "date_from_datetime_parsing": "不是有效的日期（如 2026-11-23）",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址须以 http:// 或 https:// 开头",
    "string_unicode": "须为有效的 Unicode 文本",
}


def zh_message(err: dict) -> str:
    """A pydantic error (one of ``ValidationError.errors()``) in Chinese, for the ``zh`` of the API's 422: its
    type's wording with the limits it names; an own validator's ``ValueError`` message as it was raised (they are
    written in Chinese, or Chinese and English)."""
    kind = err.get("type", "")
    if kind == "value_error":
        return str((err.get("ctx") or {}).get("error") or err.get("msg", "")).removeprefix("Value error, ")
    wording = _ZH.get(kind)
    if wording is None:
        return "格式不正确"
    ctx = dict(err.get("ctx") or {})
    if "expected" in ctx:  # pydantic lists the choices as "'send' or 'online'"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
    try:
        return wording.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return wording.split("{")[0].rstrip("：: ") or "格式不正确"


def waybill_text():
    """An optional waybill number: the configured format (``WAYBILL_PATTERN``) or empty."""
    core = waybill_pattern().removeprefix("^").removesuffix("$")
    return Text(
        32,
        pattern=f"^({core})?$",
        description="运单号（格式见 WAYBILL_PATTERN），可为空；已被另一订单使用的运单号答 422 waybill_taken / the waybill"
        " number or empty; a number another order already carries is answered 422 waybill_taken",
    )


def sane_time(value: datetime | None) -> datetime | None:
    """A time without offset is Beijing time; the year must be 2000–2100."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, clock.tz())
    if not 2000 <= value.year <= 2100:
        raise ValueError("time must be between 2000 and 2100 / 时间须在 2000–2100 年之间")
    return value


def _moment_text(value):
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _MOMENT_RE.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time of the years 2000–2100 / 须为 2000–2100 年的 RFC 3339 时间")
    return value


MOMENT_DOC = (
    "RFC 3339 时间，年份 2000–2100；无时区即北京时间 / an RFC 3339 date-time, year 2000–2100; without an offset "
    "it is Beijing time"
)
Moment = Annotated[
    datetime | None,
    BeforeValidator(_moment_text),
    AfterValidator(sane_time),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "format": "date-time", "pattern": MOMENT_PATTERN}, {"type": "null"}],
            "description": MOMENT_DOC,
        }
    ),
]
RequiredMoment = Annotated[
    datetime,
    BeforeValidator(_moment_text),
    AfterValidator(sane_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": MOMENT_PATTERN, "description": MOMENT_DOC}),
]

HhMm = Text(5, pattern=HHMM, description="HH:mm（00:00–23:59），可为空 / a time of day or empty")


WEIGHT_TEXT = "^[0-9]{1,6}(\\.[0-9]{1,2})?$"
_WEIGHT_TEXT_RE = re.compile(WEIGHT_TEXT, re.ASCII)


def _json_number(value):
    """A JSON number, or a decimal text of at most two places ("1.5"; what channels have always sent)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        if not _WEIGHT_TEXT_RE.fullmatch(value):
            raise ValueError("must be a number of kilograms (at most 2 decimal places) / 须为公斤数（最多两位小数）")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number / 须为数字")
    return value


def _to_cent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


WEIGHT_MAX = Decimal("999999.99")
WEIGHT_SCHEMA = {
    "anyOf": [{"type": "number", "minimum": 0, "maximum": 999999.99}, {"type": "string", "pattern": WEIGHT_TEXT}],
    "description": "公斤：数字（四舍五入到 0.01）或最多两位小数的数字文本 / kilograms: a number (rounded to "
    "the cent) or a decimal text with at most two places",
}
Kilograms = (
    Annotated[
        Decimal,
        Field(ge=0, le=WEIGHT_MAX),
        BeforeValidator(_json_number),
        AfterValidator(_to_cent),
        WithJsonSchema(WEIGHT_SCHEMA),
    ]
    | None
)


def _json_integer(value):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError("must be an integer / 须为整数")


def Int(lo: int, hi: int):  # noqa: N802 - a type factory
    return Annotated[int, Field(ge=lo, le=hi), BeforeValidator(_json_integer)]


def _json_boolean(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false / 须为 true 或 false")
    return value


Flag = Annotated[bool, BeforeValidator(_json_boolean)]


class Body(Schema):
    """An input object of the API: a JSON object, never a list, string or number in its place (ninja's Schema
    would read attributes off a list and take every default: ``[null,null]`` would cancel an order)."""

    @model_validator(mode="wrap")
    @classmethod
    def _objects_only(cls, values, handler, info):
        if not isinstance(values, (dict, Schema)):
            raise ValueError("must be a JSON object / 须为 JSON 对象")
        return handler(values)


# ---------------------------------------------------------------- the error answer, the same for every API


class Message(Schema):
    zh: str
    en: str


class ErrorBody(Schema):
    code: str
    field: str | None = None
    message: Message


class ErrorOut(Schema):
    error: ErrorBody


# 400: a control character in the path or query, 413: a body past the limit (config.middleware.InputGuardMiddleware)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}

EN = {
    "invalid": "The request is not valid.",
    "waybill_invalid": "The waybill number is not valid.",
    "waybill_taken": "The waybill number is used by another order.",
    "conflict": "The order was already received with other content; send a change instead.",
    "illegal_transition": "Not possible in the order's current state.",
    "order_not_found": "No such order.",
    "order_invalid": "The order could not be changed.",
    "order_busy": "The order is being changed; try again.",
}


def error(code: str, message_zh: str, *, field: str | None = None, message_en: str | None = None) -> dict:
    """The one shape of every refusal of the API: a code, the field concerned, the message in Chinese and English."""
    return {
        "error": {
            "code": code,
            "field": field,
            "message": {"zh": message_zh, "en": message_en or EN.get(code, "The request was refused.")},
        }
    }
