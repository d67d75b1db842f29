"""Accounts' and service areas' refusals. Each class carries its ``code`` and HTTP ``status``; a page shows
its ``message`` through ``core.view_calls.service_call``."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class AccountError(DomainError):
    code = "account_invalid"
    default_message = _("The account could not be changed.")


class AreaError(DomainError):
    code = "area_invalid"
