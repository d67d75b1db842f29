"""Errors of the order lifecycle, the channel API and imports. Each class carries its ``code`` and HTTP ``status``
(``config/api.py`` answers with them); a page shows ``message`` through ``core.view_calls.service_call``."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class OrderError(DomainError):
    code = "order_invalid"
    default_message = _("The order could not be changed.")


class IllegalTransition(OrderError):
    code = "illegal_transition"
    status = 409
    default_message = _("This action is not possible in the order's current state.")


class OrderOutOfScope(OrderError):
    code = "order_not_found"
    default_message = _("No such order at your site.")


class WaybillTaken(OrderError):
    code = "waybill_taken"


class ContentConflict(OrderError):
    """The same channel order id arrived again with other content: a conflict, never a silent overwrite."""

    code = "conflict"
    status = 409


class OrderConflict(OrderError):
    """Someone else changed the order at the same moment; nothing was changed by this request."""

    code = "order_busy"
    status = 409
    default_message = _("Another user is changing this order right now; reload and try again.")


class CallbackUrlRefused(OrderError):
    code = "callback_url_refused"


class ClientKindError(DomainError):
    """A signed client of another kind (a scanner's key pushing orders): the endpoint is not for it."""

    code = "client_kind"
    status = 403


class AdapterError(DomainError):
    """A channel's own payload (Kuaidi100, WeChat) that its adapter cannot read, in the channel's field names."""

    code = "invalid"

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


class SenderIdError(OrderError):
    """A sender's identity document (实名收寄) that is not one (``orders.sender_id``)."""

    code = "sender_id_invalid"
