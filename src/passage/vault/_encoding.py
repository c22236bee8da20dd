"""Unambiguous byte encodings shared by the vault modules (length prefixes, base64, text)."""

from __future__ import annotations

import base64
import binascii
import unicodedata

from .errors import TamperedError

_MAX_PART = 0xFFFFFFFF


def length_prefixed(*parts: bytes) -> bytes:
    """Concatenate ``parts`` so that no two different tuples give the same bytes.

    Args:
        parts: byte strings, each shorter than 4 GiB.

    Returns:
        Each part preceded by its length as 4 big-endian bytes, after a 4-byte part count.
    """
    out = bytearray(len(parts).to_bytes(4, "big"))
    for part in parts:
        if len(part) > _MAX_PART:
            raise ValueError("part too long to length-prefix")
        out += len(part).to_bytes(4, "big")
        out += part
    return bytes(out)


def b64encode(data: bytes) -> str:
    """Standard base64 with padding, as ASCII text."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: object, *, field: str) -> bytes:
    """Strict base64 decoding for stored headers and protocol messages.

    Args:
        text: the value read from JSON; must be a string of canonical base64.
        field: name used in the error message.

    Returns:
        The decoded bytes.

    Raises:
        TamperedError: ``text`` is not a string or not canonical base64.
    """
    if not isinstance(text, str):
        raise TamperedError(f"{field}: expected base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise TamperedError(f"{field}: invalid base64") from None
    if b64encode(data) != text:
        raise TamperedError(f"{field}: non-canonical base64")
    return data


def normalise_secret(text: str) -> bytes:
    """Encode a passphrase so that the same keystrokes give the same bytes on every system.

    NFC only: composed and decomposed Cyrillic letters (``й`` is one or two code points depending
    on the keyboard) become the same, and nothing else is folded, so no entropy is lost.
    """
    return unicodedata.normalize("NFC", text).encode("utf-8")


def normalise_loose(text: str) -> str:
    """Fold a value for exact-match look-ups: NFKC, casefold, collapse and trim whitespace."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
