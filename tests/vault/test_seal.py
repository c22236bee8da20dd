"""Sealing to the office public key (intake) and per-person reply keys."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from hypothesis import given

from passage.vault import (
    KdfParams,
    PersonKeys,
    StreamReader,
    StreamWriter,
    TamperedError,
    VaultError,
    VaultHeader,
    WrongSecretError,
    derive_secret_key,
    file_aad,
    new_file_key,
    open_sealed,
    seal_to,
    unwrap_key_with,
    wrap_key_to,
)

from .conftest import Vault
from .strategies import associated_data, plaintexts

AAD = b"intake_submission:9f1c"


@given(plaintext=plaintexts, aad=associated_data)
def test_sealed_blobs_round_trip(plaintext: bytes, aad: bytes) -> None:
    recipient = X25519PrivateKey.generate()
    blob = seal_to(recipient.public_key(), plaintext, aad=aad)
    assert open_sealed(recipient, blob, aad=aad) == plaintext


def test_intake_seals_with_the_public_key_read_while_sealed(vault: Vault) -> None:
    sealed_side = VaultHeader.from_json(vault.header.to_json())  # no master key here
    blob = seal_to(sealed_side.office_public(), b"I am in Almaty, no passport", aad=AAD)
    assert b"Almaty" not in blob
    office = vault.master.office_private_key(vault.header)
    assert open_sealed(office, blob, aad=AAD) == b"I am in Almaty, no passport"


def test_another_private_key_cannot_open_a_sealed_blob(vault: Vault, other_vault: Vault) -> None:
    blob = seal_to(vault.header.office_public(), b"secret", aad=AAD)
    for wrong in (
        other_vault.master.office_private_key(other_vault.header),
        X25519PrivateKey.generate(),
    ):
        with pytest.raises(TamperedError):
            open_sealed(wrong, blob, aad=AAD)


def test_sealed_blobs_refuse_tampering_and_other_aad() -> None:
    recipient = X25519PrivateKey.generate()
    blob = seal_to(recipient.public_key(), b"message", aad=AAD)
    with pytest.raises(TamperedError):
        open_sealed(recipient, blob, aad=b"intake_submission:other")
    for position in (0, 1, 20, 33, len(blob) - 1):
        broken = bytearray(blob)
        broken[position] ^= 1
        with pytest.raises(TamperedError):
            open_sealed(recipient, bytes(broken), aad=AAD)
    with pytest.raises(TamperedError):
        open_sealed(recipient, blob[:40], aad=AAD)


def test_a_low_order_ephemeral_key_is_refused() -> None:
    recipient = X25519PrivateKey.generate()
    blob = b"\x01" + bytes(32) + bytes(32)  # the all-zero point
    with pytest.raises(TamperedError):
        open_sealed(recipient, blob, aad=AAD)


def test_sealing_uses_a_fresh_ephemeral_key_each_time() -> None:
    public = X25519PrivateKey.generate().public_key()
    assert seal_to(public, b"same", aad=AAD)[1:33] != seal_to(public, b"same", aad=AAD)[1:33]


def test_intake_files_use_a_wrapped_file_key_and_a_stream(vault: Vault) -> None:
    aad = file_aad("intake_upload", "3")
    file_key = new_file_key()
    wrapped = wrap_key_to(vault.header.office_public(), file_key, aad=aad)
    out = io.BytesIO()
    with StreamWriter(file_key, out, aad=aad, chunk_size=1024) as writer:
        writer.write(b"scan of a military ID " * 200)
    del file_key  # the intake side keeps nothing that opens the file

    office = vault.master.office_private_key(vault.header)
    recovered = unwrap_key_with(office, wrapped, aad=aad)
    reader = StreamReader(recovered, io.BytesIO(out.getvalue()), aad=aad)
    assert reader.read_all() == b"scan of a military ID " * 200
    with pytest.raises(TamperedError):
        unwrap_key_with(office, wrapped, aad=file_aad("intake_upload", "4"))


def test_wrapped_keys_and_sealed_messages_are_not_interchangeable() -> None:
    recipient = X25519PrivateKey.generate()
    wrapped = wrap_key_to(recipient.public_key(), new_file_key(), aad=AAD)
    with pytest.raises(TamperedError):
        open_sealed(recipient, wrapped, aad=AAD)
    sealed = seal_to(recipient.public_key(), bytes(32), aad=AAD)
    with pytest.raises(TamperedError):
        unwrap_key_with(recipient, sealed, aad=AAD)
    with pytest.raises(ValueError):
        wrap_key_to(recipient.public_key(), b"short", aad=AAD)


def test_person_keys_open_with_the_codename_in_any_case_or_spacing(kdf: KdfParams) -> None:
    public, salt, encrypted = PersonKeys.create("Тихий Буксир Полночь", kdf)
    private = PersonKeys.open("  тихий   буксир\tПОЛНОЧЬ ", salt, encrypted, kdf)
    assert private.public_key().public_bytes_raw() == public
    reply = seal_to(X25519PublicKey.from_public_bytes(public), b"your letter was sent", aad=AAD)
    assert open_sealed(private, reply, aad=AAD) == b"your letter was sent"


def test_person_keys_refuse_a_wrong_or_empty_codename(kdf: KdfParams) -> None:
    _, salt, encrypted = PersonKeys.create("тихий буксир полночь", kdf)
    for wrong in ("тихий буксир полдень", "", "   "):
        with pytest.raises(WrongSecretError, match="wrong codename") as caught:
            PersonKeys.open(wrong, salt, encrypted, kdf)
        assert "буксир" not in str(caught.value)


def test_person_keys_use_recorded_costs_and_refuse_a_mismatch(kdf: KdfParams) -> None:
    _, salt, encrypted = PersonKeys.create("alpha bravo", kdf)
    assert PersonKeys.open("alpha bravo", salt, encrypted).public_key()  # costs from the blob
    with pytest.raises(VaultError, match="KDF costs differ"):
        PersonKeys.open("alpha bravo", salt, encrypted, KdfParams("argon2id", 2, 8, 1, salt))


def test_person_keys_refuse_a_malformed_blob(kdf: KdfParams) -> None:
    _, salt, encrypted = PersonKeys.create("alpha bravo", kdf)
    with pytest.raises(TamperedError):
        PersonKeys.open("alpha bravo", salt, encrypted[:-1], kdf)
    forged = encrypted[:1] + (10**6).to_bytes(4, "big") + encrypted[5:]  # absurd time cost
    with pytest.raises(TamperedError):
        PersonKeys.open("alpha bravo", salt, forged)
    with pytest.raises(TamperedError):
        PersonKeys.open("alpha bravo", b"short", encrypted)


def test_derive_secret_key_is_deterministic_and_salted(kdf: KdfParams) -> None:
    salt = b"\x01" * 16
    key = derive_secret_key("codename", salt, kdf)
    assert len(key) == 32 and key == derive_secret_key("codename", salt, kdf)
    assert key != derive_secret_key("codename", b"\x02" * 16, kdf)
    with pytest.raises(ValueError):
        derive_secret_key("", salt, kdf)


def test_kdf_params_validate_their_bounds() -> None:
    production = KdfParams.production()
    assert (production.time_cost, production.memory_kib, production.parallelism) == (
        3,
        512 * 1024,
        2,
    )
    for bad in (
        dict(time_cost=0),
        dict(memory_kib=4),
        dict(parallelism=0),
        dict(salt=b"short"),
        dict(algorithm="argon2i"),
        dict(time_cost=True),
    ):
        fields = dict(algorithm="argon2id", time_cost=1, memory_kib=8, parallelism=1, salt=bytes(16))
        fields.update(bad)
        with pytest.raises(ValueError):
            KdfParams(**fields)  # type: ignore[arg-type]
