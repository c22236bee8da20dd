"""Unsealing with a passphrase or with SLIP-39 shares; wrong secrets are detected."""

from __future__ import annotations

import itertools

import pytest

from passage.vault import (
    KdfParams,
    NotEnoughSharesError,
    VaultError,
    VaultHeader,
    WrongSecretError,
    create_vault,
    unseal_with_passphrase,
    unseal_with_shares,
)

from .conftest import PASSPHRASE, Vault


def _everything_said(exc: BaseException | None) -> str:
    """The messages of an exception and its whole chain, suppressed context included."""
    said = ""
    while exc is not None:
        said += f"{exc!r}\n"
        exc = exc.__cause__ or exc.__context__
    return said


def _echoes(said: str, words: list[str]) -> bool:
    """Whether ``said`` quotes the share: two consecutive words of it (single words can clash
    with ordinary English: "check" and "spelling" are SLIP-39 words)."""
    return any(f"{a} {b}" in said for a, b in itertools.pairwise(words))


def _same_key(a: object, b: object) -> bool:
    return a.key_bytes() == b.key_bytes()  # type: ignore[attr-defined]


def test_it_unseals_with_the_passphrase_after_a_json_round_trip(vault: Vault) -> None:
    header = VaultHeader.from_json(vault.header.to_json())
    master = unseal_with_passphrase(header, PASSPHRASE)
    assert _same_key(master, vault.master)
    assert master.version == 1


def test_it_accepts_the_passphrase_typed_with_decomposed_letters(kdf: KdfParams) -> None:
    composed = "зимний путь"  # й as one code point
    decomposed = "зимнии\u0306 путь"  # и + combining breve, as some keyboards send it
    header, master, _ = create_vault(composed, kdf)
    assert _same_key(unseal_with_passphrase(header, decomposed), master)


def test_it_refuses_a_wrong_passphrase(vault: Vault) -> None:
    with pytest.raises(WrongSecretError, match="wrong passphrase") as caught:
        unseal_with_passphrase(vault.header, PASSPHRASE + " ")
    assert PASSPHRASE not in _everything_said(caught.value)


def test_it_refuses_an_empty_passphrase_at_creation(kdf: KdfParams) -> None:
    with pytest.raises(ValueError):
        create_vault("", kdf)


def test_it_records_fresh_salt_and_costs_in_the_header(kdf: KdfParams) -> None:
    header, _, _ = create_vault("a passphrase", kdf)
    recorded = header.passphrase_slot.kdf
    assert recorded.same_costs(kdf)
    assert recorded.salt != kdf.salt  # each vault gets its own salt
    assert '"memory_kib": 8' in header.to_json()


def test_it_unseals_with_every_three_of_five_shares(vault: Vault) -> None:
    for combination in itertools.combinations(vault.mnemonics, 3):
        assert _same_key(unseal_with_shares(vault.header, list(combination)), vault.master)


def test_it_accepts_extra_duplicate_blank_and_oddly_spaced_shares(vault: Vault) -> None:
    shares = [
        "  " + vault.mnemonics[0].upper() + "  ",
        vault.mnemonics[0],
        "",
        "   ".join(vault.mnemonics[2].split()),
        vault.mnemonics[4],
        vault.mnemonics[3],
    ]
    assert _same_key(unseal_with_shares(vault.header, shares), vault.master)


def test_it_refuses_too_few_shares(vault: Vault) -> None:
    with pytest.raises(NotEnoughSharesError, match="2 distinct share"):
        unseal_with_shares(vault.header, vault.mnemonics[:2])
    with pytest.raises(NotEnoughSharesError):
        unseal_with_shares(vault.header, [vault.mnemonics[0]] * 3)  # one share, thrice
    with pytest.raises(NotEnoughSharesError):
        unseal_with_shares(vault.header, [])


def test_it_refuses_shares_of_another_vault(vault: Vault, other_vault: Vault) -> None:
    with pytest.raises(WrongSecretError) as caught:
        unseal_with_shares(vault.header, other_vault.mnemonics[:3])
    assert not isinstance(caught.value, NotEnoughSharesError)


def test_it_refuses_a_mix_of_two_vaults_shares(vault: Vault, other_vault: Vault) -> None:
    with pytest.raises(WrongSecretError):
        unseal_with_shares(vault.header, vault.mnemonics[:2] + other_vault.mnemonics[:1])


def test_it_detects_a_wrong_secret_hidden_behind_a_matching_identifier(vault: Vault, other_vault: Vault) -> None:
    # SLIP-39 happily recovers *some* secret from any consistent share set. A foreign vault's
    # header that happens to carry our identifier (1 in 32768) must still refuse our shares:
    # the verifier, not the library, decides.
    assert other_vault.header.shamir_slot is not None and vault.header.shamir_slot is not None
    from dataclasses import replace

    forged_slot = replace(other_vault.header.shamir_slot, identifier=vault.header.shamir_slot.identifier)
    forged = replace(other_vault.header, shamir_slot=forged_slot)
    with pytest.raises(WrongSecretError, match="do not open this vault"):
        unseal_with_shares(forged, vault.mnemonics[:3])


def test_it_names_the_share_and_word_of_a_typo_without_echoing_words(vault: Vault) -> None:
    words = vault.mnemonics[1].split()
    words[6] = words[6][:-1] + ("x" if words[6][-1] != "x" else "y")  # not a list word
    with pytest.raises(WrongSecretError, match=r"share 2: word 7 is not in the SLIP-39") as caught:
        unseal_with_shares(vault.header, [vault.mnemonics[0], " ".join(words), vault.mnemonics[2]])
    said = _everything_said(caught.value)
    assert not _echoes(said, words) and words[6] not in said


def test_it_catches_a_swapped_valid_word_by_checksum(vault: Vault) -> None:
    words = vault.mnemonics[0].split()
    words[10] = "academic" if words[10] != "academic" else "acid"  # another list word
    with pytest.raises(WrongSecretError, match="share 1: checksum failed") as caught:
        unseal_with_shares(vault.header, [" ".join(words), *vault.mnemonics[1:3]])
    assert not _echoes(_everything_said(caught.value), words)  # the library's message would


def test_it_refuses_shares_for_a_vault_without_a_shamir_slot(kdf: KdfParams) -> None:
    header, _, mnemonics = create_vault("only a passphrase", kdf)
    assert mnemonics == [] and header.shamir_slot is None
    with pytest.raises(VaultError, match="no Shamir shares"):
        unseal_with_shares(header, ["anything"])


@pytest.mark.parametrize("shares", [(0, 3), (4, 3), (1, 3), (2, 17), (2.0, 3)])
def test_it_refuses_impossible_share_splits(kdf: KdfParams, shares: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        create_vault("x", kdf, shares=shares)


def test_it_allows_a_one_of_one_recovery_share(kdf: KdfParams) -> None:
    header, master, mnemonics = create_vault("x", kdf, shares=(1, 1))
    assert len(mnemonics) == 1
    assert _same_key(unseal_with_shares(header, mnemonics), master)
