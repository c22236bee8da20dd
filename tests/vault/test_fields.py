"""Data keys, field encryption, associated data, blind index, crypto-shredding."""

from __future__ import annotations

import base64
import pickle
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.vault import (
    BlindIndex,
    DataKey,
    SealedError,
    TamperedError,
    WrongSecretError,
    field_aad,
    file_aad,
)

from .conftest import Vault
from .strategies import associated_data, field_locations, names, plaintexts

NAME = field_aad("cases_client", "17", "name")


@given(plaintext=plaintexts, aad=associated_data, other=associated_data)
def test_data_key_round_trips_and_binds_associated_data(plaintext: bytes, aad: bytes, other: bytes) -> None:
    key = DataKey.generate()
    ciphertext = key.encrypt(plaintext, aad=aad)
    assert key.decrypt(ciphertext, aad=aad) == plaintext
    assert ciphertext[0] == 1 and len(ciphertext) == len(plaintext) + 1 + 12 + 16
    if other != aad:
        with pytest.raises(TamperedError):
            key.decrypt(ciphertext, aad=other)


def test_it_encrypts_text_with_fresh_nonces() -> None:
    key = DataKey.generate()
    first, second = (key.encrypt_text("Пётр Иванов", aad=NAME) for _ in range(2))
    assert first != second
    assert key.decrypt_text(first, aad=NAME) == "Пётр Иванов"


def test_it_refuses_a_ciphertext_moved_to_another_row_or_field() -> None:
    key = DataKey.generate()
    name = key.encrypt_text("Пётр Иванов", aad=field_aad("cases_client", "17", "name"))
    for moved in (
        field_aad("cases_client", "18", "name"),  # another row
        field_aad("cases_client", "17", "notes"),  # another field
        field_aad("cases_contact", "17", "name"),  # another table
        file_aad("cases_client", "17", "name"),  # a file slot
    ):
        with pytest.raises(TamperedError):
            key.decrypt_text(name, aad=moved)


def test_it_refuses_two_rows_swapping_ciphertexts() -> None:
    key = DataKey.generate()
    row_a = key.encrypt_text("A", aad=field_aad("t", "1", "name"))
    row_b = key.encrypt_text("B", aad=field_aad("t", "2", "name"))
    with pytest.raises(TamperedError):
        key.decrypt_text(row_b, aad=field_aad("t", "1", "name"))
    with pytest.raises(TamperedError):
        key.decrypt_text(row_a, aad=field_aad("t", "2", "name"))


@pytest.mark.parametrize("position", [0, 5, 13, -1])
def test_it_refuses_a_flipped_byte_anywhere(position: int) -> None:
    key = DataKey.generate()
    ciphertext = bytearray(key.encrypt(b"evidence", aad=NAME))
    ciphertext[position] ^= 0x80
    with pytest.raises(TamperedError):
        key.decrypt(bytes(ciphertext), aad=NAME)


def test_it_refuses_truncated_and_foreign_ciphertexts() -> None:
    key = DataKey.generate()
    ciphertext = key.encrypt(b"x", aad=NAME)
    for broken in (b"", ciphertext[:10], ciphertext[:-1], ciphertext + b"\0"):
        with pytest.raises(TamperedError):
            key.decrypt(broken, aad=NAME)
    with pytest.raises(TamperedError):
        DataKey.generate().decrypt(ciphertext, aad=NAME)


