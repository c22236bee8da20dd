"""Codenames: enough entropy, forgiving to type, stored only as slow hashes, compared in constant time."""

from __future__ import annotations

import hmac
import math
from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from passage.intake import codename
from passage.intake.keys import lookup_hash
from passage.intake.models import Account, IntakeOffice
from passage.vault import PersonKeys, WrongSecretError
from tests.intake.conftest import Person


def test_the_word_list_is_the_eff_long_list() -> None:
    words = codename.word_list()
    assert len(words) == 7776
    assert len(set(words)) == 7776
    assert words[0] == "abacus" and words[-1] == "zoom"
    assert all(word.replace("-", "").isascii() and word.replace("-", "").isalpha() for word in words)


def test_a_codename_carries_at_least_90_bits() -> None:
    assert codename.WORD_COUNT >= 7
    assert codename.bits_of_entropy() == pytest.approx(7 * math.log2(7776))
    assert codename.bits_of_entropy() >= 90
    assert len(codename.generate().split()) == codename.WORD_COUNT


def test_shorter_codenames_are_refused() -> None:
    with pytest.raises(ValueError):
        codename.generate(6)


def test_codenames_are_drawn_from_the_whole_list() -> None:
    seen = Counter(word for _ in range(2000) for word in codename.generate().split())
    assert len(seen) > 6000  # 14,000 draws from 7,776 words: a uniform draw touches ~6,490
    assert max(seen.values()) < 15


def test_typing_noise_does_not_matter() -> None:
    assert codename.canonical("  Abacus--ZOOM,\tt-shirt. ") == "abacus zoom t shirt"
    assert codename.canonical("фифсгы") == "abacus"  # typed with the Russian layout on
    assert codename.canonical("") == ""


def test_two_codenames_never_fold_together() -> None:
    canon = {codename.canonical(word) for word in codename.word_list()}
    assert len(canon) == 7776


def test_misspelt_words_are_pointed_out() -> None:
    assert codename.unknown_words("abacus abcus zoom") == ["abcus"]


def test_the_lookup_is_argon2id_with_one_office_salt(db: Any) -> None:
    first = lookup_hash("abacus zoom")
    assert first == lookup_hash("abacus zoom")  # deterministic: the login needs no scan
    assert first != lookup_hash("abacus zoon")
    assert len(first) == 64
    office = IntakeOffice.objects.get()
    assert len(bytes(office.lookup_salt)) >= 16


def test_no_codename_is_stored_in_plaintext(person: Person, sealed_office: Any) -> None:
    person.get_codename()
    person.practise()
    person.answer_all(story="story")
    person.send()
    words = person.codename.split()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        dump = []
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            dump.extend(repr(row) for row in cursor.fetchall())
    everything = "\n".join(dump)
    assert person.codename not in everything
    assert " ".join(words[:3]) not in everything
    assert codename.canonical(person.codename) not in everything


def test_the_reply_key_opens_only_with_the_codename(person: Person, sealed_office: Any) -> None:
    person.get_codename()
    account = Account.objects.get()
    salt, blob = bytes(account.reply_key_salt), bytes(account.reply_private_key)
    key = PersonKeys.open(codename.canonical(person.codename), salt, blob)
    assert key.public_key().public_bytes_raw() == bytes(account.reply_public_key)
    with pytest.raises(WrongSecretError):
        PersonKeys.open("abacus abdomen abdominal abide abiding ability ablaze", salt, blob)


def test_a_wrong_codename_is_refused(person: Person, sealed_office: Any) -> None:
    person.get_codename()
    person.practise()
    wrong = person.log_in(codename.generate())
    assert wrong.status_code == 400
    assert (
        "No account has this codename" in wrong.content.decode() or "Такой кодовой фразы нет" in wrong.content.decode()
    )
    right = person.log_in()
    assert right.status_code == 200


def test_codenames_are_compared_in_constant_time(person: Person, sealed_office: Any) -> None:
    person.get_codename()
    with mock.patch("passage.intake.portal.hmac.compare_digest", wraps=hmac.compare_digest) as compare:
        person.practise()
        person.log_in()
    assert compare.call_count == 2
    for call in compare.call_args_list:
        assert all(isinstance(argument, str) and len(argument) == 64 for argument in call.args)
