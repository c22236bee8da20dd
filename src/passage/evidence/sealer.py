"""Per-file keys wrapped by a case's data key, and verified reading.

Each file gets its own random key. The key is stored only wrapped by the case's data key, bound
to the file's record and case, so crypto-shredding the case key destroys every file of the case,
and a file (or a wrapped key) moved to another record or case fails authentication. The file
itself is a STREAM of AES-256-GCM chunks (:mod:`passage.vault.stream`): a flipped byte, a
truncation, swapped chunks or another file's bytes all raise :class:`TamperedError`.

The plaintext SHA-256 recorded at intake is checked again on every read; a mismatch is tampering
too. Readers that pass data on as it comes (downloads) hold back the last chunk until the whole
file has been authenticated and its hash compared, so a client never receives a complete copy of
a file that fails either check.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from passage.vault import DataKey, StreamReader, StreamWriter, TamperedError, file_aad, new_file_key

__all__ = ["DigestMismatchError", "FileSealer", "FileSlot", "MissingFileError", "TamperedError", "verified_chunks"]


class DigestMismatchError(TamperedError):
    """The file decrypts and authenticates, but its SHA-256 is not the one recorded at intake."""


class MissingFileError(TamperedError):
    """The record says the file exists, but the store has no such file."""


@dataclass(frozen=True)
class FileSlot:
    """Where one encrypted file belongs: its record's table, its case and its record id."""

    table: str
    case_id: uuid.UUID
    record_id: uuid.UUID

    def _row(self) -> str:
        return f"{self.case_id}:{self.record_id}"

    def content_aad(self) -> bytes:
        return file_aad(self.table, self._row(), "content")

    def key_aad(self) -> bytes:
        return file_aad(self.table, self._row(), "key")


class FileSealer:
    """Seals and opens the files of one case.

    Args:
        data_key: the case's data key (from ``case_cipher(case_id).data_key``).
    """

    def __init__(self, data_key: DataKey) -> None:
        self._data_key = data_key

    def new_key(self, slot: FileSlot) -> tuple[bytes, bytes]:
        """A fresh file key and its wrapped form (to store in the record)."""
        key = new_file_key()
        return key, self._data_key.encrypt(key, aad=slot.key_aad())

    def unwrap(self, slot: FileSlot, wrapped: bytes) -> bytes:
        """The file key of ``slot``.

        Raises:
            TamperedError: the wrapped key is not this record's, or was changed.
        """
        return self._data_key.decrypt(bytes(wrapped), aad=slot.key_aad())

    def writer(self, slot: FileSlot, file_key: bytes, out: BinaryIO) -> StreamWriter:
        """A :class:`StreamWriter` for ``slot``; ``close()`` returns (sha256 hex, size)."""
        return StreamWriter(file_key, out, aad=slot.content_aad())

    def chunks(self, slot: FileSlot, wrapped: bytes, src: BinaryIO) -> Iterator[bytes]:
        """Authenticated plaintext chunks (see :class:`StreamReader` about the end check)."""
        return iter(StreamReader(self.unwrap(slot, wrapped), src, aad=slot.content_aad()))


def verified_chunks(chunks: Iterable[bytes], expected_sha256: str, expected_size: int | None = None) -> Iterator[bytes]:
    """Pass chunks on, holding back the last one until the hash (and size) have been checked.

    Raises:
        TamperedError: from the decryption, or :class:`DigestMismatchError` at the end.
    """
    digest = hashlib.sha256()
    size = 0
    held: bytes | None = None
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if held is not None:
            yield held
        held = chunk
    if not hmac.compare_digest(digest.hexdigest(), expected_sha256) or (
        expected_size is not None and size != expected_size
    ):
        raise DigestMismatchError("the file's SHA-256 differs from the one recorded at intake")
    if held:
        yield held


def digest_of(chunks: Iterable[bytes]) -> tuple[str, int]:
    """SHA-256 (hex) and size of a stream of chunks."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
