"""SLIP-39 splitting and recovery of the share key, with errors that never echo share words.

``shamir_mnemonic`` ships without type information, so its names are ``Any`` here; every
value leaving this module is converted to a concrete type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shamir_mnemonic import MnemonicError, Share  # type: ignore[import-untyped, unused-ignore]
from shamir_mnemonic.shamir import (  # type: ignore[import-untyped, unused-ignore]
    ShareGroup,
    generate_mnemonics,
    recover_ems,
)
from shamir_mnemonic.wordlist import WORD_INDEX_MAP  # type: ignore[import-untyped, unused-ignore]

from .errors import NotEnoughSharesError, WrongSecretError
from .header import ShamirSlot

# The share key is 256 random bits, so SLIP-39's own PBKDF2 passphrase layer adds nothing but
# time; exponent 0 keeps recovery fast. The mnemonic passphrase is empty for the same reason.
ITERATION_EXPONENT = 0
EXTENDABLE = True


def check_shape(shares: tuple[int, int]) -> None:
    """Raise ``ValueError`` unless ``(k, n)`` is a SLIP-39 member split Passage accepts."""
    if not isinstance(shares, tuple) or len(shares) != 2 or not all(type(v) is int for v in shares):
        raise ValueError("shares must be a (threshold, count) pair of integers")
    threshold, count = shares
    if not 1 <= threshold <= count <= 16:
        raise ValueError("shares: need 1 <= threshold <= count <= 16")
    if threshold == 1 and count > 1:
        raise ValueError("shares: 1-of-n with n > 1 would hand the key to each holder")


def split(share_key: bytes, threshold: int, count: int) -> tuple[int, list[str]]:
    """Split ``share_key`` into ``count`` mnemonics, any ``threshold`` of which recover it.

    Returns:
        The SLIP-39 identifier and the mnemonics (one string each).
    """
    groups: Any = generate_mnemonics(
        1,
        [(threshold, count)],
        share_key,
        b"",
        extendable=EXTENDABLE,
        iteration_exponent=ITERATION_EXPONENT,
    )
    mnemonics = [str(m) for m in groups[0]]
    identifier = int(Share.from_mnemonic(mnemonics[0]).identifier)
    return identifier, mnemonics


def _parse(position: int, mnemonic: str) -> Any:
    words = mnemonic.lower().split()
    for number, word in enumerate(words, 1):
        if word not in WORD_INDEX_MAP:
            raise WrongSecretError(
                f"share {position}: word {number} is not in the SLIP-39 word list; check its spelling"
            )
    share: Any = None
    try:
        share = Share.from_mnemonic(" ".join(words))
    except MnemonicError:
        pass  # its message quotes the share's first words: raised below, outside the handler,
        # so that it is not even kept as the new exception's __context__
    if share is None:
        raise WrongSecretError(f"share {position}: checksum failed; a word is mistyped, missing or out of order")
    return share


def _belongs(share: Any, slot: ShamirSlot) -> bool:
    return bool(
        share.identifier == slot.identifier
        and share.extendable == slot.extendable
        and share.iteration_exponent == slot.iteration_exponent
        and share.group_threshold == 1
        and share.group_count == 1
        and share.member_threshold == slot.threshold
    )


def recover(slot: ShamirSlot, mnemonics: Sequence[str]) -> bytes:
    """Recover the share key from at least ``slot.threshold`` distinct mnemonics.

    Blank entries are skipped (empty form fields); duplicates count once.

    Raises:
        NotEnoughSharesError: fewer distinct shares than the threshold.
        WrongSecretError: a word not in the list, a failed checksum, a share of another vault
            or of a rotated-away key, or shares that do not fit together.
    """
    by_index: dict[int, Any] = {}
    given = [m for m in mnemonics if m.strip()]
    for position, mnemonic in enumerate(given, 1):
        share = _parse(position, mnemonic)
        if not _belongs(share, slot):
            raise WrongSecretError(
                f"share {position} does not belong to this vault (another vault, or a share from before a key rotation)"
            )
        index = int(share.index)
        previous = by_index.get(index)
        if previous is not None and previous.value != share.value:
            raise WrongSecretError(f"share {position}: two different shares carry the same number")
        by_index[index] = share
    if len(by_index) < slot.threshold:
        raise NotEnoughSharesError(f"{len(by_index)} distinct share(s) given; {slot.threshold} are needed")
    group: Any = ShareGroup()
    for index in sorted(by_index)[: slot.threshold]:
        group.add(by_index[index])
    share_key: bytes | None = None
    try:
        share_key = bytes(recover_ems({0: group}).decrypt(b""))
    except MnemonicError:
        pass  # raised below, without the library's message as context
    if share_key is None:
        raise WrongSecretError("these shares do not fit together")
    return share_key
