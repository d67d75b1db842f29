"""Domain errors of the order lifecycle; views show ``message``, the API returns ``code``/``field``/``message``."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class OrderError(DomainError):
    code = "order_invalid"
    default_message = _("The order could not be changed.")


class IllegalTransition(OrderError):
    code = "illegal_transition"
    default_message = _("This action is not possible in the order's current state.")


class OrderOutOfScope(OrderError):
    code = "order_not_found"
    default_message = _("No such order at your site.")


class WaybillTaken(OrderError):
    code = "waybill_taken"


class ContentConflict(OrderError):
    """The same channel order id arrived again with other content: a conflict, never a silent overwrite."""

    code = "conflict"


class OrderConflict(OrderError):
    """Someone else changed the order at the same moment; nothing was changed by this request."""

    code = "order_busy"
    default_message = _("Another user is changing this order right now; reload and try again.")
