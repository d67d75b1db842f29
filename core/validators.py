from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .exceptions import AttachmentRejected


def attachment_name(name: str, limit: int = 200) -> str:
    """An uploaded file's name as kept for its download, cut to ``limit`` characters from the middle of its stem so
    that its extension (what the download's type is read from) survives."""
    name = (name or "").strip() or "file"
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 16:
        return name[:limit]
    return stem[: limit - len(ext) - 1] + "." + ext


def validate_attachment(upload) -> None:
    """Attachments (messages, appeals, work orders): size and type limits from settings."""
    if upload is None:
        return
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("File type .%(ext)s is not accepted; use one of: %(allowed)s.")
            % {"ext": ext or "?", "allowed": ", ".join(settings.ATTACHMENT_EXTENSIONS)}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        )


def attachments_check(files, *, field: str = "files") -> list:
    """The one check of uploaded proof (violations, appeals, work orders): every file, before any is stored.
    Returns the files; raises ``AttachmentRejected`` (a DomainError naming the file) otherwise."""
    files = [f for f in (files or ()) if f is not None]
    for f in files:
        try:
            validate_attachment(f)
        except ValidationError as exc:
            raise AttachmentRejected(f"{f.name}: {' '.join(exc.messages)}", field=field) from None
    return files
