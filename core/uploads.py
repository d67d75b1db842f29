"""Uploads over the limit are refused before a byte of them is stored: ``LimitedUploadHandler`` comes first among
``FILE_UPLOAD_HANDLERS``, so the handlers that keep a file in memory or write it to a temporary file on disk
never see more than ``UPLOAD_MAX_BYTES`` — a request that declares more (file, fields and boundaries) is refused
at its first file, before any handler opens one; a stream that grows past the limit at the chunk that crosses
it. The page then says so (``too_large(request)``)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class LimitedUploadHandler(FileUploadHandler):
    declared = None
    received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 - Django's
        self.declared = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.declared and self.declared > settings.UPLOAD_MAX_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file

    def _refuse(self):
        if self.request is not None:
            self.request.q9_upload_too_large = True
        raise SkipFile


def too_large(request) -> bool:
    """A file of this request was refused for its size (read ``request.FILES`` first)."""
    return getattr(request, "q9_upload_too_large", False)
