"""Where encrypted files live on disk: one flat folder per store, names from record ids only.

The store never sees a key or a plaintext byte; it hands out open files. Every name is checked
against a strict pattern and every path is confined to the store's folder before use, so no
caller (and no attacker-chosen file name) can make it touch anything else.

Crash safety (SIGKILL, power loss) rests on three rules:

1. A file being written is ``<id>.part``, created with ``O_EXCL`` and held under an exclusive
   ``flock`` for as long as its writer lives. The kernel drops that lock when the process dies,
   however it dies.
2. It becomes ``<id>.enc`` by an atomic rename, after ``fsync``, while the lock is still held,
   inside the database transaction that creates its row; the lock is released only after the
   commit.
3. :meth:`EncryptedStore.sweep` deletes a ``.part`` whose lock it can take (its writer is dead)
   and an ``.enc`` whose lock it can take and that no live row claims (its writer died between
   the rename and the commit, or its row was deleted). A file whose lock is held is never
   touched, so a sweep can run at any time, in any process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

__all__ = ["EncryptedStore", "PartFile", "StoreError", "SweepReport"]

# Written data is handed to the disk in steps of this size while a file comes in (see
# :meth:`PartFile.start_writeback`).
WRITEBACK_STEP = 8 << 20

_NAME = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(part|enc)$")
PART, FINAL = "part", "enc"


class StoreError(Exception):
    """A store operation failed; the message names no file content."""


@dataclass
class SweepReport:
    """What a sweep removed (ids only)."""

    parts_removed: list[str] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    busy: int = 0

    @property
    def removed(self) -> int:
        return len(self.parts_removed) + len(self.orphans_removed)


class PartFile:
    """A locked ``.part`` file being written; becomes final with :meth:`publish`.

    Use :meth:`release` (or :meth:`discard`) in a ``finally``: until then the lock keeps every
    sweep away from it.
    """

    def __init__(self, store: EncryptedStore, record_id: uuid.UUID, handle: BinaryIO) -> None:
        self._store = store
        self.record_id = record_id
        self.handle = handle
        self.published = False
        self._written_back = 0

    @property
    def closed(self) -> bool:
        return self.handle.closed

    def start_writeback(self) -> None:
        """Start writing what has been written so far to disk, without waiting for it.

        On Linux, ``POSIX_FADV_DONTNEED`` on a range of dirty pages starts their writeback at
        once (it drops only clean pages, and these are not clean yet, so a check that reads the
        file back still finds it cached). The disk then works while the rest of the file is
        still being received and encrypted, instead of all at once in the final ``fsync``.
        Durability still rests on :meth:`sync`.
        """
        if not hasattr(os, "posix_fadvise"):  # not on macOS: the final fsync does all the work
            return
        end = self.handle.tell()
        if end - self._written_back >= WRITEBACK_STEP:
            os.posix_fadvise(self.handle.fileno(), self._written_back, end - self._written_back, os.POSIX_FADV_DONTNEED)
            self._written_back = end

    def sync(self) -> None:
        """Flush the file's data to disk (before it is renamed into place)."""
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def publish(self) -> None:
        """Rename ``<id>.part`` to ``<id>.enc`` (atomic) and make the rename durable.

        Call inside the transaction that creates the file's row; keep the lock until it commits.
        """
        self.sync()
        os.replace(self._store.path_for(self.record_id, PART), self._store.path_for(self.record_id, FINAL))
        self._store.sync_folder()
        self.published = True

    def unpublish(self) -> None:
        """Undo :meth:`publish` when the transaction that was to claim the file fails."""
        if self.published:
            os.replace(self._store.path_for(self.record_id, FINAL), self._store.path_for(self.record_id, PART))
            self.published = False

    def release(self) -> None:
        """Close the file, which releases the lock."""
        if not self.handle.closed:
            self.handle.close()

    def discard(self) -> None:
        """Delete the unpublished file and release the lock (nothing half-written stays)."""
        if not self.published:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._store.path_for(self.record_id, PART))
        self.release()


