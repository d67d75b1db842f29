"""The rule book's and the money cycle's refusals. Each class carries its ``code`` and HTTP ``status``; a page
shows its ``message`` through ``core.view_calls.service_call``."""

from core.exceptions import DomainError


class PenaltyError(DomainError):
    code = "violation_invalid"


class SettlementRefused(DomainError):
    code = "settlement_refused"


class MoveRefused(DomainError):
    """A violation or appeal move its status does not allow (``penalties.workflow``)."""

    code = "violation_invalid"
