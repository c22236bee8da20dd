"""The vault header: everything stored about the keys while the vault is sealed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from ._encoding import b64decode, b64encode
from .errors import TamperedError, VaultError
from .kdf import KdfParams

__all__ = ["PassphraseSlot", "ShamirSlot", "VaultHeader"]

FORMAT = "passage-vault"
FORMAT_VERSION = 1
MAX_HEADER_CHARS = 64 * 1024
_VAULT_ID = re.compile(r"[0-9a-f]{32}")
# prefix(1) ‖ nonce(12) ‖ 32-byte key ‖ tag(16)
SLOT_WRAPPED_SIZE = 1 + 12 + 32 + 16
# prefix(1 + 4-byte master-key version) ‖ nonce(12) ‖ 32-byte key ‖ tag(16)
MASTER_WRAPPED_SIZE = 5 + 12 + 32 + 16
_DIGEST = 32


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _is_int(value: object) -> bool:
    return type(value) is int  # bool is an int subclass; JSON true must not pass as 1


@dataclass(frozen=True)
class PassphraseSlot:
    """The master key wrapped under a passphrase-derived key.

    Attributes:
        kdf: Argon2id parameters and salt.
        verifier: derived from the passphrase beside the wrapping key; tells a wrong passphrase
            (:class:`WrongSecretError`) from a modified slot (:class:`TamperedError`). It lets
            an attacker test guesses no faster than the wrapped key itself would.
        wrapped_master_key: AES-GCM of the master key.
    """

    kdf: KdfParams
    verifier: bytes = field(repr=False)
    wrapped_master_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _need(isinstance(self.kdf, KdfParams), "passphrase_slot.kdf: expected KdfParams")
        _need(len(self.verifier) == _DIGEST, "passphrase_slot.verifier: wrong length")
        _need(
            len(self.wrapped_master_key) == SLOT_WRAPPED_SIZE,
            "passphrase_slot.wrapped_master_key: wrong length",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kdf": self.kdf.to_dict(),
            "verifier": b64encode(self.verifier),
            "wrapped_master_key": b64encode(self.wrapped_master_key),
        }

    @classmethod
    def from_dict(cls, data: object) -> PassphraseSlot:
        """Strict inverse of :meth:`to_dict` (raises :class:`TamperedError`)."""
        d = _exact(data, "passphrase_slot", {"kdf", "verifier", "wrapped_master_key"})
        return cls(
            kdf=KdfParams.from_dict(d["kdf"]),
            verifier=b64decode(d["verifier"], field="passphrase_slot.verifier"),
            wrapped_master_key=b64decode(d["wrapped_master_key"], field="passphrase_slot.wrapped_master_key"),
        )


@dataclass(frozen=True)
class ShamirSlot:
    """The master key wrapped under a key recovered from k of n SLIP-39 shares.

    Attributes:
        threshold: shares needed (k).
        count: shares made (n).
        identifier: SLIP-39 identifier common to this vault's shares (15 bits); lets the vault
            say "these shares belong to another vault" instead of failing later.
        iteration_exponent: SLIP-39 iteration exponent used at split time.
        extendable: SLIP-39 extendable flag used at split time.
        verifier: derived from the share key; tells a wrong share set from tampering.
        wrapped_master_key: AES-GCM of the master key.
    """

    threshold: int
    count: int
    identifier: int
    iteration_exponent: int
    extendable: bool
    verifier: bytes = field(repr=False)
    wrapped_master_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _need(
            _is_int(self.threshold) and _is_int(self.count),
            "shamir_slot: threshold and count must be integers",
        )
        _need(1 <= self.threshold <= self.count <= 16, "shamir_slot: need 1 <= k <= n <= 16")
        _need(
            not (self.threshold == 1 and self.count > 1),
            "shamir_slot: 1-of-n with n > 1 is not allowed by SLIP-39",
        )
        _need(
            _is_int(self.identifier) and 0 <= self.identifier < 1 << 15,
            "shamir_slot.identifier: out of range",
        )
        _need(
            _is_int(self.iteration_exponent) and 0 <= self.iteration_exponent < 16,
            "shamir_slot.iteration_exponent: out of range",
        )
        _need(isinstance(self.extendable, bool), "shamir_slot.extendable: expected a boolean")
        _need(len(self.verifier) == _DIGEST, "shamir_slot.verifier: wrong length")
        _need(
            len(self.wrapped_master_key) == SLOT_WRAPPED_SIZE,
            "shamir_slot.wrapped_master_key: wrong length",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "threshold": self.threshold,
            "count": self.count,
            "identifier": self.identifier,
            "iteration_exponent": self.iteration_exponent,
            "extendable": self.extendable,
            "verifier": b64encode(self.verifier),
            "wrapped_master_key": b64encode(self.wrapped_master_key),
        }

    @classmethod
    def from_dict(cls, data: object) -> ShamirSlot:
        """Strict inverse of :meth:`to_dict` (raises :class:`TamperedError`)."""
        keys = {
            "threshold",
            "count",
            "identifier",
            "iteration_exponent",
            "extendable",
            "verifier",
            "wrapped_master_key",
        }
        d = _exact(data, "shamir_slot", keys)
        return cls(
            threshold=d["threshold"],
            count=d["count"],
            identifier=d["identifier"],
            iteration_exponent=d["iteration_exponent"],
            extendable=d["extendable"],
            verifier=b64decode(d["verifier"], field="shamir_slot.verifier"),
            wrapped_master_key=b64decode(d["wrapped_master_key"], field="shamir_slot.wrapped_master_key"),
        )


@dataclass(frozen=True)
class VaultHeader:
    """Everything stored about the vault's keys; safe to keep on disk while sealed.

    Nothing here opens data without the passphrase or the shares. The office public key is
    readable while sealed (the intake encrypts to it). :attr:`mac`, an HMAC under a key derived
    from the master key, covers every other field: a header edited on disk (for example an
    office public key swapped for an attacker's) is refused at the next unseal.

    Attributes:
        vault_id: 32 hex characters, random per vault.
        master_key_version: starts at 1, bumped by each master-key rotation.
        passphrase_slot: the master key under the passphrase.
        shamir_slot: the master key under the SLIP-39 share key, or ``None``.
        master_key_check: HMAC of a fixed label under the master key.
        office_public_key: raw X25519 public key (32 bytes).
        wrapped_office_private_key: the matching private key, wrapped by the master key.
        wrapped_blind_index_key: the blind-index key, wrapped by the master key.
        mac: HMAC over all the fields above.
        format_version: header format, currently 1.
    """

    vault_id: str
    master_key_version: int
    passphrase_slot: PassphraseSlot
    shamir_slot: ShamirSlot | None
    master_key_check: bytes = field(repr=False)
    office_public_key: bytes
    wrapped_office_private_key: bytes = field(repr=False)
    wrapped_blind_index_key: bytes = field(repr=False)
    mac: bytes = field(repr=False)
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        _need(
            isinstance(self.vault_id, str) and _VAULT_ID.fullmatch(self.vault_id) is not None,
            "vault_id: expected 32 lowercase hex characters",
        )
        _need(
            _is_int(self.master_key_version) and 1 <= self.master_key_version < 1 << 32,
            "master_key_version: out of range",
        )
        _need(_is_int(self.format_version), "format_version: expected an integer")
        _need(len(self.master_key_check) == _DIGEST, "master_key_check: wrong length")
        _need(len(self.office_public_key) == 32, "office_public_key: wrong length")
        _need(
            len(self.wrapped_office_private_key) == MASTER_WRAPPED_SIZE,
            "wrapped_office_private_key: wrong length",
        )
        _need(
            len(self.wrapped_blind_index_key) == MASTER_WRAPPED_SIZE,
            "wrapped_blind_index_key: wrong length",
        )
        _need(len(self.mac) in (0, _DIGEST), "mac: wrong length")

    def office_public(self) -> X25519PublicKey:
        """The office's X25519 public key (usable while sealed, e.g. by the intake)."""
        return X25519PublicKey.from_public_bytes(self.office_public_key)

    def _body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "vault_id": self.vault_id,
            "master_key_version": self.master_key_version,
            "passphrase_slot": self.passphrase_slot.to_dict(),
            "shamir_slot": None if self.shamir_slot is None else self.shamir_slot.to_dict(),
            "master_key_check": b64encode(self.master_key_check),
            "office_public_key": b64encode(self.office_public_key),
            "wrapped_office_private_key": b64encode(self.wrapped_office_private_key),
            "wrapped_blind_index_key": b64encode(self.wrapped_blind_index_key),
        }

    def mac_input(self) -> bytes:
        """Canonical bytes of every field except :attr:`mac` (what the MAC covers)."""
        return json.dumps(self._body(), sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        """Serialise for storage (stable key order, ASCII only).

        Raises:
            VaultError: the header has no MAC yet (it was not made by the vault functions).
        """
        if not self.mac:
            raise VaultError("refusing to serialise a header without its MAC")
        body = self._body()
        body["mac"] = b64encode(self.mac)
        return json.dumps(body, sort_keys=True, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> VaultHeader:
        """Parse a stored header strictly.

        Checks the structure only; the MAC is checked at unseal, when the master key is known.

        Args:
            text: output of :meth:`to_json`.

        Returns:
            The header.

        Raises:
            TamperedError: not JSON, duplicate or unknown or missing keys, wrong types, wrong
                lengths, non-canonical base64.
            VaultError: a format version newer than this code understands.
        """
        if not isinstance(text, str) or len(text) > MAX_HEADER_CHARS:
            raise TamperedError("vault header: not text or too large")
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
        except (ValueError, RecursionError):
            raise TamperedError("vault header: not valid JSON") from None
        keys = {
            "format",
            "format_version",
            "vault_id",
            "master_key_version",
            "passphrase_slot",
            "shamir_slot",
            "master_key_check",
            "office_public_key",
            "wrapped_office_private_key",
            "wrapped_blind_index_key",
            "mac",
        }
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TamperedError("vault header: not a Passage vault header")
        version = data.get("format_version")
        if _is_int(version) and isinstance(version, int) and version > FORMAT_VERSION:
            raise VaultError(f"vault header format {version} is newer than this Passage understands")
        d = _exact(data, "vault header", keys)
        if d["format_version"] != FORMAT_VERSION or not _is_int(d["format_version"]):
            raise TamperedError("vault header: unknown format_version")
        try:
            shamir = d["shamir_slot"]
            header = cls(
                vault_id=d["vault_id"],
                master_key_version=d["master_key_version"],
                passphrase_slot=PassphraseSlot.from_dict(d["passphrase_slot"]),
                shamir_slot=None if shamir is None else ShamirSlot.from_dict(shamir),
                master_key_check=b64decode(d["master_key_check"], field="master_key_check"),
                office_public_key=b64decode(d["office_public_key"], field="office_public_key"),
                wrapped_office_private_key=b64decode(
                    d["wrapped_office_private_key"], field="wrapped_office_private_key"
                ),
                wrapped_blind_index_key=b64decode(d["wrapped_blind_index_key"], field="wrapped_blind_index_key"),
                mac=b64decode(d["mac"], field="mac"),
                format_version=d["format_version"],
            )
        except ValueError as exc:
            raise TamperedError(f"vault header: {exc}") from None
        if not header.mac:
            raise TamperedError("vault header: mac is missing")
        return header


def _exact(data: object, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TamperedError(f"{where}: expected an object")
    missing, unknown = keys - set(data), set(data) - keys
    if missing or unknown:
        raise TamperedError(f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
    return data


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError("NaN and Infinity are not allowed")
