"""Chunked AEAD for files of any size (the STREAM construction with AES-256-GCM).

File layout::

    header  = "PSGSTRM" ‖ version 0x01 ‖ chunk size (u32 BE) ‖ salt (16) ‖ nonce prefix (7)
    chunk_i = AES-256-GCM(subkey, nonce_i, plaintext_i, aad = header ‖ caller aad) ‖ tag (16)
    nonce_i = nonce prefix (7) ‖ i (u32 BE) ‖ 0x01 if this is the last chunk else 0x00
    subkey  = HKDF-SHA256(file key, salt, "passage/stream/v1")

Every chunk but the last holds exactly ``chunk size`` plaintext bytes; the last holds 0 to
``chunk size``. The counter in the nonce fixes each chunk's position, the last-chunk flag makes
truncation at a chunk boundary and appended data fail, and the header in the associated data
makes any header edit fail. The per-stream subkey keeps two files apart even if a caller reuses
a file key by mistake.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, BinaryIO, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import _aead
from .errors import TamperedError, VaultError

__all__ = ["StreamReader", "StreamWriter", "new_file_key"]

MAGIC = b"PSGSTRM"
VERSION = b"\x01"
SALT_SIZE = 16
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + 1 + 4 + SALT_SIZE + PREFIX_SIZE
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 1 << 26  # a forged header must not make the reader allocate gigabytes
_MAX_CHUNKS = 1 << 32
_PARALLEL_HASH_MIN = 64 * 1024  # below this a thread hand-off costs more than it saves
_NOT_LAST, _LAST = b"\x00", b"\x01"


def new_file_key() -> bytes:
    """A fresh random 32-byte key for one file.

    Store it only wrapped: ``data_key.encrypt(file_key, aad=file_aad(...))`` for case files, or
    :func:`~passage.vault.wrap_key_to` on the intake side.
    """
    return _aead.new_key()


def _stream_cipher(key: bytes, salt: bytes) -> AESGCM:
    info = b"passage/stream/v1"
    subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)
    return AESGCM(subkey)


def _readinto_full(src: BinaryIO, buf: bytearray) -> int:
    """Fill ``buf`` from ``src`` until it is full or the stream ends; return the byte count."""
    view = memoryview(buf)
    readinto: Any = getattr(src, "readinto", None)
    filled = 0
    while filled < len(buf):
        if readinto is not None:
            got = readinto(view[filled:])
        else:
            data = src.read(len(buf) - filled)
            got = len(data)
            view[filled : filled + got] = data
        if not got:
            break
        filled += got
    return filled


class StreamWriter:
    """Encrypts a stream chunk by chunk; memory use is about two chunks whatever the file size.

    Use as a context manager or call :meth:`close`. If the ``with`` block raises, the final
    chunk is never written, so the partial output cannot be mistaken for a complete file.
    """

    def __init__(
        self,
        key: bytes,
        out: BinaryIO,
        *,
        aad: bytes,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        """Write the stream header and prepare to encrypt.

        Args:
            key: the file key (32 bytes, from :func:`new_file_key`).
            out: binary stream to write to (not closed by this class).
            aad: associated data binding the file to its record, e.g. ``file_aad(...)``.
            chunk_size: plaintext bytes per chunk (1 to 64 MiB).

        Raises:
            ValueError: bad key length or chunk size.
        """
        _aead.check_key(key, what="file key")
        if type(chunk_size) is not int or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be 1 to {MAX_CHUNK_SIZE} bytes")
        salt = secrets.token_bytes(SALT_SIZE)
        self._prefix = secrets.token_bytes(PREFIX_SIZE)
        header = MAGIC + VERSION + chunk_size.to_bytes(4, "big") + salt + self._prefix
        self._cipher: AESGCM | None = _stream_cipher(key, salt)
        self._aad = header + aad  # the header has a fixed length, so this is unambiguous
        self._out = out
        self._chunk_size = chunk_size
        self._buffer = bytearray(chunk_size)
        self._spare = bytearray(chunk_size)  # filled while the previous chunk is still hashed
        self._filled = 0
        self._sealed_buffer = bytearray(chunk_size + TAG_SIZE)
        self._counter = 0
        self._hash = hashlib.sha256()
        self._hasher: ThreadPoolExecutor | None = None
        self._hashing: Future[None] | None = None
        self._size = 0
        self._write_all(memoryview(header))

    def _write_all(self, view: memoryview) -> None:
        while len(view):
            written = self._out.write(view)
            if written is None:  # non-blocking raw stream: not supported
                raise VaultError("output stream would block")
            view = view[written:]

    def _wait_for_hash(self) -> None:
        pending, self._hashing = self._hashing, None
        if pending is not None:
            pending.result()

    def _emit(self, plaintext: memoryview, *, last: bool, owned: bool) -> None:
        """Hash, encrypt and write one chunk.

        SHA-256 costs far more than AES-GCM here (AES-NI/VAES), so the hash runs on a second
        thread (hashlib releases the GIL for large buffers) while this one encrypts and writes,
        and, for chunks in our own buffers (``owned``), while the caller reads the next chunk.
        At most one hash is pending; memory that is being hashed is only read, and is not
        reused (our buffer) or handed back (caller's memory) until its hash is done.
        """
        if self._cipher is None:
            raise ValueError("stream is closed")
        if self._counter >= _MAX_CHUNKS:
            raise VaultError("file too large for one stream; use a larger chunk size")
        nonce = self._prefix + self._counter.to_bytes(4, "big") + (_LAST if last else _NOT_LAST)
        self._wait_for_hash()  # keeps the hash in chunk order and frees the other buffer
        try:
            if len(plaintext) >= _PARALLEL_HASH_MIN:
                if self._hasher is None:
                    self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-sha256")
                self._hashing = self._hasher.submit(self._hash.update, plaintext)
            else:
                self._hash.update(plaintext)
            sealed = memoryview(self._sealed_buffer)[: len(plaintext) + TAG_SIZE]
            self._cipher.encrypt_into(nonce, plaintext, self._aad, sealed)
            self._write_all(sealed)
        finally:
            if not owned:
                self._wait_for_hash()
        self._counter += 1

    def _next_buffer(self) -> None:
        self._spare, self._buffer = self._buffer, self._spare
        self._filled = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Encrypt and write ``data`` (any size; chunks are emitted as they fill).

        Raises:
            ValueError: the writer is closed.
        """
        if self._cipher is None:
            raise ValueError("stream is closed")
        view = memoryview(data).cast("B")
        self._size += len(view)
        size = self._chunk_size
        while len(view):
            if self._filled == size:  # more data follows, so this chunk is not the last
                self._emit(memoryview(self._buffer), last=False, owned=True)
                self._next_buffer()
            if self._filled == 0 and len(view) > size:  # whole chunk straight from the input
                self._emit(view[:size], last=False, owned=False)
                view = view[size:]
                continue
            take = min(size - self._filled, len(view))
            self._buffer[self._filled : self._filled + take] = view[:take]
            self._filled += take
            view = view[take:]

    def close(self) -> tuple[str, int]:
        """Write the last chunk and flush.

        Returns:
            The SHA-256 of the plaintext (hex) and its size in bytes. The hash identifies the
            plaintext: store it encrypted, never in a plain column (a known document could be
            confirmed by its hash).

        Raises:
            ValueError: already closed.
        """
        try:
            self._emit(memoryview(self._buffer)[: self._filled], last=True, owned=False)
        finally:
            self.abandon()
        flush = getattr(self._out, "flush", None)
        if flush is not None:
            flush()
        return self._hash.hexdigest(), self._size

    def abandon(self) -> None:
        """Stop without the last chunk: what was written will never decrypt as complete."""
        self._cipher = None
        try:
            self._wait_for_hash()
        finally:
            self._buffer = self._spare = bytearray()
        if self._hasher is not None:
            self._hasher.shutdown(wait=True)
            self._hasher = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abandon()
        elif self._cipher is not None:
            self.close()


class StreamReader:
    """Decrypts a stream made by :class:`StreamWriter`, verifying every chunk and the end.

    Iterating yields plaintext chunks, each authenticated before it is yielded. The end of the
    file (truncation, appended bytes) is only verified when the iteration finishes: a consumer
    that writes chunks out as they come must discard its output if iteration raises.
    """

    def __init__(self, key: bytes, src: BinaryIO, *, aad: bytes) -> None:
        """Read and check the stream header.

        Args:
            key: the file key.
            src: binary stream positioned at the start of the encrypted file.
            aad: the associated data given to the writer.

        Raises:
            ValueError: bad key length.
            TamperedError: missing or malformed header.
        """
        _aead.check_key(key, what="file key")
        header = bytearray(HEADER_SIZE)
        if _readinto_full(src, header) != HEADER_SIZE:
            raise TamperedError("encrypted file: truncated header")
        if header[: len(MAGIC)] != MAGIC:
            raise TamperedError("encrypted file: not a Passage stream")
        at = len(MAGIC)
        if header[at : at + 1] != VERSION:
            raise TamperedError("encrypted file: unknown stream version")
        chunk_size = int.from_bytes(header[at + 1 : at + 5], "big")
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise TamperedError("encrypted file: chunk size out of range")
        salt = bytes(header[at + 5 : at + 5 + SALT_SIZE])
        self._prefix = bytes(header[at + 5 + SALT_SIZE :])
        self._cipher = _stream_cipher(key, salt)
        self._aad = bytes(header) + aad
        self._src = src
        self._chunk_size = chunk_size
        self._started = False

    def _open(self, buf: bytearray, length: int, counter: int, *, last: bool) -> bytes:
        if length < TAG_SIZE or counter >= _MAX_CHUNKS:
            raise TamperedError("encrypted file: truncated")
        nonce = self._prefix + counter.to_bytes(4, "big") + (_LAST if last else _NOT_LAST)
        try:
            return self._cipher.decrypt(nonce, memoryview(buf)[:length], self._aad)
        except InvalidTag:
            raise TamperedError(
                f"encrypted file: chunk {counter} failed authentication (modified, reordered, "
                "truncated, extended, or not this record's file)"
            ) from None

    def __iter__(self) -> Iterator[bytes]:
        """Yield the plaintext chunk by chunk.

        Raises:
            TamperedError: any modification, reordering, truncation or extension.
            ValueError: iterated twice.
        """
        if self._started:
            raise ValueError("a StreamReader can be read once")
        self._started = True
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        full = self._chunk_size + TAG_SIZE
        current, following = bytearray(full), bytearray(full)
        length = _readinto_full(self._src, current)
        counter = 0
        while True:
            if length < full:  # a short chunk can only be the last one
                yield self._open(current, length, counter, last=True)
                return
            following_length = _readinto_full(self._src, following)
            if following_length == 0:
                yield self._open(current, length, counter, last=True)
                return
            yield self._open(current, length, counter, last=False)
            current, following = following, current
            length = following_length
            counter += 1

    def read_all(self) -> bytes:
        """The whole plaintext at once (for small files).

        Raises:
            TamperedError: as :meth:`__iter__`.
        """
        return b"".join(self)
