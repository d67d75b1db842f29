"""The tracking feed's, exceptions' and labels' refusals. Each class carries its ``code`` (for the API) and
HTTP ``status``; a page shows its ``message`` through ``core.view_calls.service_call``."""

from core.exceptions import DomainError


class LogisticsError(DomainError):
    code = "logistics_invalid"


class LabelError(DomainError):
    """A label asked for an order that has no waybill number yet."""

    code = "label_no_waybill"
