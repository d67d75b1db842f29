"""Work orders' refusals. Each class carries its ``code`` and HTTP ``status`` (the API answers with them); a
page shows its ``message`` through ``core.view_calls.service_call``."""

from core.exceptions import DomainError


class WorkOrderError(DomainError):
    code = "work_order_invalid"


class WorkOrderConflict(WorkOrderError):
    code = "conflict"
    status = 409
