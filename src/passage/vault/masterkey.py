"""The master key: in memory only, after unseal; wraps every other key."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import _aead
from ._encoding import length_prefixed
from ._secret import SecretKeyBox
from .blindindex import BlindIndex
from .datakey import DataKey
from .errors import SealedError, TamperedError, WrongSecretError
from .header import VaultHeader

__all__ = ["MasterKey", "wrapped_key_master_version"]

_WRAP_FORMAT = b"\x01"
_WRAP_PREFIX_SIZE = 5
_SUBKEY_WRAP = b"passage/master/wrap/v1"
_SUBKEY_MAC = b"passage/master/mac/v1"
_CHECK_LABEL = b"passage/vault/master-key-check/v1"
_HEADER_MAC_LABEL = b"passage/vault/header-mac/v1"
_DATA_KEY_LABEL = b"passage/vault/data-key/v1"
_OFFICE_KEY_LABEL = b"passage/vault/office-private-key/v1"
_BLIND_INDEX_KEY_LABEL = b"passage/vault/blind-index-key/v1"


def wrapped_key_master_version(wrapped: bytes) -> int:
    """Which master-key version wrapped a data key (read from its public prefix).

    Useful to resume an interrupted rotation: keys already at the new version are done.

    Args:
        wrapped: output of :meth:`MasterKey.wrap_data_key`.

    Returns:
        The master-key version.

    Raises:
        TamperedError: not a wrapped key.
    """
    if len(wrapped) < _WRAP_PREFIX_SIZE or wrapped[:1] != _WRAP_FORMAT:
        raise TamperedError("wrapped key: unknown format")
    return int.from_bytes(wrapped[1:_WRAP_PREFIX_SIZE], "big")


def _subkey(key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key)


class MasterKey(SecretKeyBox):
    """The 32-byte master key of a vault, with the version of the header it belongs to.

    Obtained from :func:`~passage.vault.create_vault`,
    :func:`~passage.vault.unseal_with_passphrase`, :func:`~passage.vault.unseal_with_shares`
    or a :class:`~passage.vault.KeyHolder`. Two
    subkeys are derived with HKDF: one for AES-GCM wrapping, one for HMACs (check value, header
    MAC), so no key serves two primitives. After :meth:`wipe` every method raises
    :class:`~passage.vault.SealedError`.
    """

    _what = "master key"

    def __init__(self, key: bytes | bytearray, *, version: int) -> None:
        """Hold existing key bytes.

        Args:
            key: 32 bytes.
            version: the header's ``master_key_version``.

        Raises:
            ValueError: wrong length or version.
        """
        super().__init__(key)
        if type(version) is not int or not 1 <= version < 1 << 32:
            raise ValueError("master key version out of range")
        self._version = version
        self._wrapper: AESGCM | None = None
        self._mac_key: bytearray | None = None
        self._verified: VaultHeader | None = None
        self._office_key: X25519PrivateKey | None = None
        self._blind_index: BlindIndex | None = None

    @property
    def version(self) -> int:
        """The master-key version (the header's ``master_key_version``)."""
        return self._version

    def key_bytes(self) -> bytes:
        """The raw key, for handing to a :class:`~passage.vault.KeyHolder` only.

        Raises:
            SealedError: the key was wiped.
        """
        return self._live_key()

    def copy(self) -> MasterKey:
        """An independent copy, which can be wiped separately.

        Raises:
            SealedError: the key was wiped.
        """
        return MasterKey(self._live_key(), version=self._version)

    # -- internals ---------------------------------------------------------------------------

    def _prefix(self) -> bytes:
        return _WRAP_FORMAT + self._version.to_bytes(4, "big")

    def _aes(self) -> AESGCM:
        if self._wrapper is None:
            self._wrapper = AESGCM(_subkey(self._live_key(), _SUBKEY_WRAP))
        return self._wrapper

    def _mac(self, *parts: bytes) -> bytes:
        if self._mac_key is None:
            self._mac_key = bytearray(_subkey(self._live_key(), _SUBKEY_MAC))
        return hmac.new(bytes(self._mac_key), length_prefixed(*parts), hashlib.sha256).digest()

    def _wrap(self, secret: bytes, *, label: bytes, aad: bytes) -> bytes:
        return _aead.encrypt(self._aes(), secret, prefix=self._prefix(), aad=length_prefixed(label, aad))

    def _unwrap(self, wrapped: bytes, *, label: bytes, aad: bytes, what: str) -> bytes:
        version = wrapped_key_master_version(wrapped)
        if version != self._version:
            raise WrongSecretError(
                f"{what} was wrapped by master key version {version}, this is version {self._version}"
            )
        return _aead.decrypt(self._aes(), wrapped, prefix=self._prefix(), aad=length_prefixed(label, aad), what=what)

    def _forget(self) -> None:
        if self._mac_key is not None:
            self._mac_key[:] = bytes(len(self._mac_key))
        if self._blind_index is not None:
            self._blind_index.wipe()
        self._wrapper = None
        self._mac_key = None
        self._verified = None
        self._office_key = None
        self._blind_index = None

    def _check_value(self, vault_id: str) -> bytes:
        return self._mac(_CHECK_LABEL, vault_id.encode(), self._version.to_bytes(4, "big"))

    def _header_mac(self, header: VaultHeader) -> bytes:
        return self._mac(_HEADER_MAC_LABEL, header.mac_input())

    def _wrap_office_key(self, key: X25519PrivateKey, vault_id: str) -> bytes:
        return self._wrap(key.private_bytes_raw(), label=_OFFICE_KEY_LABEL, aad=vault_id.encode())

    def _wrap_blind_index_key(self, key: bytes, vault_id: str) -> bytes:
        return self._wrap(key, label=_BLIND_INDEX_KEY_LABEL, aad=vault_id.encode())

    def _unwrap_office_key(self, header: VaultHeader) -> X25519PrivateKey:
        raw = self._unwrap(
            header.wrapped_office_private_key,
            label=_OFFICE_KEY_LABEL,
            aad=header.vault_id.encode(),
            what="office private key",
        )
        return X25519PrivateKey.from_private_bytes(raw)

    def _unwrap_blind_index_key(self, header: VaultHeader) -> bytes:
        return self._unwrap(
            header.wrapped_blind_index_key,
            label=_BLIND_INDEX_KEY_LABEL,
            aad=header.vault_id.encode(),
            what="blind-index key",
        )

    # -- public API --------------------------------------------------------------------------

    def verify_header(self, header: VaultHeader) -> None:
        """Check that this key belongs to ``header`` and that the header is intact.

        Checks, in order: the version, the check value (is this the right key?), the header MAC
        (was any field edited?) and that the office public key matches the wrapped private key.
        The result is cached per header MAC.

        Args:
            header: the stored header.

        Raises:
            WrongSecretError: this master key is not the one of this header (another vault, or
                a version before or after a rotation).
            TamperedError: the header was modified.
            SealedError: the key was wiped.
        """
        self._live_key()
        if self._verified is not None and self._verified == header:  # every field, not just mac
            return
        if header.master_key_version != self._version:
            raise WrongSecretError(
                f"master key version {self._version} does not open a header at version {header.master_key_version}"
            )
        if not hmac.compare_digest(self._check_value(header.vault_id), header.master_key_check):
            raise WrongSecretError("this master key does not belong to this vault")
        if not hmac.compare_digest(self._header_mac(header), header.mac):
            raise TamperedError("vault header: MAC does not match (a field was modified)")
        office_key = self._unwrap_office_key(header)
        if office_key.public_key().public_bytes_raw() != header.office_public_key:
            raise TamperedError("vault header: office public key does not match its private key")
        # Objects handed out for an earlier header stay usable; they are not wiped here.
        self._blind_index = BlindIndex(self._unwrap_blind_index_key(header))
        self._office_key = office_key
        self._verified = header

    def office_private_key(self, header: VaultHeader) -> X25519PrivateKey:
        """The office X25519 private key (opens intake submissions).

        Args:
            header: the stored header (verified first, see :meth:`verify_header`).

        Returns:
            The private key.

        Raises:
            WrongSecretError: wrong master key for this header.
            TamperedError: the header was modified.
            SealedError: the key was wiped.
        """
        self.verify_header(header)
        if self._office_key is None:  # pragma: no cover - verify_header sets it or raises
            raise SealedError("the master key has been wiped")
        return self._office_key

    def blind_index(self, header: VaultHeader) -> BlindIndex:
        """The blind index of this vault.

        Args:
            header: the stored header (verified first, see :meth:`verify_header`).

        Returns:
            A :class:`BlindIndex`, wiped together with this master key.

        Raises:
            WrongSecretError: wrong master key for this header.
            TamperedError: the header was modified.
            SealedError: the key was wiped.
        """
        self.verify_header(header)
        if self._blind_index is None:  # pragma: no cover - verify_header sets it or raises
            raise SealedError("the master key has been wiped")
        return self._blind_index

    @staticmethod
    def new_data_key() -> DataKey:
        """A fresh random :class:`DataKey` (wrap it with :meth:`wrap_data_key` to store it)."""
        return DataKey.generate()

    def wrap_data_key(self, data_key: DataKey, *, aad: bytes) -> bytes:
        """Wrap a data key for storage.

        Layout: ``0x01 ‖ master-key version (4) ‖ nonce (12) ‖ ciphertext ‖ tag``.

        Args:
            data_key: the key to wrap.
            aad: where the wrapped key is stored, e.g. ``field_aad("cases_case", id, "key")``.

        Returns:
            The wrapped key.

        Raises:
            SealedError: either key was wiped.
        """
        return self._wrap(data_key.key_bytes(), label=_DATA_KEY_LABEL, aad=aad)

    def unwrap_data_key(self, wrapped: bytes, *, aad: bytes) -> DataKey:
        """Unwrap a data key made by :meth:`wrap_data_key`.

        Args:
            wrapped: the stored bytes.
            aad: the same associated data as at wrapping.

        Returns:
            The data key.

        Raises:
            WrongSecretError: wrapped by another master-key version.
            TamperedError: modified, moved, or wrapped by another vault's key.
            SealedError: this key was wiped.
        """
        return DataKey(self._unwrap(wrapped, label=_DATA_KEY_LABEL, aad=aad, what="data key"))
