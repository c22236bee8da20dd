"""Master-key rotation and passphrase change: old data stays readable, old secrets stop."""

from __future__ import annotations

import pytest

from passage.vault import (
    KdfParams,
    TamperedError,
    VaultError,
    VaultHeader,
    WrongSecretError,
    change_passphrase,
    field_aad,
    rotate_master_key,
    unseal_with_passphrase,
    unseal_with_shares,
    wrapped_key_master_version,
)

from .conftest import PASSPHRASE, Vault


def _store(vault: Vault, rows: int) -> dict[str, tuple[bytes, bytes]]:
    """Pretend database: row id -> (wrapped data key, encrypted name)."""
    store = {}
    for row in range(rows):
        data_key = vault.master.new_data_key()
        wrapped = vault.master.wrap_data_key(data_key, aad=field_aad("case", str(row), "key"))
        name = data_key.encrypt_text(f"client {row}", aad=field_aad("case", str(row), "name"))
        store[str(row)] = (wrapped, name)
    return store


def test_rotation_rewraps_keys_and_keeps_data_readable(vault: Vault, kdf: KdfParams) -> None:
    store = _store(vault, 3)
    token_before = vault.master.blind_index(vault.header).compute("Ivan", purpose="name")
    header, new, mnemonics, rewrap = rotate_master_key(vault.header, vault.master, "новая фраза", kdf, (2, 3))
    rewrapped = {row: (rewrap(wrapped, field_aad("case", row, "key")), name) for row, (wrapped, name) in store.items()}
    header = VaultHeader.from_json(header.to_json())
    unsealed = unseal_with_passphrase(header, "новая фраза")
    assert unsealed.key_bytes() == new.key_bytes() != vault.master.key_bytes()
    assert header.master_key_version == 2 and new.version == 2
    for row, (wrapped, name) in rewrapped.items():
        assert wrapped_key_master_version(wrapped) == 2
        data_key = unsealed.unwrap_data_key(wrapped, aad=field_aad("case", row, "key"))
        assert data_key.decrypt_text(name, aad=field_aad("case", row, "name")) == f"client {row}"
    # Nothing was re-encrypted, and the index and the intake key did not move.
    assert [name for _, name in rewrapped.values()] == [name for _, name in store.values()]
    assert unsealed.blind_index(header).compute("Ivan", purpose="name") == token_before
    assert header.office_public_key == vault.header.office_public_key
    assert len(mnemonics) == 3 and unseal_with_shares(header, mnemonics[1:]).version == 2


def test_old_secrets_do_not_open_the_rotated_vault(vault: Vault, kdf: KdfParams) -> None:
    store = _store(vault, 1)
    header, _new, _, rewrap = rotate_master_key(vault.header, vault.master, PASSPHRASE, kdf, None)
    rewrapped = rewrap(store["0"][0], field_aad("case", "0", "key"))
    with pytest.raises(WrongSecretError):
        vault.master.verify_header(header)
    with pytest.raises(WrongSecretError):
        vault.master.office_private_key(header)
    with pytest.raises(WrongSecretError):
        vault.master.unwrap_data_key(rewrapped, aad=field_aad("case", "0", "key"))
    with pytest.raises(VaultError, match="no Shamir shares"):  # rotated without shares
        unseal_with_shares(header, vault.mnemonics[:3])
    # Same passphrase: it opens the *new* master key, not the old one.
    assert unseal_with_passphrase(header, PASSPHRASE).key_bytes() != vault.master.key_bytes()


def test_rotation_refuses_shares_from_before_it(vault: Vault, kdf: KdfParams) -> None:
    header, _, _, _ = rotate_master_key(vault.header, vault.master, PASSPHRASE, kdf, (3, 5))
    with pytest.raises(WrongSecretError, match="before a key rotation"):
        unseal_with_shares(header, vault.mnemonics[:3])


def test_rewrap_is_resumable_and_checks_its_input(vault: Vault, kdf: KdfParams) -> None:
    store = _store(vault, 1)
    wrapped, _ = store["0"]
    place = field_aad("case", "0", "key")
    _, _, _, rewrap = rotate_master_key(vault.header, vault.master, "p", kdf, None)
    once = rewrap(wrapped, place)
    assert rewrap(once, place) == once  # already at the new version: left alone
    with pytest.raises(TamperedError):
        rewrap(wrapped, field_aad("case", "1", "key"))
    with pytest.raises(TamperedError):
        rewrap(once, field_aad("case", "1", "key"))


def test_rotation_refuses_a_master_key_of_another_vault(vault: Vault, other_vault: Vault, kdf: KdfParams) -> None:
    with pytest.raises(WrongSecretError):
        rotate_master_key(vault.header, other_vault.master, "p", kdf, None)


def test_passphrase_change_keeps_master_and_shares(vault: Vault, kdf: KdfParams) -> None:
    header = change_passphrase(vault.header, vault.master, "другая фраза", kdf)
    with pytest.raises(WrongSecretError):
        unseal_with_passphrase(header, PASSPHRASE)
    assert unseal_with_passphrase(header, "другая фраза").key_bytes() == vault.master.key_bytes()
    assert unseal_with_shares(header, vault.mnemonics[2:]).key_bytes() == vault.master.key_bytes()
    assert header.passphrase_slot.kdf.salt != vault.header.passphrase_slot.kdf.salt


def test_passphrase_change_can_raise_kdf_costs(vault: Vault) -> None:
    stronger = KdfParams("argon2id", 2, 64, 1, b"s" * 16)
    header = change_passphrase(vault.header, vault.master, "p", stronger)
    assert header.passphrase_slot.kdf.same_costs(stronger)
    assert unseal_with_passphrase(header, "p").key_bytes() == vault.master.key_bytes()
