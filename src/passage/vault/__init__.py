"""Passage's vault: key hierarchy, unseal, field and file encryption, intake sealing.

Pure Python over ``cryptography``, ``argon2-cffi`` and ``shamir-mnemonic``; imports nothing from
Django or the rest of Passage. See ``README.md`` beside this file for the design.
"""

from __future__ import annotations

from ._harden import harden_process
from .aad import field_aad, file_aad
from .blindindex import BlindIndex
from .datakey import DataKey
from .errors import (
    NotEnoughSharesError,
    SealedError,
    TamperedError,
    VaultError,
    WrongSecretError,
)
from .header import PassphraseSlot, ShamirSlot, VaultHeader
from .kdf import KdfParams, derive_secret_key
from .keyd import KeyDaemon
from .keyholder import KeyHolder, KeyStatus, LocalKeyHolder, SocketKeyHolder
from .keys import (
    change_passphrase,
    create_vault,
    rotate_master_key,
    unseal_with_passphrase,
    unseal_with_shares,
)
from .masterkey import MasterKey, wrapped_key_master_version
from .personkeys import PersonKeys
from .seal import open_sealed, seal_to, unwrap_key_with, wrap_key_to
from .stream import StreamReader, StreamWriter, new_file_key

__all__ = [
    "BlindIndex",
    "DataKey",
    "KdfParams",
    "KeyDaemon",
    "KeyHolder",
    "KeyStatus",
    "LocalKeyHolder",
    "MasterKey",
    "NotEnoughSharesError",
    "PassphraseSlot",
    "PersonKeys",
    "SealedError",
    "ShamirSlot",
    "SocketKeyHolder",
    "StreamReader",
    "StreamWriter",
    "TamperedError",
    "VaultError",
    "VaultHeader",
    "WrongSecretError",
    "change_passphrase",
    "create_vault",
    "derive_secret_key",
    "field_aad",
    "file_aad",
    "harden_process",
    "new_file_key",
    "open_sealed",
    "rotate_master_key",
    "seal_to",
    "unseal_with_passphrase",
    "unseal_with_shares",
    "unwrap_key_with",
    "wrap_key_to",
    "wrapped_key_master_version",
]
