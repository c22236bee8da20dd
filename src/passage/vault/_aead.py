"""AES-256-GCM blobs with a public prefix: ``prefix ‖ nonce(12) ‖ ciphertext ‖ tag(16)``.

The prefix (format version, key version, ...) is authenticated as part of the associated data,
so it cannot be changed without detection; the caller's associated data follows it.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import TamperedError

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16


def new_key() -> bytes:
    """Return 32 random bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_SIZE)


def check_key(key: bytes | bytearray, *, what: str = "key") -> None:
    """Raise ``ValueError`` unless ``key`` is 32 bytes (an AES-256 key)."""
    if len(key) != KEY_SIZE:
        raise ValueError(f"{what} must be {KEY_SIZE} bytes")


def encrypt(aead: AESGCM, plaintext: bytes, *, prefix: bytes, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` under a random nonce.

    Args:
        aead: the cipher object (holds the key).
        plaintext: bytes to protect.
        prefix: public bytes written first and authenticated.
        aad: caller's associated data, authenticated but not stored.

    Returns:
        ``prefix ‖ nonce ‖ ciphertext ‖ tag``.
    """
    nonce = secrets.token_bytes(NONCE_SIZE)
    return prefix + nonce + aead.encrypt(nonce, plaintext, prefix + aad)


def decrypt(aead: AESGCM, blob: bytes, *, prefix: bytes, aad: bytes, what: str) -> bytes:
    """Check the prefix and authenticate and decrypt a blob made by :func:`encrypt`.

    Args:
        aead: the cipher object (holds the key).
        blob: the stored bytes.
        prefix: the exact prefix expected.
        aad: the caller's associated data, as given to :func:`encrypt`.
        what: a short non-sensitive name for error messages.

    Returns:
        The plaintext.

    Raises:
        TamperedError: wrong prefix, too short, or authentication failed (wrong key, wrong
            associated data, or modified bytes).
    """
    if len(blob) < len(prefix) + NONCE_SIZE + TAG_SIZE:
        raise TamperedError(f"{what}: too short")
    if blob[: len(prefix)] != prefix:
        raise TamperedError(f"{what}: unknown format or key version")
    start = len(prefix)
    nonce = blob[start : start + NONCE_SIZE]
    try:
        return aead.decrypt(nonce, blob[start + NONCE_SIZE :], prefix + aad)
    except InvalidTag:
        raise TamperedError(f"{what}: authentication failed") from None
