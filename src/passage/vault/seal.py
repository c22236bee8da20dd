"""Encryption to a public key, for writers that must not be able to read back (the intake).

Blob layout: ``0x01 ‖ ephemeral X25519 public key (32) ‖ AES-256-GCM ciphertext ‖ tag``. The
AES key and nonce come from HKDF-SHA256 over the X25519 shared secret, with both public keys and
a purpose label in the HKDF info. Each blob has its own ephemeral key, so the nonce never
repeats under a key. The sender forgets the ephemeral private key at once, so whoever holds
only the public key (the intake server, or anyone who seizes it) cannot open what it sealed.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ._encoding import length_prefixed
from .errors import TamperedError

__all__ = ["open_sealed", "seal_to", "unwrap_key_with", "wrap_key_to"]

_FORMAT = b"\x01"
_DATA_LABEL = b"passage/seal/data/v1"
_KEY_LABEL = b"passage/seal/file-key/v1"
_PUBLIC_SIZE = 32
_TAG_SIZE = 16


def _derive(shared: bytes, label: bytes, ephemeral: bytes, recipient: bytes) -> tuple[AESGCM, bytes]:
    info = length_prefixed(label, ephemeral, recipient)
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=None, info=info).derive(shared)
    return AESGCM(okm[:32]), okm[32:]


def _seal(public_key: X25519PublicKey, plaintext: bytes, aad: bytes, label: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    recipient = public_key.public_bytes_raw()
    cipher, nonce = _derive(ephemeral.exchange(public_key), label, ephemeral_public, recipient)
    prefix = _FORMAT + ephemeral_public
    return prefix + cipher.encrypt(nonce, plaintext, prefix + aad)


def _open(private_key: X25519PrivateKey, blob: bytes, aad: bytes, label: bytes) -> bytes:
    if len(blob) < 1 + _PUBLIC_SIZE + _TAG_SIZE or blob[:1] != _FORMAT:
        raise TamperedError("sealed blob: unknown format or truncated")
    ephemeral_public = blob[1 : 1 + _PUBLIC_SIZE]
    recipient = private_key.public_key().public_bytes_raw()
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:  # low-order point: the shared secret would be all zeros
        raise TamperedError("sealed blob: invalid ephemeral key") from None
    cipher, nonce = _derive(shared, label, ephemeral_public, recipient)
    prefix = blob[: 1 + _PUBLIC_SIZE]
    try:
        return cipher.decrypt(nonce, blob[1 + _PUBLIC_SIZE :], prefix + aad)
    except InvalidTag:
        raise TamperedError(
            "sealed blob: cannot open (another recipient's key, other associated data, or modified)"
        ) from None


def seal_to(public_key: X25519PublicKey, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt to the holder of ``public_key``'s private key.

    Args:
        public_key: recipient, e.g. ``header.office_public()`` or a person's reply key.
        plaintext: the data (held in memory; for files use :func:`wrap_key_to` and a stream).
        aad: associated data binding the blob to where it is stored.

    Returns:
        The sealed blob.
    """
    return _seal(public_key, plaintext, aad, _DATA_LABEL)


def open_sealed(private_key: X25519PrivateKey, blob: bytes, *, aad: bytes) -> bytes:
    """Open a blob made by :func:`seal_to`.

    Args:
        private_key: the recipient's private key.
        blob: the sealed blob.
        aad: the associated data given to :func:`seal_to`.

    Returns:
        The plaintext.

    Raises:
        TamperedError: wrong private key, wrong associated data, or modified blob.
    """
    return _open(private_key, blob, aad, _DATA_LABEL)


def wrap_key_to(public_key: X25519PublicKey, file_key: bytes, *, aad: bytes) -> bytes:
    """Seal a 32-byte file key to ``public_key`` (then encrypt the file with a StreamWriter).

    Uses its own HKDF label, so a wrapped key and a sealed message are never interchangeable.

    Args:
        public_key: recipient.
        file_key: from :func:`~passage.vault.new_file_key`.
        aad: associated data, e.g. ``file_aad("intake_upload", upload_id)``.

    Returns:
        The wrapped key.

    Raises:
        ValueError: ``file_key`` is not 32 bytes.
    """
    if len(file_key) != 32:
        raise ValueError("file key must be 32 bytes")
    return _seal(public_key, file_key, aad, _KEY_LABEL)


def unwrap_key_with(private_key: X25519PrivateKey, blob: bytes, *, aad: bytes) -> bytes:
    """Recover a file key wrapped by :func:`wrap_key_to`.

    Args:
        private_key: the recipient's private key.
        blob: the wrapped key.
        aad: the associated data given to :func:`wrap_key_to`.

    Returns:
        The 32-byte file key.

    Raises:
        TamperedError: wrong key, wrong associated data, modified, or not a wrapped key.
    """
    key = _open(private_key, blob, aad, _KEY_LABEL)
    if len(key) != 32:
        raise TamperedError("wrapped file key: wrong length")
    return key
