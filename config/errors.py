"""Error tracking: Sentry's SDK (Django, Celery and logging integrations) when ``SENTRY_DSN`` is set.

Nothing personal leaves: no default PII (off by default: no user names, e-mails, IP addresses, cookies), no request bodies, no
local variables of stack frames (an order's sender would be one); Sentry's scrubber empties every value whose key
names a person's data (its default list plus names, phones, addresses, ID numbers, the order's ``sender_*`` and
``receiver_*``), recursively; and ``before_send`` masks mobile numbers and resident ID numbers in every text of the
event — messages, exception values, breadcrumbs — as the logs do (config/logs.py). The user is sent as its id.
Proved by tests/test_errors.py against a local fake endpoint.
"""

from __future__ import annotations

import logging

from .logs import PERSONAL_KEYS, SCRUBBED, scrub_text

PERSONAL_DENYLIST = [
    "name",
    "first_name",
    "last_name",
    "username",
    "phone",
    "mobile",
    "tel",
    "address",
    "email",
    "id_number",
    "idcard",
    "sender_name",
    "sender_phone",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_address",
    "contact",
    "contact_phone",
]


def _clean(value, key: str = ""):
    if key and PERSONAL_KEYS.search(key):
        return SCRUBBED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def before_send(event, hint):
    return _clean(event)


def before_breadcrumb(crumb, hint):
    return _clean(crumb)


def sentry_init(dsn: str, *, environment: str = "production", release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        include_local_variables=False,
        include_source_context=False,  # a line of source may hold a literal (test data, a fixture)
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PERSONAL_DENYLIST, recursive=True),
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0.0,
    )
