"""Chunked file encryption: round trips, and every kind of tampering is refused."""

from __future__ import annotations

import hashlib
import io
import tracemalloc

import pytest
from hypothesis import given, settings

from passage.vault import StreamReader, StreamWriter, TamperedError, file_aad, new_file_key
from passage.vault.stream import HEADER_SIZE, TAG_SIZE

from .strategies import chunk_sizes, stream_bodies, write_splits

AAD = file_aad("evidence_item", "42")
CHUNK = 16
ON_DISK = CHUNK + TAG_SIZE


def _encrypt(key: bytes, plaintext: bytes, *, chunk_size: int = CHUNK, aad: bytes = AAD) -> bytes:
    out = io.BytesIO()
    with StreamWriter(key, out, aad=aad, chunk_size=chunk_size) as writer:
        writer.write(plaintext)
    return out.getvalue()


def _decrypt(key: bytes, blob: bytes, *, aad: bytes = AAD) -> bytes:
    return StreamReader(key, io.BytesIO(blob), aad=aad).read_all()


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_SIZE:]
    return blob[:HEADER_SIZE], [body[i : i + ON_DISK] for i in range(0, len(body), ON_DISK)]


@pytest.fixture
def key() -> bytes:
    return new_file_key()


@pytest.fixture
def blob(key: bytes) -> bytes:
    """Five chunks on disk: four full, the last one short."""
    return _encrypt(key, bytes(range(70)))


