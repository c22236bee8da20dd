"""Creating, unsealing and re-keying a vault."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import _aead, _shares
from ._encoding import length_prefixed, normalise_secret
from .errors import TamperedError, VaultError, WrongSecretError
from .header import PassphraseSlot, ShamirSlot, VaultHeader
from .kdf import KdfParams
from .masterkey import MasterKey, wrapped_key_master_version

__all__ = [
    "change_passphrase",
    "create_vault",
    "rotate_master_key",
    "unseal_with_passphrase",
    "unseal_with_shares",
]

_SLOT_FORMAT = b"\x01"
_PASSPHRASE_SLOT = b"passage/vault/passphrase-slot/v1"
_SHAMIR_SLOT = b"passage/vault/shamir-slot/v1"

Rewrap = Callable[[bytes, bytes], bytes]


def _slot_keys(material: bytes, label: bytes) -> tuple[bytes, bytes]:
    """Split secret material into a wrapping key and an independent verifier."""
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=label).derive(material)
    return okm[:32], okm[32:]


def _slot_aad(label: bytes, vault_id: str, version: int) -> bytes:
    return length_prefixed(label, vault_id.encode(), version.to_bytes(4, "big"))


def _wrap_in_slot(material: bytes, label: bytes, master: MasterKey, vault_id: str) -> tuple[bytes, bytes]:
    kek, verifier = _slot_keys(material, label)
    wrapped = _aead.encrypt(
        AESGCM(kek),
        master.key_bytes(),
        prefix=_SLOT_FORMAT,
        aad=_slot_aad(label, vault_id, master.version),
    )
    return verifier, wrapped


def _open_slot(
    material: bytes,
    label: bytes,
    *,
    verifier: bytes,
    wrapped: bytes,
    header: VaultHeader,
    wrong: str,
) -> MasterKey:
    kek, expected = _slot_keys(material, label)
    if not hmac.compare_digest(expected, verifier):
        raise WrongSecretError(wrong)
    raw = _aead.decrypt(
        AESGCM(kek),
        wrapped,
        prefix=_SLOT_FORMAT,
        aad=_slot_aad(label, header.vault_id, header.master_key_version),
        what="master key slot",
    )
    master = MasterKey(raw, version=header.master_key_version)
    try:
        master.verify_header(header)
    except WrongSecretError:
        # The secret was right (verifier matched), so a mismatch here means edited bytes.
        master.wipe()
        raise TamperedError("vault header: slot and check value disagree") from None
    except BaseException:
        master.wipe()
        raise
    return master


def _check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("passphrase must be a non-empty string")


def _passphrase_slot(passphrase: str, kdf: KdfParams, master: MasterKey, vault_id: str) -> PassphraseSlot:
    _check_passphrase(passphrase)
    salted = kdf.with_fresh_salt()
    material = salted.derive(normalise_secret(passphrase))
    verifier, wrapped = _wrap_in_slot(material, _PASSPHRASE_SLOT, master, vault_id)
    return PassphraseSlot(kdf=salted, verifier=verifier, wrapped_master_key=wrapped)


def _shamir_slot(shares: tuple[int, int], master: MasterKey, vault_id: str) -> tuple[ShamirSlot, list[str]]:
    threshold, count = shares
    share_key = _aead.new_key()
    identifier, mnemonics = _shares.split(share_key, threshold, count)
    verifier, wrapped = _wrap_in_slot(share_key, _SHAMIR_SLOT, master, vault_id)
    slot = ShamirSlot(
        threshold=threshold,
        count=count,
        identifier=identifier,
        iteration_exponent=_shares.ITERATION_EXPONENT,
        extendable=_shares.EXTENDABLE,
        verifier=verifier,
        wrapped_master_key=wrapped,
    )
    return slot, mnemonics


def _signed(header: VaultHeader, master: MasterKey) -> VaultHeader:
    unsigned = replace(header, mac=b"")
    return replace(unsigned, mac=master._header_mac(unsigned))


def _build(
    *,
    vault_id: str,
    master: MasterKey,
    passphrase: str,
    kdf: KdfParams,
    shares: tuple[int, int] | None,
    office_key: X25519PrivateKey,
    blind_index_key: bytes,
) -> tuple[VaultHeader, list[str]]:
    if shares is not None:
        _shares.check_shape(shares)
    passphrase_slot = _passphrase_slot(passphrase, kdf, master, vault_id)
    shamir_slot: ShamirSlot | None = None
    mnemonics: list[str] = []
    if shares is not None:
        shamir_slot, mnemonics = _shamir_slot(shares, master, vault_id)
    header = VaultHeader(
        vault_id=vault_id,
        master_key_version=master.version,
        passphrase_slot=passphrase_slot,
        shamir_slot=shamir_slot,
        master_key_check=master._check_value(vault_id),
        office_public_key=office_key.public_key().public_bytes_raw(),
        wrapped_office_private_key=master._wrap_office_key(office_key, vault_id),
        wrapped_blind_index_key=master._wrap_blind_index_key(blind_index_key, vault_id),
        mac=b"",
    )
    return _signed(header, master), mnemonics


def create_vault(
    passphrase: str, kdf: KdfParams, shares: tuple[int, int] | None = None
) -> tuple[VaultHeader, MasterKey, list[str]]:
    """Create a new vault: master key, office key pair, blind-index key and unseal slots.

    Args:
        passphrase: the office passphrase (NFC-normalised; must not be empty).
        kdf: Argon2id costs; a fresh salt replaces ``kdf.salt``.
        shares: ``(k, n)`` to also make n SLIP-39 mnemonics, any k of which unseal.

    Returns:
        The header to store, the unsealed master key, and the mnemonics (empty without
        ``shares``). Hand each mnemonic to one holder and do not store them on the server.

    Raises:
        ValueError: empty passphrase or an impossible ``(k, n)``.
        VaultError: Argon2 failed.
    """
    _check_passphrase(passphrase)
    vault_id = secrets.token_hex(16)
    master = MasterKey(_aead.new_key(), version=1)
    header, mnemonics = _build(
        vault_id=vault_id,
        master=master,
        passphrase=passphrase,
        kdf=kdf,
        shares=shares,
        office_key=X25519PrivateKey.generate(),
        blind_index_key=_aead.new_key(),
    )
    return header, master, mnemonics


def unseal_with_passphrase(header: VaultHeader, passphrase: str) -> MasterKey:
    """Recover the master key with the passphrase (about as slow as the KDF parameters).

    Args:
        header: the stored header.
        passphrase: the office passphrase.

    Returns:
        The master key, already checked against the header.

    Raises:
        WrongSecretError: wrong passphrase.
        TamperedError: the header was modified.
        VaultError: Argon2 failed.
    """
    slot = header.passphrase_slot
    material = slot.kdf.derive(normalise_secret(passphrase))
    return _open_slot(
        material,
        _PASSPHRASE_SLOT,
        verifier=slot.verifier,
        wrapped=slot.wrapped_master_key,
        header=header,
        wrong="wrong passphrase",
    )


def unseal_with_shares(header: VaultHeader, mnemonics: Sequence[str]) -> MasterKey:
    """Recover the master key from at least k SLIP-39 mnemonics.

    Args:
        header: the stored header.
        mnemonics: one string per share; blank strings are ignored, extra shares are allowed.

    Returns:
        The master key, already checked against the header.

    Raises:
        VaultError: the vault has no Shamir slot.
        NotEnoughSharesError: fewer distinct shares than the threshold.
        WrongSecretError: a mistyped word, a share of another vault, or shares that recover a
            different secret.
        TamperedError: the header was modified.
    """
    slot = header.shamir_slot
    if slot is None:
        raise VaultError("this vault has no Shamir shares; unseal with the passphrase")
    share_key = _shares.recover(slot, mnemonics)
    return _open_slot(
        share_key,
        _SHAMIR_SLOT,
        verifier=slot.verifier,
        wrapped=slot.wrapped_master_key,
        header=header,
        wrong="these shares do not open this vault",
    )


def change_passphrase(header: VaultHeader, master: MasterKey, new_passphrase: str, kdf: KdfParams) -> VaultHeader:
    """Replace the passphrase slot (and possibly the KDF costs); the master key stays.

    Shamir shares keep working. Nothing else is re-encrypted.

    Args:
        header: the current header.
        master: its unsealed master key.
        new_passphrase: the new passphrase.
        kdf: Argon2id costs for the new slot; a fresh salt is used.

    Returns:
        The new header to store in place of the old one.

    Raises:
        ValueError: empty passphrase.
        WrongSecretError: ``master`` does not belong to ``header``.
        TamperedError: the header was modified.
    """
    master.verify_header(header)
    slot = _passphrase_slot(new_passphrase, kdf, master, header.vault_id)
    return _signed(replace(header, passphrase_slot=slot), master)


def rotate_master_key(
    header: VaultHeader,
    old: MasterKey,
    passphrase: str,
    kdf: KdfParams,
    shares: tuple[int, int] | None,
) -> tuple[VaultHeader, MasterKey, list[str], Rewrap]:
    """Replace the master key; keep the office key pair and the blind-index key.

    Old passphrase slots and old shares stop working with the new header. Data is not
    re-encrypted: the caller passes every stored wrapped data key through the returned
    ``rewrap(wrapped, aad)`` and stores the result, then stores the new header (ideally in one
    transaction), then wipes ``old``. ``rewrap`` leaves keys already at the new version as they
    are (after checking them), so an interrupted rotation can be resumed with the same objects.

    Args:
        header: the current header.
        old: its unsealed master key.
        passphrase: the passphrase for the new header (may equal the old one).
        kdf: Argon2id costs; a fresh salt is used.
        shares: ``(k, n)`` for new shares, or ``None`` for none.

    Returns:
        ``(new_header, new_master, new_mnemonics, rewrap)``.

    Raises:
        ValueError: empty passphrase or an impossible ``(k, n)``.
        WrongSecretError: ``old`` does not belong to ``header``.
        TamperedError: the header was modified.
    """
    old.verify_header(header)
    office_key = old.office_private_key(header)
    blind_index_key = old._unwrap_blind_index_key(header)
    new = MasterKey(_aead.new_key(), version=header.master_key_version + 1)
    new_header, mnemonics = _build(
        vault_id=header.vault_id,
        master=new,
        passphrase=passphrase,
        kdf=kdf,
        shares=shares,
        office_key=office_key,
        blind_index_key=blind_index_key,
    )

    def rewrap(wrapped: bytes, aad: bytes) -> bytes:
        if wrapped_key_master_version(wrapped) == new.version:
            new.unwrap_data_key(wrapped, aad=aad).wipe()  # already done: prove it opens
            return wrapped
        data_key = old.unwrap_data_key(wrapped, aad=aad)
        try:
            return new.wrap_data_key(data_key, aad=aad)
        finally:
            data_key.wipe()

    return new_header, new, mnemonics, rewrap
