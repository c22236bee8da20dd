"""The stored header: strict parsing, and every edit on disk is refused at unseal."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from passage.vault import (
    KdfParams,
    TamperedError,
    VaultError,
    VaultHeader,
    WrongSecretError,
    create_vault,
    unseal_with_passphrase,
    unseal_with_shares,
)

from .conftest import PASSPHRASE, Vault


def _edited(header: VaultHeader, edit: Any) -> str:
    data = json.loads(header.to_json())
    edit(data)
    return json.dumps(data)


def _b64_flip(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_it_round_trips_and_shows_no_secret_in_repr(vault: Vault) -> None:
    text = vault.header.to_json()
    assert VaultHeader.from_json(text) == vault.header
    assert "wrapped" not in repr(vault.header)
    assert base64.b64encode(vault.master.key_bytes()).decode() not in text


def test_it_exposes_the_office_public_key_while_sealed(vault: Vault) -> None:
    header = VaultHeader.from_json(vault.header.to_json())
    assert header.office_public().public_bytes_raw() == vault.header.office_public_key


@pytest.mark.parametrize(
    "field",
    ["wrapped_office_private_key", "wrapped_blind_index_key", "master_key_check", "mac"],
)
def test_it_refuses_a_flipped_byte_in_a_keyed_field(vault: Vault, field: str) -> None:
    def edit(d: dict[str, Any]) -> None:
        d[field] = _b64_flip(d[field])

    header = VaultHeader.from_json(_edited(vault.header, edit))
    with pytest.raises(TamperedError):
        unseal_with_passphrase(header, PASSPHRASE)


def test_it_refuses_a_swapped_office_public_key(vault: Vault) -> None:
    # An attacker with write access swaps in their own key so that intake goes to them.
    attacker = X25519PrivateKey.generate().public_key().public_bytes_raw()

    def edit(d: dict[str, Any]) -> None:
        d["office_public_key"] = base64.b64encode(attacker).decode()

    header = VaultHeader.from_json(_edited(vault.header, edit))
    with pytest.raises(TamperedError, match="MAC"):
        unseal_with_passphrase(header, PASSPHRASE)
    with pytest.raises(TamperedError):
        vault.master.office_private_key(header)


def test_it_refuses_a_copied_mac_on_a_forged_header(vault: Vault, other_vault: Vault) -> None:
    vault.master.verify_header(vault.header)  # warm the cache: it must not be fooled
    forged = replace(vault.header, office_public_key=other_vault.header.office_public_key)
    with pytest.raises(TamperedError):
        vault.master.verify_header(forged)


def test_it_refuses_a_slot_moved_from_another_vault(vault: Vault, other_vault: Vault) -> None:
    # Same passphrase, so the verifier matches: the slot's associated data must not.
    moved = replace(vault.header, passphrase_slot=other_vault.header.passphrase_slot)
    with pytest.raises(TamperedError):
        unseal_with_passphrase(moved, PASSPHRASE)


def test_it_refuses_a_changed_vault_id_or_version(vault: Vault) -> None:
    with pytest.raises(TamperedError):
        unseal_with_passphrase(replace(vault.header, vault_id="0" * 32), PASSPHRASE)
    with pytest.raises(TamperedError):
        unseal_with_passphrase(replace(vault.header, master_key_version=2), PASSPHRASE)


def test_it_treats_lowered_kdf_costs_as_a_wrong_secret(vault: Vault) -> None:
    weaker = replace(vault.header.passphrase_slot.kdf, time_cost=2)
    slot = replace(vault.header.passphrase_slot, kdf=weaker)
    header = replace(vault.header, passphrase_slot=slot)
    with pytest.raises(WrongSecretError):
        unseal_with_passphrase(header, PASSPHRASE)


def test_it_refuses_a_changed_share_threshold(vault: Vault) -> None:
    assert vault.header.shamir_slot is not None
    header = replace(vault.header, shamir_slot=replace(vault.header.shamir_slot, threshold=2))
    with pytest.raises(WrongSecretError):
        unseal_with_shares(header, vault.mnemonics[:2])


def _drop(key: str) -> Any:
    return lambda d: d.pop(key)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop("mac"), "missing keys"),
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.update(master_key_version=True), "master_key_version"),
        (lambda d: d.update(master_key_version="1"), "master_key_version"),
        (lambda d: d.update(vault_id="ABC"), "vault_id"),
        (lambda d: d.update(format="something-else"), "not a Passage vault header"),
        (lambda d: d.update(format_version=0), "format_version"),
        (lambda d: d.update(mac="not base64!"), "invalid base64"),
        (lambda d: d.update(mac=d["mac"].rstrip("=")), "invalid base64"),
        (lambda d: d.update(office_public_key="AAAA"), "office_public_key: wrong length"),
        (lambda d: d["passphrase_slot"]["kdf"].update(memory_kib=1 << 40), "memory_kib"),
        (lambda d: d["passphrase_slot"]["kdf"].update(algorithm="scrypt"), "algorithm"),
        (lambda d: d["passphrase_slot"].pop("verifier"), "passphrase_slot"),
        (lambda d: d["shamir_slot"].update(threshold=9), "shamir_slot"),
        (lambda d: d["shamir_slot"].update(extendable=1), "extendable"),
        (lambda d: d.update(passphrase_slot=[]), "passphrase_slot"),
    ],
)
def test_it_refuses_malformed_headers_with_a_clear_message(vault: Vault, edit: Any, message: str) -> None:
    with pytest.raises(TamperedError, match=message):
        VaultHeader.from_json(_edited(vault.header, edit))


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", "{}", '{"format": NaN}', "x" * 70_000, "[" * 60_000],
)
def test_it_refuses_junk(text: str) -> None:
    with pytest.raises(TamperedError):
        VaultHeader.from_json(text)


def test_it_refuses_duplicate_keys(vault: Vault) -> None:
    text = vault.header.to_json()
    duplicated = text.replace('"mac":', '"mac": "AAAA", "mac":', 1)
    with pytest.raises(TamperedError, match="JSON"):
        VaultHeader.from_json(duplicated)


def test_it_says_when_a_header_is_newer_than_the_code(vault: Vault) -> None:
    def newer(d: dict[str, Any]) -> None:
        d["format_version"] = 2

    with pytest.raises(VaultError, match="newer") as caught:
        VaultHeader.from_json(_edited(vault.header, newer))
    assert not isinstance(caught.value, TamperedError)


def test_it_will_not_serialise_an_unsigned_header(vault: Vault) -> None:
    with pytest.raises(VaultError):
        replace(vault.header, mac=b"").to_json()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_single_character_edit_is_harmless_or_refused(data: st.DataObject) -> None:
    header, master, _ = create_vault("edit me", KdfParams.fast_for_tests())
    text = header.to_json()
    position = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.characters(codec="ascii"))
    edited = text[:position] + char + text[position + 1 :]
    try:
        parsed = VaultHeader.from_json(edited)
        unsealed = unseal_with_passphrase(parsed, "edit me")
    except VaultError:
        return
    # Only edits that leave the content intact (whitespace, identical character) may pass.
    assert parsed == header
    assert unsealed.key_bytes() == master.key_bytes()
