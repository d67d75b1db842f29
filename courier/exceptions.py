"""The courier's phone's refusals (sign-in codes, acts). Each class carries its ``code`` and HTTP ``status``."""

from core.exceptions import DomainError


class SignInError(DomainError):
    code = "signin_invalid"


class ActError(DomainError):
    code = "act_invalid"
