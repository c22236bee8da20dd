"""Taking one file in: type from its first bytes, size limit, encryption as it streams, checks.

:class:`SealedIngest` is the one code path every file takes — the web form, the API, the
benchmark: chunks go straight into the encrypted ``.part`` file (never whole in memory, never in
plaintext on disk), the first bytes decide the type, the limit is checked on every chunk. Any
refusal discards the ``.part`` at once. :func:`inspect` then reads the sealed file back through a
pipe into the sandboxed probe (page, pixel and decompression limits; metadata).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from passage.evidence.sandbox import SandboxError, run_python_module
from passage.evidence.sealer import FileSealer, FileSlot
from passage.evidence.sniff import HEAD_SIZE, FileKind, RefusedTypeError, TextCheck, sniff
from passage.evidence.store import EncryptedStore, PartFile

__all__ = ["REFUSALS", "IntakeRefusedError", "ProbeResult", "SealedIngest", "inspect"]

REFUSALS = {
    "too_large": _("The file is larger than the limit of %(limit)s MB. Nothing was stored."),
    "empty": _("The file is empty. Nothing was stored."),
    "executable": _(
        "This file is a program (an executable or a script), whatever its name says. Programs are never accepted as evidence. Nothing was stored."
    ),
    "archive": _(
        "Archives (ZIP, RAR, 7z, …) are not accepted because they can hide anything. Upload the documents one by one."
    ),
    "legacy_office": _(
        "Old Office files (.doc, .xls, .ppt) are not accepted because they can carry macros. Save the document as PDF or DOCX and upload that."
    ),
    "unknown": _(
        "The type of this file could not be recognised from its content. Accepted: PDF, images, text, Office documents (DOCX, ODT), audio and video."
    ),
    "corrupt": _(
        "The file is damaged and cannot be opened. Nothing was stored; check the original and upload it again."
    ),
    "bomb": _(
        "The file exceeds the safety limits (too many pages or pixels, or data that expands enormously) and was refused. Nothing was stored."
    ),
    "encrypted": _("The PDF is protected by a password. Remove the password, then upload it again."),
    "check_failed": _("The file could not be checked safely in time. Nothing was stored; please try again."),
    "interrupted": _("The upload was interrupted before the file was complete. Nothing was stored; please try again."),
    "no_file": _("Choose a file to upload."),
    "one_file": _("Upload one file at a time."),
}

PROBED_FAMILIES = ("pdf", "image", "office")
PROBE_TIMEOUT_S = 60
PROBE_MEMORY_MB = 1536


class IntakeRefusedError(Exception):
    """A file was refused; ``code`` is a key of :data:`REFUSALS` (no content in it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def message(self, limit_mb: int | None = None) -> str:
        return str(REFUSALS.get(self.code, REFUSALS["unknown"])) % {"limit": limit_mb or ""}


@dataclass(frozen=True)
class ProbeResult:
    pages: int | None = None
    metadata: list[list[str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    page_sizes: list[list[float]] = field(default_factory=list)

    def report_json(self) -> str:
        return json.dumps(
            {"metadata": self.metadata, "flags": self.flags, "page_sizes": self.page_sizes}, ensure_ascii=False
        )


class SealedIngest:
    """Encrypts one incoming file into a locked ``.part`` in ``store``, chunk by chunk.

    Args:
        store: where the file goes.
        sealer: the case's file sealer (wraps the new file key with the case key).
        slot: the file's table, case and (new) record id.
        max_bytes: refuse anything larger (checked on every chunk).
    """

    def __init__(self, store: EncryptedStore, sealer: FileSealer, slot: FileSlot, *, max_bytes: int) -> None:
        self.slot = slot
        self._store = store
        self._sealer = sealer
        self._max_bytes = max_bytes
        self.part: PartFile = store.create(slot.record_id)
        try:
            file_key, self.wrapped_key = sealer.new_key(slot)
            self._writer = sealer.writer(slot, file_key, self.part.handle)
        except BaseException:
            self.part.discard()
            raise
        self._head = bytearray()
        self._text: TextCheck | None = None
        self.kind: FileKind | None = None
        self.size = 0
        self.sha256 = ""
        self.finished = False

    @property
    def record_id(self) -> uuid.UUID:
        return self.slot.record_id

    def _decide(self, *, complete: bool) -> None:
        try:
            self.kind = sniff(bytes(self._head), complete=complete)
        except RefusedTypeError as refused:
            raise IntakeRefusedError(refused.reason) from None
        if self.kind.is_text:
            self._text = TextCheck()
            self._feed_text(bytes(self._head), final=complete)
        self._head = bytearray()

    def _feed_text(self, data: bytes, *, final: bool = False) -> None:
        if self._text is None:
            return
        try:
            self._text.feed(data, final=final)
        except RefusedTypeError as refused:
            raise IntakeRefusedError(refused.reason) from None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Encrypt and write the next chunk.

        Raises:
            IntakeRefusedError: too large, or a refused type (the caller discards).
        """
        self.size += len(data)
        if self.size > self._max_bytes:
            raise IntakeRefusedError("too_large")
        if self.kind is None:
            self._head += data[: max(0, HEAD_SIZE - len(self._head))]
            if len(self._head) >= HEAD_SIZE:
                self._decide(complete=False)
                if self._text is not None and self.size > HEAD_SIZE:
                    self._feed_text(bytes(memoryview(data)[len(data) - (self.size - HEAD_SIZE) :]))
        elif self._text is not None:
            self._feed_text(bytes(data))
        self._writer.write(data)
        self.part.start_writeback()

    def finish(self) -> None:
        """Write the last chunk and flush to disk (the file is still a locked ``.part``).

        Raises:
            IntakeRefusedError: empty, or a refused type.
        """
        if self.size == 0:
            raise IntakeRefusedError("empty")
        if self.kind is None:
            self._decide(complete=True)
        elif self._text is not None:
            self._feed_text(b"", final=True)
        self.sha256, written = self._writer.close()
        if written != self.size:  # cannot happen: every byte counted went to the writer
            raise IntakeRefusedError("interrupted")
        self.part.sync()
        self.finished = True

    def plaintext(self) -> Iterator[bytes]:
        """The written file decrypted again, chunk by chunk (for the probe)."""
        handle = self.part.handle
        handle.seek(0)
        return self._sealer.chunks(self.slot, self.wrapped_key, handle)

    def discard(self) -> None:
        """Forget the file: nothing of it stays on disk (idempotent; not after publishing)."""
        if not self.finished:
            self._writer.abandon()
        if not self.part.published:
            self.part.discard()


def inspect(ingest: SealedIngest) -> ProbeResult:
    """Check the sealed file in the sandboxed probe, if its type has a parser.

    Raises:
        IntakeRefusedError: ``corrupt``, ``bomb``, ``encrypted`` or ``check_failed``.
    """
    if ingest.kind is None:
        raise IntakeRefusedError("unknown")
    if ingest.kind.family not in PROBED_FAMILIES:
        return ProbeResult()
    try:
        output = run_python_module(
            "passage.evidence.probe", [ingest.kind.media_type], ingest.plaintext(),
            timeout=PROBE_TIMEOUT_S, memory_mb=PROBE_MEMORY_MB, max_output=4 << 20,
        )  # fmt: skip
    except SandboxError as error:
        # Killed by the memory limit: treat as a bomb; anything else: could not be checked.
        raise IntakeRefusedError("bomb" if error.reason == "failed" else "check_failed") from None
    try:
        report: dict[str, Any] = json.loads(output)
    except ValueError:
        raise IntakeRefusedError("check_failed") from None
    if not report.get("ok"):
        raise IntakeRefusedError(str(report.get("error") or "corrupt"))
    return ProbeResult(
        pages=report.get("pages"),
        metadata=[[str(k), str(v)] for k, v in report.get("metadata", [])],
        flags=[str(flag) for flag in report.get("flags", [])],
        page_sizes=report.get("page_sizes", []),
    )
