"""Keyed blind index: exact-match look-ups of sensitive values without storing them."""

from __future__ import annotations

import hashlib
import hmac

from ._encoding import length_prefixed, normalise_loose
from ._secret import SecretKeyBox

__all__ = ["BlindIndex"]

_LABEL = b"passage/blind-index/v1"
HEX_LENGTH = 32  # 128 bits: collisions are negligible and the column stays small


class BlindIndex(SecretKeyBox):
    """HMAC-SHA256 tokens of normalised values under a key kept in the vault header.

    The key is separate from the master key, so rotating the master key leaves every stored
    token valid. Without the key a token reveals nothing; with it, anyone can test guesses, so
    a token is only as secret as the value is hard to guess (a short surname is not): index only
    what must be looked up.
    """

    _what = "blind-index key"

    def compute(self, value: str, *, purpose: str) -> str:
        """Token for ``value`` in the column named by ``purpose``.

        ``"Ivan  PETROV"``, ``"ivan petrov"`` and ``" Ivan Petrov "`` give the same token
        (NFKC, casefold, collapsed whitespace). Different purposes give unrelated tokens, so
        a name column cannot be joined against a passport column.

        Args:
            value: the sensitive value.
            purpose: a fixed name such as ``"client.name"``.

        Returns:
            32 lowercase hex characters.

        Raises:
            ValueError: empty ``purpose``.
            SealedError: the key was wiped.
        """
        if not purpose:
            raise ValueError("purpose must not be empty")
        message = length_prefixed(_LABEL, purpose.encode("utf-8"), normalise_loose(value).encode("utf-8"))
        return hmac.new(self._live_key(), message, hashlib.sha256).hexdigest()[:HEX_LENGTH]