@given(a=field_locations, b=field_locations)
def test_field_aad_is_unambiguous(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    assert (field_aad(*a) == field_aad(*b)) == (a == b)
    assert field_aad(*a) != file_aad(*b)


def test_field_aad_refuses_empty_parts() -> None:
    with pytest.raises(ValueError):
        field_aad("t", "", "name")


def test_wrapped_data_keys_are_bound_to_their_place_and_vault(vault: Vault, other_vault: Vault) -> None:
    data_key = vault.master.new_data_key()
    place = field_aad("cases_case", "7", "data_key")
    wrapped = vault.master.wrap_data_key(data_key, aad=place)
    assert vault.master.unwrap_data_key(wrapped, aad=place).key_bytes() == data_key.key_bytes()
    with pytest.raises(TamperedError):
        vault.master.unwrap_data_key(wrapped, aad=field_aad("cases_case", "8", "data_key"))
    with pytest.raises(TamperedError):
        other_vault.master.unwrap_data_key(wrapped, aad=place)


def test_crypto_shredding_leaves_nothing_that_recovers_the_data(vault: Vault) -> None:
    master = vault.master
    place = field_aad("cases_case", "7", "data_key")
    doomed = master.new_data_key()
    wrapped = master.wrap_data_key(doomed, aad=place)
    narrative = doomed.encrypt_text("crossed at Verkhny Lars on the 3rd", aad=NAME)
    raw = doomed.key_bytes()

    # Another case, stored next to it, survives the shredding.
    kept = master.new_data_key()
    kept_wrapped = master.wrap_data_key(kept, aad=field_aad("cases_case", "8", "data_key"))

    # Shred: the only wrapped copy is deleted and the in-memory key wiped.
    del wrapped
    doomed.wipe()
    with pytest.raises(SealedError):
        doomed.decrypt_text(narrative, aad=NAME)

    # The raw key appears nowhere that remains: not in the header, not in the ciphertext.
    remains = vault.header.to_json().encode() + narrative + kept_wrapped
    assert raw not in remains and base64.b64encode(raw) not in remains
    assert b"Verkhny" not in narrative
    # No key the vault still holds opens the ciphertext: not the master key, not another case
    # key, not another wrapped key unwrapped for this place, not the blind-index key.
    candidates = [
        DataKey(master.key_bytes()),
        master.unwrap_data_key(kept_wrapped, aad=field_aad("cases_case", "8", "data_key")),
        DataKey(master.office_private_key(vault.header).private_bytes_raw()),
        DataKey(master.blind_index(vault.header)._live_key()),
    ]
    for candidate in candidates:
        with pytest.raises(TamperedError):
            candidate.decrypt_text(narrative, aad=NAME)
    with pytest.raises(TamperedError):
        master.unwrap_data_key(kept_wrapped, aad=place)


def test_wiped_keys_refuse_work_and_never_show_or_pickle(vault: Vault) -> None:
    master = vault.master.copy()
    data_key = master.new_data_key()
    assert master.key_bytes().hex() not in repr(master)
    for obj in (master, data_key):
        with pytest.raises(TypeError):
            pickle.dumps(obj)
    master.wipe()
    data_key.wipe()
    assert master.is_wiped and repr(master) == "<MasterKey wiped>"
    with pytest.raises(SealedError):
        master.wrap_data_key(DataKey.generate(), aad=NAME)
    with pytest.raises(SealedError):
        master.blind_index(vault.header)
    with pytest.raises(SealedError):
        data_key.encrypt(b"x", aad=NAME)
    assert vault.master.key_bytes()  # the original is untouched by wiping the copy


def test_it_refuses_a_master_key_of_another_vault(vault: Vault, other_vault: Vault) -> None:
    with pytest.raises(WrongSecretError):
        other_vault.master.office_private_key(vault.header)


def test_blind_index_is_stable_keyed_and_purpose_separated(vault: Vault, other_vault: Vault) -> None:
    index = vault.master.blind_index(vault.header)
    token = index.compute("Пётр  ИВАНОВ ", purpose="client.name")
    assert token == index.compute("пётр иванов", purpose="client.name")
    assert index.compute("ＩＶＡＮ", purpose="p") == index.compute("ivan", purpose="p")  # NFKC
    assert len(token) == 32 and int(token, 16) >= 0
    assert token != index.compute("пётр иванов", purpose="client.alias")
    assert token != other_vault.master.blind_index(other_vault.header).compute("пётр иванов", purpose="client.name")
    assert "иванов" not in token
    with pytest.raises(ValueError):
        index.compute("x", purpose="")


_SHARED_INDEX = BlindIndex(secrets.token_bytes(32))


@given(words=names, data=st.data())
def test_blind_index_ignores_case_and_spacing(words: list[str], data: st.DataObject) -> None:
    gaps = [data.draw(st.sampled_from([" ", "  ", "\t", " \n "])) for _ in words]
    cases = [data.draw(st.booleans()) for _ in words]
    typed = "".join(
        gap + (word.upper() if upper else word) for gap, word, upper in zip(gaps, words, cases, strict=True)
    )
    expected = _SHARED_INDEX.compute(" ".join(words), purpose="p")
    assert _SHARED_INDEX.compute(typed, purpose="p") == expected


def test_a_non_utf8_plaintext_is_refused_without_carrying_it(vault: Vault) -> None:
    key = DataKey.generate()
    ciphertext = key.encrypt(b"\xff secret bytes", aad=NAME)
    with pytest.raises(TamperedError, match="not UTF-8") as caught:
        key.decrypt_text(ciphertext, aad=NAME)
    assert caught.value.__context__ is None and caught.value.__cause__ is None
