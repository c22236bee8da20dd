"""Exceptions raised by :mod:`passage.vault`.

Messages never contain key material, passphrases, share words or plaintext: they may end up in
logs or on an error page, and they are written so that they can.
"""

from __future__ import annotations

__all__ = [
    "NotEnoughSharesError",
    "SealedError",
    "TamperedError",
    "VaultError",
    "WrongSecretError",
]


class VaultError(Exception):
    """Base class of every error the vault raises on purpose."""


class SealedError(VaultError):
    """The operation needs an unsealed vault (a master key in memory) and there is none."""


class WrongSecretError(VaultError):
    """A passphrase, a set of shares, a codename or a key does not open what it was given.

    Raised when the wrong secret is *detected*; the vault never returns garbage instead.
    """


class TamperedError(VaultError):
    """Stored bytes failed authentication or validation.

    Covers a flipped byte, a truncated or extended blob, reordered or duplicated chunks, a
    ciphertext moved to another row or field (different associated data) and malformed headers.
    """


class NotEnoughSharesError(WrongSecretError):
    """Fewer distinct Shamir shares were given than the threshold needs."""
