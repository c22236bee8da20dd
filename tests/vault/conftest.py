"""Fixtures for the vault tests. Plain pytest: no Django, no database."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from passage.vault import KdfParams, MasterKey, VaultHeader, create_vault

PASSPHRASE = "плот ушёл в Актау до рассвета"


@dataclass
class Vault:
    header: VaultHeader
    master: MasterKey
    mnemonics: list[str] = field(repr=False)  # keep test output free of share words


@pytest.fixture
def kdf() -> KdfParams:
    # Only for speed: production parameters take ~0.6 s per derivation.
    return KdfParams.fast_for_tests()


@pytest.fixture
def vault(kdf: KdfParams) -> Vault:
    header, master, mnemonics = create_vault(PASSPHRASE, kdf, shares=(3, 5))
    return Vault(header, master, mnemonics)


@pytest.fixture
def other_vault(kdf: KdfParams) -> Vault:
    header, master, mnemonics = create_vault(PASSPHRASE, kdf, shares=(3, 5))
    return Vault(header, master, mnemonics)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short private directory: Unix socket paths are limited to 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="pv-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