class EncryptedStore:
    """One folder of encrypted files named ``<uuid>.enc`` (SecureDrop-style: paths stay inside).

    Args:
        root: the folder (created 0700 if missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path_for(self, record_id: uuid.UUID, state: str = FINAL) -> Path:
        """The confined path of a record's file (``state`` is ``"part"`` or ``"enc"``)."""
        if not isinstance(record_id, uuid.UUID) or state not in (PART, FINAL):
            raise StoreError("invalid store name")
        name = f"{record_id}.{state}"
        if not _NAME.match(name):  # pragma: no cover - str(UUID) always matches
            raise StoreError("invalid store name")
        path = (self.root / name).resolve()
        if path.parent != self.root:
            raise StoreError("path outside the store")
        return path

    def sync_folder(self) -> None:
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def create(self, record_id: uuid.UUID) -> PartFile:
        """Create and lock ``<id>.part`` for writing (read back too, for checks before publishing).

        Raises:
            StoreError: the name exists already or cannot be created.
        """
        path = self.path_for(record_id, PART)
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            raise StoreError("a file with this id is already being written") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # A sweep may have unlinked the new file between open() and flock(): then the name
            # now points nowhere (or elsewhere) and this handle must not be used.
            if os.fstat(fd).st_ino != os.stat(path, follow_symlinks=False).st_ino:
                raise FileNotFoundError
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            raise StoreError("the new file was removed while it was being opened; try again") from None
        except BaseException:
            os.close(fd)
            raise
        return PartFile(self, record_id, os.fdopen(fd, "r+b", buffering=0))

    def open(self, record_id: uuid.UUID) -> BinaryIO:
        """Open a published file for reading.

        Raises:
            FileNotFoundError: there is no such file (deleted, or never published).
        """
        fd = os.open(self.path_for(record_id, FINAL), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        return os.fdopen(fd, "rb", buffering=0)

    def exists(self, record_id: uuid.UUID) -> bool:
        return self.path_for(record_id, FINAL).exists()

    def size(self, record_id: uuid.UUID) -> int:
        return self.path_for(record_id, FINAL).stat().st_size

    def delete(self, record_id: uuid.UUID) -> bool:
        """Remove a published file (its key is destroyed by the caller); True if it existed."""
        try:
            os.unlink(self.path_for(record_id, FINAL))
        except FileNotFoundError:
            return False
        self.sync_folder()
        return True

    def _entries(self, states: Iterable[str]) -> Iterator[tuple[uuid.UUID, str, Path]]:
        wanted = set(states)
        with os.scandir(self.root) as entries:
            for entry in entries:
                match = _NAME.match(entry.name)
                if match is None or match.group(2) not in wanted:
                    continue
                yield uuid.UUID(match.group(1)), match.group(2), self.root / entry.name

    def ids(self) -> set[uuid.UUID]:
        """Ids of the published files."""
        return {record_id for record_id, _state, _path in self._entries([FINAL])}

    @staticmethod
    @contextlib.contextmanager
    def _unlocked(path: Path) -> Iterator[bool]:
        """Yield True while holding the file's lock (its writer is gone), False if it is busy."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    yield False
                    return
                raise
            yield True
        finally:
            os.close(fd)

    def sweep(self, claimed: Callable[[set[uuid.UUID]], set[uuid.UUID]] | None = None) -> SweepReport:
        """Remove what dead writers left: every unlocked ``.part``, and (given ``claimed``) every
        unlocked ``.enc`` that no live row claims.

        Args:
            claimed: given a set of ids, returns those that live rows claim. Called once for
                every published file, then again for each candidate orphan after its lock was
                taken, so a writer that committed just before is seen. Without it, only
                ``.part`` files are swept.

        Returns:
            A :class:`SweepReport`.
        """
        report = SweepReport()
        entries = list(self._entries([PART, FINAL] if claimed is not None else [PART]))
        finals = {record_id for record_id, state, _path in entries if state == FINAL}
        unclaimed = finals - claimed(finals) if claimed is not None and finals else set()
        for record_id, state, path in entries:
            if state == FINAL and record_id not in unclaimed:
                continue
            with self._unlocked(path) as free:
                if not free:
                    report.busy += 1
                    continue
                # Ask again under the lock: a writer that held it may have committed meanwhile.
                if state == FINAL and claimed is not None and claimed({record_id}):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                (report.parts_removed if state == PART else report.orphans_removed).append(str(record_id))
        if report.removed:
            self.sync_folder()
        return report