@settings(max_examples=60, deadline=None)
@given(body=stream_bodies, chunk_size=chunk_sizes, splits=write_splits)
def test_it_round_trips_any_size_however_it_is_written(body: bytes, chunk_size: int, splits: list[int]) -> None:
    key = new_file_key()
    out = io.BytesIO()
    writer = StreamWriter(key, out, aad=AAD, chunk_size=chunk_size)
    rest = memoryview(body)
    for split in splits:
        writer.write(rest[:split])
        rest = rest[split:]
    writer.write(rest)
    digest, size = writer.close()
    assert (digest, size) == (hashlib.sha256(body).hexdigest(), len(body))
    chunks = list(StreamReader(key, io.BytesIO(out.getvalue()), aad=AAD))
    assert b"".join(chunks) == body
    assert all(len(chunk) == chunk_size for chunk in chunks[:-1])


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK])
def test_it_handles_chunk_boundaries(key: bytes, size: int) -> None:
    data = b"z" * size
    blob = _encrypt(key, data)
    assert _decrypt(key, blob) == data
    full_chunks = max(1, -(-size // CHUNK))
    assert len(blob) == HEADER_SIZE + size + full_chunks * TAG_SIZE


def test_it_refuses_a_flipped_bit_at_every_position(key: bytes, blob: bytes) -> None:
    for position in range(len(blob)):
        broken = bytearray(blob)
        broken[position] ^= 0x04
        with pytest.raises(TamperedError):
            _decrypt(key, bytes(broken))


def test_it_refuses_truncation_at_every_length(key: bytes, blob: bytes) -> None:
    # Covers cuts at each chunk boundary (the last-chunk flag) and inside chunks and header.
    for length in range(len(blob)):
        with pytest.raises(TamperedError):
            _decrypt(key, blob[:length])


def test_it_refuses_truncation_at_a_chunk_boundary_of_an_exact_multiple(key: bytes) -> None:
    blob = _encrypt(key, b"q" * (4 * CHUNK))
    assert len(blob) == HEADER_SIZE + 4 * ON_DISK
    with pytest.raises(TamperedError, match="chunk 2"):
        _decrypt(key, blob[: HEADER_SIZE + 3 * ON_DISK])


def test_it_refuses_swapped_duplicated_dropped_and_reordered_chunks(key: bytes, blob: bytes) -> None:
    header, chunks = _chunks(blob)
    assert len(chunks) == 5
    variants = {
        "swapped": [chunks[0], chunks[2], chunks[1], chunks[3], chunks[4]],
        "duplicated": [chunks[0], chunks[1], chunks[1], chunks[2], chunks[3], chunks[4]],
        "dropped": [chunks[0], chunks[2], chunks[3], chunks[4]],
        "reversed": list(reversed(chunks)),
        "last moved up": [chunks[0], chunks[4], chunks[1], chunks[2], chunks[3]],
    }
    for name, order in variants.items():
        with pytest.raises(TamperedError):
            _decrypt(key, header + b"".join(order))
        assert name


@pytest.mark.parametrize("extra", [b"\0", b"x" * TAG_SIZE, b"y" * ON_DISK, b"z" * 100])
def test_it_refuses_appended_data(key: bytes, blob: bytes, extra: bytes) -> None:
    with pytest.raises(TamperedError):
        _decrypt(key, blob + extra)


def test_it_refuses_appending_a_valid_chunk_of_the_same_file(key: bytes, blob: bytes) -> None:
    _, chunks = _chunks(blob)
    with pytest.raises(TamperedError):
        _decrypt(key, blob + chunks[-1])


def test_it_refuses_a_file_moved_to_another_record(key: bytes, blob: bytes) -> None:
    with pytest.raises(TamperedError):
        _decrypt(key, blob, aad=file_aad("evidence_item", "43"))


def test_it_refuses_chunks_spliced_from_another_file_under_the_same_key(key: bytes, blob: bytes) -> None:
    header, chunks = _chunks(blob)
    _, other = _chunks(_encrypt(key, bytes(range(70))))
    with pytest.raises(TamperedError):
        _decrypt(key, header + b"".join([chunks[0], other[1], *chunks[2:]]))


def test_it_refuses_the_wrong_key(blob: bytes) -> None:
    with pytest.raises(TamperedError):
        _decrypt(new_file_key(), blob)


@pytest.mark.parametrize(
    "header",
    [
        b"",
        b"PSGSTRM",
        b"NOTPSG!\x01" + bytes(27),
        b"PSGSTRM\x02" + bytes(27),
        b"PSGSTRM\x01" + (1 << 30).to_bytes(4, "big") + bytes(23),
    ],
)
def test_it_refuses_bad_headers_before_reading_chunks(key: bytes, header: bytes) -> None:
    with pytest.raises(TamperedError):
        StreamReader(key, io.BytesIO(header + bytes(64)), aad=AAD)


def test_an_aborted_write_never_reads_as_complete(key: bytes) -> None:
    out = io.BytesIO()
    with pytest.raises(RuntimeError), StreamWriter(key, out, aad=AAD, chunk_size=CHUNK) as writer:
        writer.write(b"a" * 40)
        raise RuntimeError("upload interrupted")
    with pytest.raises(TamperedError):
        _decrypt(key, out.getvalue())
    with pytest.raises(ValueError):
        writer.write(b"more")


def test_a_reader_reads_once_and_the_writer_closes_once(key: bytes, blob: bytes) -> None:
    reader = StreamReader(key, io.BytesIO(blob), aad=AAD)
    reader.read_all()
    with pytest.raises(ValueError):
        reader.read_all()
    writer = StreamWriter(key, io.BytesIO(), aad=AAD)
    writer.close()
    with pytest.raises(ValueError):
        writer.close()


def test_it_reads_from_streams_without_readinto(key: bytes, blob: bytes) -> None:
    class Trickle:
        """Returns at most 7 bytes per read, like a slow socket."""

        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def read(self, size: int = -1) -> bytes:
            return self._data.read(min(size, 7))

    assert StreamReader(key, Trickle(blob), aad=AAD).read_all() == bytes(range(70))  # type: ignore[arg-type]


def test_it_refuses_bad_keys_and_chunk_sizes() -> None:
    with pytest.raises(ValueError):
        StreamWriter(b"short", io.BytesIO(), aad=AAD)
    with pytest.raises(ValueError):
        StreamWriter(new_file_key(), io.BytesIO(), aad=AAD, chunk_size=0)


def test_memory_stays_near_one_chunk_whatever_the_file_size(key: bytes) -> None:
    class Sink(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            return len(memoryview(data))  # type: ignore[arg-type]

    piece = b"\x5a" * (64 * 1024)
    tracemalloc.start()
    try:
        writer = StreamWriter(key, Sink(), aad=AAD, chunk_size=64 * 1024)  # type: ignore[arg-type]
        for _ in range(256):  # 16 MiB in total
            writer.write(piece)
        writer.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


@pytest.mark.parametrize("piece_size", [1000, 64 * 1024, 64 * 1024 + 1, 200 * 1024])
def test_hashing_on_the_side_thread_is_exact_when_callers_reuse_their_buffer(key: bytes, piece_size: int) -> None:
    # Big chunks are hashed on a second thread; the caller below overwrites its buffer as soon
    # as write() returns, so a hash still reading it would come out wrong.
    chunk_size = 64 * 1024
    reused = bytearray(piece_size)
    expected, out = hashlib.sha256(), io.BytesIO()
    writer = StreamWriter(key, out, aad=AAD, chunk_size=chunk_size)
    for round_number in range(12):
        reused[:] = bytes([round_number]) * piece_size
        expected.update(reused)
        writer.write(reused)
    digest, size = writer.close()
    assert (digest, size) == (expected.hexdigest(), 12 * piece_size)
    plaintext = _decrypt(key, out.getvalue())
    assert hashlib.sha256(plaintext).hexdigest() == digest
