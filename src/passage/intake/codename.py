"""Codenames: random words from the EFF long list, and the one way to compare them.

A codename is the person's only credential: no phone number, no e-mail, no name. It is drawn
by the operating system's CSPRNG, shown once, and never stored; the server keeps only slow
hashes of it (see :mod:`passage.intake.accounts`). Pure Python, no Django.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = [
    "WORD_COUNT",
    "bits_of_entropy",
    "canonical",
    "generate",
    "unknown_words",
    "word_list",
]

WORD_COUNT = 7
_LIST_FILE = Path(__file__).with_name("data") / "eff_large_wordlist.txt"
_NOT_LETTER = re.compile(r"[^a-z]+")
# Codename words are Latin only, so a Cyrillic letter can only be a key pressed with the
# Russian (ЙЦУКЕН) layout on: map it to the Latin key in the same place, as a person would
# when they notice. Keys that are punctuation on the Latin layout (х ъ ж э б ю ё) are not
# letters of any word, so they become separators.
_RU_LAYOUT = str.maketrans(
    "йцукенгшщзфывапролдячсмитьхъжэбюё",
    "qwertyuiopasdfghjklzxcvbnm       ",
)


@lru_cache(maxsize=1)
def word_list() -> tuple[str, ...]:
    """The 7,776 words, in list order."""
    words = tuple(_LIST_FILE.read_text(encoding="ascii").split())
    if len(words) != 7776 or len(set(words)) != 7776:
        raise RuntimeError(f"{_LIST_FILE.name}: expected 7,776 distinct words")
    return words


@lru_cache(maxsize=1)
def _word_set() -> frozenset[str]:
    # Hyphenated words are compared as their parts, like everything else (see canonical()).
    return frozenset(part for word in word_list() for part in word.split("-"))


def bits_of_entropy(words: int = WORD_COUNT) -> float:
    """Entropy of a codename of ``words`` words drawn uniformly from the list."""
    return words * math.log2(len(word_list()))


def generate(words: int = WORD_COUNT) -> str:
    """A new random codename: ``words`` list words separated by single spaces.

    Raises:
        ValueError: fewer than 7 words (below 90 bits).
    """
    if words < WORD_COUNT:
        raise ValueError(f"a codename needs at least {WORD_COUNT} words")
    choices = word_list()
    return " ".join(secrets.choice(choices) for _ in range(words))


def canonical(typed: str) -> str:
    """The form of a codename that is hashed: what a person means, whatever they typed.

    Lower case; Cyrillic letters typed with the Russian layout become the Latin letters of the
    same keys; every run of characters that are not Latin letters (spaces, hyphens, commas,
    dots, digits, line breaks) becomes one space. The words keep all their entropy: only
    spelling noise is removed.

    Returns:
        The canonical text (empty if nothing letter-like was typed).
    """
    text = unicodedata.normalize("NFKC", typed).casefold()
    text = text.translate(_RU_LAYOUT)
    # Accents (é) fold to their base letter; other scripts fall away as separators.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_LETTER.split(text)).strip()


def unknown_words(typed: str) -> list[str]:
    """Words of ``typed`` that are not in the list: a spelling hint that reveals no account."""
    known = _word_set()
    return [word for word in canonical(typed).split() if word not in known]
