"""Stock and e-waybill ranges' refusals. Each class carries its ``code`` and HTTP ``status``; a page shows
its ``message`` through ``core.view_calls.service_call``."""

from core.exceptions import DomainError


class StockError(DomainError):
    code = "stock_invalid"
