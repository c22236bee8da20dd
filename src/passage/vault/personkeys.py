"""A reply key pair per person, whose private half only their codename opens."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import _aead
from ._encoding import length_prefixed, normalise_loose
from .errors import TamperedError, VaultError, WrongSecretError
from .kdf import ALGORITHM, KdfParams, derive_secret_key

__all__ = ["PersonKeys"]

_FORMAT = b"\x01"
_LABEL = b"passage/person-key/v1"
_SALT_SIZE = 16
# format(1) ‖ time_cost(4) ‖ memory_kib(4) ‖ parallelism(1)
_PREFIX_SIZE = 10
_BLOB_SIZE = _PREFIX_SIZE + 12 + 32 + 16


def _codename_secret(codename: str) -> str:
    # People retype the codename in Tor Browser, maybe on a phone: case and spacing must not
    # matter. The codename's entropy is in its words, so folding them loses nothing real.
    folded = normalise_loose(codename)
    if not folded:
        raise ValueError("codename must not be empty")
    return folded


def _prefix(kdf: KdfParams) -> bytes:
    return (
        _FORMAT
        + kdf.time_cost.to_bytes(4, "big")
        + kdf.memory_kib.to_bytes(4, "big")
        + kdf.parallelism.to_bytes(1, "big")
    )


class PersonKeys:
    """Create and open a person's X25519 reply key pair.

    The office encrypts replies with ``seal_to(person_public_key, ...)``; the server keeps the
    public key, a salt and the private key encrypted under Argon2id(codename). Only someone who
    types the codename can read the replies, and the office cannot (it never stores the
    codename). The Argon2id costs are recorded in the encrypted blob, so raising them for new
    people does not lock out earlier ones.
    """

    @staticmethod
    def create(codename: str, kdf: KdfParams) -> tuple[bytes, bytes, bytes]:
        """Generate a key pair protected by ``codename``.

        Args:
            codename: the person's codename (case and spacing are ignored).
            kdf: Argon2id costs (``kdf.salt`` is not used; a fresh salt is returned).

        Returns:
            ``(public_key_bytes, salt, encrypted_private_key)``, all safe to store.

        Raises:
            ValueError: empty codename.
        """
        secret = _codename_secret(codename)
        salt = secrets.token_bytes(_SALT_SIZE)
        private_key = X25519PrivateKey.generate()
        prefix = _prefix(kdf)
        cipher = AESGCM(derive_secret_key(secret, salt, kdf))
        blob = _aead.encrypt(
            cipher,
            private_key.private_bytes_raw(),
            prefix=prefix,
            aad=length_prefixed(_LABEL, salt),
        )
        return private_key.public_key().public_bytes_raw(), salt, blob

    @staticmethod
    def open(
        codename: str,
        salt: bytes,
        encrypted_private_key: bytes,
        kdf: KdfParams | None = None,
    ) -> X25519PrivateKey:
        """Recover the private key.

        Args:
            codename: what the person typed.
            salt: as returned by :meth:`create`.
            encrypted_private_key: as returned by :meth:`create`.
            kdf: if given, its costs must equal those recorded at creation; if ``None``, the
                recorded costs are used.

        Returns:
            The private key.

        Raises:
            WrongSecretError: wrong codename (or a modified blob: the two look the same).
            TamperedError: malformed blob.
            VaultError: ``kdf`` differs from the recorded costs.
        """
        if len(encrypted_private_key) != _BLOB_SIZE or encrypted_private_key[:1] != _FORMAT:
            raise TamperedError("person key: unknown format")
        prefix = encrypted_private_key[:_PREFIX_SIZE]
        try:
            recorded = KdfParams(
                ALGORITHM,
                int.from_bytes(prefix[1:5], "big"),
                int.from_bytes(prefix[5:9], "big"),
                prefix[9],
                salt,
            )
        except ValueError:
            raise TamperedError("person key: invalid KDF parameters or salt") from None
        if kdf is not None and not kdf.same_costs(recorded):
            raise VaultError("person key: KDF costs differ from those used at creation")
        try:
            secret = _codename_secret(codename)
        except ValueError:
            raise WrongSecretError("wrong codename") from None
        cipher = AESGCM(derive_secret_key(secret, salt, recorded))
        try:
            raw = _aead.decrypt(
                cipher,
                encrypted_private_key,
                prefix=prefix,
                aad=length_prefixed(_LABEL, salt),
                what="person key",
            )
        except TamperedError:
            raise WrongSecretError("wrong codename") from None
        return X25519PrivateKey.from_private_bytes(raw)
