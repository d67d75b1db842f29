"""Errors of the ground floor, and the one shape every app's errors take.

Every refusal a service makes is a ``DomainError`` declared in its app's ``exceptions.py``: the class carries its
stable ``code`` and the HTTP ``status`` the API answers with (``config/api.py`` reads it from the class), the
instance a translated ``message`` and, where one field is to blame, its ``field``. A page shows the message through
``core.view_calls.service_call``; no view catches a ``DomainError`` itself."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every domain error: ``code`` is stable for APIs, ``status`` is the API's HTTP answer (422: the request
    is understood and refused), ``message`` is translated for people."""

    code = "domain_error"
    status = 422
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class MessageError(DomainError):
    code = "message_invalid"
    default_message = _("The message could not be sent.")


class AttachmentRejected(DomainError):
    code = "attachment_invalid"
    default_message = _("The attachment is not accepted.")


class TextError(DomainError):
    code = "text_invalid"
    default_message = _("The text is not accepted.")


class WaybillFormatError(DomainError):
    code = "waybill_invalid"


class CourierError(DomainError):
    code = "courier_invalid"


class SignatureError(Exception):
    """A request the API cannot attribute to a client (no key, a bad signature, a replay): never a domain refusal,
    so not a ``DomainError``; worded in both languages by ``core.signing``."""

    status = 401

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


class ImportFileError(DomainError):
    """A file that cannot be read as a whole (its type, size, encoding, shape): nothing of it is checked row by
    row."""

    code = "import_file_invalid"

    def __init__(self, message=None, *, field: str | None = "file"):
        super().__init__(message, field=field)


class AlertChannelError(DomainError):
    code = "alert_channel_invalid"
    default_message = _("The alert channel is not accepted.")


class SecondFactorError(DomainError):
    code = "second_factor_refused"
    status = 403
    default_message = _("The code is not right.")
