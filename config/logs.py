"""Logs: one JSON object per line (structlog over the standard library's logging, so Django's, Celery's and our own
loggers all print the same way), each with the request id of the request it belongs to — or of the request that
started the Celery task it belongs to — and the user (id and role) and site (id) of that request.

No personal data in any line: the desk never logs names, phones or addresses on purpose (a user is its id, a site
its code, a request its path without the query), and ``scrub`` below removes what slips through anyway — values of
personal keys (``name``, ``phone``, ``address``, ``sender_*``, ``receiver_*``…), and anything shaped like a mobile
number or a resident ID number in any text, tracebacks included. Proved by tests/test_logs.py.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars, reset_contextvars

REQUEST_ID_HEADER = "X-Request-ID"
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PERSONAL_KEYS = re.compile(r"(^|_)(name|phone|mobile|tel|address|addr|id_number|idcard|email)$")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
SCRUBBED = "[scrubbed]"

logger = logging.getLogger("q9")


def scrub_text(text: str) -> str:
    return ID_NUMBER.sub("[id-number]", MOBILE.sub("[phone]", text))


def scrub(_logger, _method, event_dict: dict) -> dict:
    """The last processor before rendering: personal keys emptied, phones and ID numbers masked in every text."""
    for key, value in list(event_dict.items()):
        if PERSONAL_KEYS.search(key) and key not in ("logger_name",):
            event_dict[key] = SCRUBBED
        elif isinstance(value, str):
            event_dict[key] = scrub_text(value)
        elif isinstance(value, (dict, list, tuple)):
            event_dict[key] = scrub_text(repr(value))
    return event_dict


_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(level: str) -> dict:
    """settings.LOGGING: every record through structlog's formatter, rendered as one JSON line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    scrub,
                    structlog.processors.JSONRenderer(ensure_ascii=False),
                ],
                "foreign_pre_chain": _PRE_CHAIN,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[*_PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


configure_structlog()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Binds the request id (the caller's ``X-Request-ID`` when it is a plain token, else a new one), the user and
    the site to every log line of the request, answers the id in ``X-Request-ID``, and logs one line per request:
    method, path (never the query: searches carry phones and names), view, status, milliseconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _GIVEN_ID.match(given) else new_request_id()
        clear_contextvars()
        bind_contextvars(request_id=request_id)
        request.request_id = request_id
        started = time.perf_counter()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # the site by its id, read from the user row already loaded (its code would cost a query a request)
            bind_contextvars(user_id=user.pk, role=user.role or "", site_id=getattr(user, "site_id", None))
        response = None
        try:
            response = self.get_response(request)
        finally:
            match = getattr(request, "resolver_match", None)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": match.view_name if match else "",
                    "status": response.status_code if response is not None else 500,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            clear_contextvars()
        response[REQUEST_ID_HEADER] = request_id
        return response


# ------------------------------------------------------------------------------ Celery: the id follows the task


def task_published(headers: dict) -> None:
    """before_task_publish: the publishing request's (or task's) id rides in the message's headers."""
    request_id = get_contextvars().get("request_id")
    if request_id and headers is not None:
        headers.setdefault("q9_request_id", request_id)


_tokens: dict[str, dict] = {}


def task_started(task, task_id: str) -> None:
    """task_prerun: the id from the message's headers (a task run in-process keeps the id of its caller)."""
    request = getattr(task, "request", None)
    request_id = getattr(request, "q9_request_id", None) or (getattr(request, "headers", None) or {}).get(
        "q9_request_id"
    )
    request_id = request_id or get_contextvars().get("request_id") or new_request_id()
    _tokens[task_id] = bind_contextvars(request_id=request_id, task=task.name, task_id=task_id)
    logger.info("task started")


def task_finished(task_id: str, state: str | None, seconds: float | None) -> None:
    logger.info("task finished", extra={"state": state or "", "seconds": round(seconds or 0.0, 3)})
    tokens = _tokens.pop(task_id, None)
    if tokens:
        reset_contextvars(**tokens)
