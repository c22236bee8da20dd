"""Associated data that binds a ciphertext to the place where it is stored."""

from __future__ import annotations

from ._encoding import length_prefixed

__all__ = ["field_aad", "file_aad"]

_FIELD_LABEL = b"passage/field/v1"
_FILE_LABEL = b"passage/file/v1"


def _checked(name: str, value: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value.encode("utf-8")


def field_aad(table: str, row_id: str, field: str) -> bytes:
    """Associated data for one encrypted database field.

    A ciphertext made with ``field_aad("cases_client", "42", "name")`` fails to decrypt when
    copied to another row, another field or another table: the vault raises ``TamperedError``.

    Args:
        table: table (or model) name.
        row_id: the row's primary key as text (it must be known before encrypting).
        field: column name.

    Returns:
        A length-prefixed encoding, so ``("a", "bc", "d")`` and ``("ab", "c", "d")`` differ.

    Raises:
        ValueError: a part is empty or not a string.
    """
    return length_prefixed(
        _FIELD_LABEL,
        _checked("table", table),
        _checked("row_id", row_id),
        _checked("field", field),
    )


def file_aad(table: str, row_id: str, role: str = "content") -> bytes:
    """Associated data for an encrypted file and for the wrapped key of that file.

    Distinct from every :func:`field_aad` value, so a field ciphertext can never pass as a file.

    Args:
        table: table (or model) name of the record that owns the file.
        row_id: that record's primary key as text.
        role: which file of the record (``"content"``, ``"thumbnail"``, ``"ocr"``, ...).

    Returns:
        A length-prefixed encoding of the label and the three parts.

    Raises:
        ValueError: a part is empty or not a string.
    """
    return length_prefixed(
        _FILE_LABEL,
        _checked("table", table),
        _checked("row_id", row_id),
        _checked("role", role),
    )
