"""A Django upload handler that streams the file into :class:`SealedIngest`.

Set it on ``request.upload_handlers`` before anything reads the body (the view is
``csrf_exempt`` and runs ``csrf_protect`` itself after installing it, as Django's documentation
describes). It replaces Django's memory and temporary-file handlers, so the plaintext never
lands in a temporary file; only one file field is accepted. A refusal (size, type) stops
writing at once and deletes the ``.part``; the rest of that file's bytes are read and dropped
(bounded by the ``Content-Length`` check made before parsing) so the page can say why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.http import HttpRequest

from passage.evidence.intake import IntakeRefusedError, SealedIngest

__all__ = ["FORM_OVERHEAD_BYTES", "EncryptedUpload", "EncryptingUploadHandler", "body_too_large"]

# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD_BYTES = 256 * 1024


def body_too_large(request: HttpRequest, max_bytes: int) -> bool:
    """True when the declared body cannot hold an acceptable file (refuse before reading it)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > max_bytes + FORM_OVERHEAD_BYTES


class EncryptedUpload(UploadedFile):
    """What ``request.FILES`` holds: a name, a size and the detected type; no readable content."""

    def __init__(self, ingest: SealedIngest, name: str) -> None:
        media_type = ingest.kind.media_type if ingest.kind is not None else "application/octet-stream"
        super().__init__(file=None, name=name, content_type=media_type, size=ingest.size)
        self.ingest = ingest

    def open(self, mode: str | None = None) -> Any:  # pragma: no cover - never read in the clear
        raise OSError("an encrypted upload cannot be opened as a plain file")


class EncryptingUploadHandler(FileUploadHandler):
    """Streams the one file of field ``field_name`` into a fresh :class:`SealedIngest`.

    Args:
        request: the request being parsed.
        open_ingest: makes the ingest for the file (binds it to its case and a new record id).
        field_name: the form field that carries the file.
    """

    chunk_size = 1 << 20

    def __init__(self, request: HttpRequest, open_ingest: Callable[[], SealedIngest], field_name: str = "file") -> None:
        super().__init__(request)
        self._open_ingest = open_ingest
        self._field_name = field_name
        self.ingest: SealedIngest | None = None
        self.refusal: str | None = None
        self._receiving = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self._field_name:
            raise SkipFile
        if self.ingest is not None or self.refusal is not None:
            self.refusal = self.refusal or "one_file"
            self.discard()
            raise SkipFile
        self.ingest = self._open_ingest()
        self._receiving = True
        raise StopFutureHandlers

    def _refuse(self, code: str) -> None:
        self.refusal = code
        self._receiving = False
        self.discard()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self._receiving or self.ingest is None:
            raise SkipFile
        try:
            self.ingest.write(raw_data)
        except IntakeRefusedError as refused:
            self._refuse(refused.code)
            raise SkipFile from None
        return None

    def file_complete(self, file_size: int) -> EncryptedUpload | None:
        if not self._receiving or self.ingest is None:
            return None
        self._receiving = False
        try:
            self.ingest.finish()
        except IntakeRefusedError as refused:
            self._refuse(refused.code)
            return None
        return EncryptedUpload(self.ingest, self.file_name or "upload")

    def upload_interrupted(self) -> None:
        if self._receiving:
            self._refuse("interrupted")

    def discard(self) -> None:
        """Delete whatever was written and not published (safe to call at any time)."""
        if self.ingest is not None:
            self.ingest.discard()
            self.ingest = None
