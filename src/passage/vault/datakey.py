"""Per-case data keys: AES-256-GCM over fields and small blobs."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import _aead
from ._secret import SecretKeyBox
from .errors import TamperedError

__all__ = ["DataKey"]

# Format byte of a field ciphertext: 0x01 = AES-256-GCM, 96-bit random nonce, 128-bit tag.
_FORMAT_V1 = b"\x01"


class DataKey(SecretKeyBox):
    """A 32-byte key for one case (or one record), stored only wrapped by the master key.

    Ciphertext layout: ``0x01 ‖ nonce(12) ‖ ciphertext ‖ tag(16)``; the format byte is
    authenticated. Random 96-bit nonces are safe for far more messages than one case will hold
    (keep each key under 2^32 encryptions).

    Deleting every wrapped copy of a data key makes its ciphertexts unreadable for good
    (crypto-shredding): nothing else in the vault can recover it.
    """

    _what = "data key"

    def __init__(self, key: bytes | bytearray) -> None:
        """Wrap existing key bytes.

        Args:
            key: 32 bytes.

        Raises:
            ValueError: wrong length.
        """
        super().__init__(key)
        self._cipher: AESGCM | None = None

    @classmethod
    def generate(cls) -> DataKey:
        """Return a new random data key."""
        return cls(_aead.new_key())

    def _aes(self) -> AESGCM:
        if self._cipher is None:  # wipe() resets it, so a wiped key fails here
            self._cipher = AESGCM(self._live_key())
        return self._cipher

    def _forget(self) -> None:
        self._cipher = None

    def key_bytes(self) -> bytes:
        """The raw key, for wrapping by :class:`~passage.vault.MasterKey` only.

        Raises:
            SealedError: the key was wiped.
        """
        return self._live_key()

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> bytes:
        """Encrypt bytes.

        Args:
            plaintext: the data.
            aad: where it will be stored, from :func:`~passage.vault.field_aad` or
                :func:`~passage.vault.file_aad`.

        Returns:
            The ciphertext blob.

        Raises:
            SealedError: the key was wiped.
        """
        return _aead.encrypt(self._aes(), plaintext, prefix=_FORMAT_V1, aad=aad)

    def decrypt(self, ciphertext: bytes, *, aad: bytes) -> bytes:
        """Authenticate and decrypt bytes made by :meth:`encrypt`.

        Args:
            ciphertext: the stored blob.
            aad: the same associated data as at encryption.

        Returns:
            The plaintext.

        Raises:
            TamperedError: modified, truncated, another key's, or moved (other ``aad``).
            SealedError: the key was wiped.
        """
        return _aead.decrypt(self._aes(), ciphertext, prefix=_FORMAT_V1, aad=aad, what="encrypted field")

    def encrypt_text(self, text: str, *, aad: bytes) -> bytes:
        """Encrypt a string as UTF-8. See :meth:`encrypt`."""
        return self.encrypt(text.encode("utf-8"), aad=aad)

    def decrypt_text(self, ciphertext: bytes, *, aad: bytes) -> str:
        """Decrypt a string made by :meth:`encrypt_text`.

        Raises:
            TamperedError: as :meth:`decrypt`, or the plaintext is not UTF-8.
            SealedError: the key was wiped.
        """
        plaintext = self.decrypt(ciphertext, aad=aad)
        text: str | None = None
        try:
            text = plaintext.decode("utf-8")
        except UnicodeDecodeError:
            pass  # that exception carries the plaintext: raise ours outside the handler
        if text is None:
            raise TamperedError("encrypted field: plaintext is not UTF-8")
        return text
