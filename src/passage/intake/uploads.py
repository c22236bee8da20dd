"""Files sent through the portal: encrypted chunk by chunk as they arrive, never whole, never plain.

:class:`SealingUploadHandler` replaces Django's upload handlers for the portal's upload views
(set before the body is read). For each file it checks the first bytes against the allowed
types (the name's extension must agree with what the bytes are), opens a new file in the
intake store, and streams every chunk through a :class:`~passage.vault.StreamWriter` under a
fresh file key; the file key is sealed to the office public key. Nothing plain reaches the disk:
no temporary file, no memory copy of the whole file (one 64 KiB chunk at a time).
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from passage.intake.keys import upload_key_aad
from passage.vault import StreamWriter, new_file_key, wrap_key_to

__all__ = ["ALLOWED", "IntakeStore", "ReceivedFile", "SealingUploadHandler", "sniff"]

# type id: (label shown to people, extensions the name may have)
ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("PDF", (".pdf",)),
    "jpeg": ("JPEG", (".jpg", ".jpeg", ".jfif")),
    "png": ("PNG", (".png",)),
    "webp": ("WebP", (".webp",)),
    "heic": ("HEIC", (".heic", ".heif")),
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_SNIFF_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The type id the first bytes of a file show, or None if it is not an allowed type."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    return None


def clean_name(name: str) -> str:
    """The file's name as people see it: no path, no control characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return (base or "file")[-120:]


class IntakeStore:
    """The folder of encrypted intake files; every path is confined to it."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or settings.PASSAGE.media_dir / "intake").resolve()

    def path_for(self, public_id: uuid.UUID) -> Path:
        if not isinstance(public_id, uuid.UUID):
            raise ValueError("intake files are named by UUID")
        path = self.root / f"{public_id.hex}.psg"
        if path.parent != self.root:
            raise ValueError("path outside the intake store")
        return path

    def create(self, public_id: uuid.UUID) -> BinaryIO:
        """A new file, only for this user; refuses to follow links or overwrite."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(self.path_for(public_id), flags, 0o600)
        return os.fdopen(descriptor, "wb")

    def open(self, public_id: uuid.UUID) -> BinaryIO:
        descriptor = os.open(self.path_for(public_id), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(descriptor, "rb")

    def delete(self, public_id: uuid.UUID) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(public_id).unlink()

    def size(self, public_id: uuid.UUID) -> int:
        return self.path_for(public_id).stat().st_size


@dataclass
class ReceivedFile:
    """One file the handler stored encrypted; the view decides whether to keep it."""

    public_id: uuid.UUID
    name: str
    kind: str
    size: int
    sha256: str
    stored_size: int
    wrapped_key: bytes = field(repr=False)


@dataclass
class Rejected:
    name: str
    reason: str  # "type" | "size" | "count" | "empty"


class _SealedMarker(UploadedFile):
    """What Django puts in ``request.FILES``: a name and a size, never the content."""

    def __init__(self, received: ReceivedFile) -> None:
        super().__init__(file=None, name=received.name, content_type="application/octet-stream", size=received.size)
        self.received = received


class SealingUploadHandler(FileUploadHandler):
    """Encrypt each uploaded file to the office key as it streams in.

    Args:
        public_key: the office public key.
        max_bytes: largest plaintext size accepted per file.
        max_files: how many files this request may store.
        store: where the encrypted files go.
    """

    chunk_size = 64 * 1024

    def __init__(
        self,
        public_key: X25519PublicKey,
        *,
        max_bytes: int,
        max_files: int,
        store: IntakeStore | None = None,
        request: Any = None,
    ) -> None:
        super().__init__(request)
        self.public_key = public_key
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.store = store or IntakeStore()
        self.received: list[ReceivedFile] = []
        self.rejected: list[Rejected] = []
        self._kept: set[uuid.UUID] = set()
        self._reset()

    def _reset(self) -> None:
        self._writer: StreamWriter | None = None
        self._out: BinaryIO | None = None
        self._public_id: uuid.UUID | None = None
        self._wrapped: bytes = b""
        self._checked = False
        self._skip = False
        self._name = ""
        self._kind = ""

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._reset()
        self._name = clean_name(file_name or "")
        if len(self.received) >= self.max_files:
            self._reject("count")

    def _reject(self, reason: str) -> None:
        self.rejected.append(Rejected(self._name, reason))
        self._skip = True
        self._discard_current()

    def _discard_current(self) -> None:
        if self._writer is not None:
            self._writer.abandon()
        if self._out is not None:
            self._out.close()
        if self._public_id is not None:
            self.store.delete(self._public_id)
        self._writer = self._out = None
        self._public_id = None

    def _begin(self, head: bytes) -> None:
        kind = sniff(head[:_SNIFF_BYTES])
        extension = os.path.splitext(self._name)[1].lower()
        if kind is None or extension not in ALLOWED[kind][1]:
            self._reject("type")  # unknown bytes, or bytes that do not match the name: disguised
            return
        self._kind = kind
        self._public_id = uuid.uuid4()
        file_key = new_file_key()
        aad = upload_key_aad(self._public_id)
        self._wrapped = wrap_key_to(self.public_key, file_key, aad=aad)
        self._out = self.store.create(self._public_id)
        self._writer = StreamWriter(file_key, self._out, aad=aad)
        del file_key

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self._skip:
            return None
        if start + len(raw_data) > self.max_bytes:
            self._reject("size")
            return None
        if not self._checked:
            self._checked = True
            if len(raw_data) < _SNIFF_BYTES:
                self._reject("type")
                return None
            self._begin(raw_data)
            if self._skip:
                return None
        if self._writer is None:
            return None
        self._writer.write(raw_data)
        return None  # nothing for later handlers: the plaintext chunk goes no further

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self._skip:
            return None
        if self._writer is None or self._out is None or self._public_id is None:
            self.rejected.append(Rejected(self._name, "empty"))
            return None
        digest, size = self._writer.close()
        self._out.close()
        received = ReceivedFile(
            public_id=self._public_id,
            name=self._name,
            kind=self._kind,
            size=size,
            sha256=digest,
            stored_size=self.store.size(self._public_id),
            wrapped_key=self._wrapped,
        )
        self.received.append(received)
        self._writer = self._out = None
        self._public_id = None
        return _SealedMarker(received)

    def upload_interrupted(self) -> None:
        self._discard_current()

    def keep(self, public_id: uuid.UUID) -> None:
        """The view stored a row for this file: do not delete it at the end of the request."""
        self._kept.add(public_id)

    def discard_unkept(self) -> None:
        """Delete every file of this request that no row refers to (CSRF failure, limits, errors)."""
        self._discard_current()
        for received in self.received:
            if received.public_id not in self._kept:
                self.store.delete(received.public_id)
