"""Domain errors of the ground floor. Views turn them into a Chinese message, the API into a structured error."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every domain error: ``code`` is stable for APIs, ``message`` is translated for people."""

    code = "domain_error"
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
