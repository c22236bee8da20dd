"""Hypothesis strategies for the vault tests, kept in one place."""

from __future__ import annotations

from hypothesis import strategies as st

plaintexts = st.binary(max_size=4096)
associated_data = st.binary(max_size=64)

identifier_parts = st.text(min_size=1, max_size=12)
field_locations = st.tuples(identifier_parts, identifier_parts, identifier_parts)

# Latin and Cyrillic letters only: their upper and lower cases casefold to the same letters
# (unlike, say, Turkish dotless i), which is what the blind-index property below relies on.
_LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
names = st.lists(st.text(alphabet=_LETTERS, min_size=1, max_size=10), min_size=1, max_size=4)

chunk_sizes = st.integers(min_value=1, max_value=64)
stream_bodies = st.binary(max_size=600)
write_splits = st.lists(st.integers(min_value=0, max_value=200), max_size=8)
