"""A base for objects holding key bytes: wipeable, never printed, never pickled.

Python cannot promise that no copy of a key survives elsewhere in memory (the cipher objects of
``cryptography`` and temporary ``bytes`` keep their own copies until garbage-collected). Wiping
zeroes our buffer and drops our references; it narrows the window, it does not close it.
"""

from __future__ import annotations

from typing import NoReturn

from .errors import SealedError


class SecretKeyBox:
    """Holds key bytes in a ``bytearray`` that :meth:`wipe` zeroes."""

    _what = "key"

    def __init__(self, key: bytes | bytearray, *, size: int = 32) -> None:
        if not isinstance(key, bytes | bytearray) or len(key) != size:
            raise ValueError(f"{self._what} must be {size} bytes")
        self._key = bytearray(key)
        self._wiped = False

    @property
    def is_wiped(self) -> bool:
        """Whether :meth:`wipe` has been called."""
        return self._wiped

    def _live_key(self) -> bytes:
        """A copy of the key bytes for a cipher constructor.

        Raises:
            SealedError: the key was wiped.
        """
        if self._wiped:
            raise SealedError(f"the {self._what} has been wiped")
        return bytes(self._key)

    def wipe(self) -> None:
        """Zero the key buffer; every later use raises :class:`SealedError`."""
        for i in range(len(self._key)):
            self._key[i] = 0
        self._wiped = True
        self._forget()

    def _forget(self) -> None:
        """Drop derived objects (cipher instances, caches). Subclasses extend."""

    def __repr__(self) -> str:
        state = "wiped" if self._wiped else "live"
        return f"<{type(self).__name__} {state}>"

    def __reduce__(self) -> NoReturn:
        # Keeps keys out of Django's cache, sessions and task queues by accident.
        raise TypeError(f"{type(self).__name__} must not be pickled")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)
