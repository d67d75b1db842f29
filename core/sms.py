"""The SMS gateway interface of the alerts: ``settings.ALERT_SMS_BACKEND`` names a class with
``send(numbers, text)`` that raises ``SmsError`` when the gateway refuses. No provider is wired in: the default
backend only writes a log line (the numbers masked: a phone number is personal data), so a province can configure
SMS recipients today and operations swaps in its provider's class by setting."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("q9.sms")


class SmsError(Exception):
    """The gateway did not take the message."""


def masked(number: str) -> str:
    """138****5678: enough for a person to recognise, not a phone number in a log."""
    digits = "".join(c for c in number if c.isdigit())
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


class LoggingBackend:
    """Writes what it would send to the ``q9.sms`` log: the masked numbers and the text."""

    def send(self, numbers: list[str], text: str) -> None:
        log.info("SMS to %s: %s", ", ".join(masked(n) for n in numbers), text)


def backend():
    return import_string(settings.ALERT_SMS_BACKEND)()
