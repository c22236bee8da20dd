"""The files an attacker who seizes the server would read, on SQLite and on PostgreSQL.

SQLite: the database file with its WAL, shared-memory and rollback journal. PostgreSQL: the
database's own folder ``base/<oid>/`` (tables, indexes, TOAST) and the write-ahead log
``pg_wal/``, found through ``SHOW data_directory`` after a ``CHECKPOINT`` so that what the
server holds in memory is on disk too. Both are searched byte for byte.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


class Unreadable(Exception):
    """The database's files cannot be read by this process (the message says why)."""


def canary_forms(canary: str) -> list[bytes]:
    """The encodings someone searching a disk image would try."""
    raw = canary.encode()
    return [raw, canary.encode("utf-16-le"), base64.b64encode(raw), canary.lower().encode(), raw.hex().encode()]


def _sqlite_files() -> list[Path]:
    database = Path(connection.settings_dict["NAME"])
    return [
        Path(f"{database}{suffix}")
        for suffix in ("", "-wal", "-shm", "-journal")
        if Path(f"{database}{suffix}").exists()
    ]


def _postgres_files() -> list[Path]:
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
    folders = [data_directory / "base" / str(oid), data_directory / "pg_wal"]
    for folder in folders:
        if not folder.is_dir() or not os.access(folder, os.R_OK | os.X_OK):
            raise Unreadable(f"{folder} is not readable by uid {os.getuid()} (the server runs as another user)")
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    unreadable = [path for path in files if not os.access(path, os.R_OK)]
    if unreadable:
        raise Unreadable(f"{len(unreadable)} files under {data_directory} are not readable, e.g. {unreadable[0]}")
    return files


def database_files() -> list[Path]:
    """Every file holding this database's data (raises :class:`Unreadable` if they cannot be read)."""
    if connection.vendor == "sqlite":
        return _sqlite_files()
    if connection.vendor == "postgresql":
        return _postgres_files()
    raise Unreadable(f"no file search for {connection.vendor}")


def searchable_database_files() -> list[Path]:
    """:func:`database_files`, or skip the test where this process cannot read them.

    ``make test`` sets ``SEIZURE_SEARCH_REQUIRED=1``: there an unreadable database fails the test
    instead, so the seizure checks can never pass by being skipped.
    """
    try:
        return database_files()
    except Unreadable as why:
        message = f"cannot read the database's files: {why}"
        if os.environ.get("SEIZURE_SEARCH_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)


def data_folder_files() -> list[Path]:
    """The media folder and the logs of the app's data folder."""
    files: list[Path] = []
    for folder in (settings.PASSAGE.media_dir, settings.PASSAGE.log_dir):
        if folder.exists():
            files.extend(path for path in folder.rglob("*") if path.is_file())
    return files


def find(files: list[Path], needles: dict[str, list[bytes]]) -> list[tuple[str, str]]:
    """``(file, needle name)`` for every needle found in any file."""
    found = []
    for path in files:
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a WAL segment recycled while we looked
            continue
        for name, forms in needles.items():
            if any(form in data for form in forms):
                found.append((str(path), name))
    return found
