"""The store: paths confined, writers locked, sweeps remove only what dead writers left."""

from __future__ import annotations

import multiprocessing
import os
import uuid

import pytest

from passage.evidence import locker
from passage.evidence.store import EncryptedStore, StoreError
from tests.evidence import files
from tests.evidence.conftest import add, store_files


def test_names_are_confined_to_the_store(tmp_path):
    store = EncryptedStore(tmp_path / "s")
    with pytest.raises(StoreError):
        store.path_for("../../etc/passwd")  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.path_for(uuid.uuid4(), "exe")
    assert store.path_for(uuid.UUID(int=1)).parent == store.root


def test_a_symlink_cannot_redirect_a_write(tmp_path):
    store = EncryptedStore(tmp_path / "s")
    record = uuid.uuid4()
    (tmp_path / "target").write_bytes(b"keep")
    os.symlink(tmp_path / "target", store.path_for(record, "part"))
    with pytest.raises(StoreError):
        store.create(record)
    assert (tmp_path / "target").read_bytes() == b"keep"


def test_writeback_started_during_a_write_changes_nothing_in_the_file(tmp_path):
    from passage.evidence.store import WRITEBACK_STEP

    store = EncryptedStore(tmp_path / "s")
    record = uuid.uuid4()
    part = store.create(record)
    blocks = [os.urandom(1 << 20) for _ in range(WRITEBACK_STEP // (1 << 20) * 2 + 3)]
    for block in blocks:
        part.handle.write(block)
        part.start_writeback()  # every WRITEBACK_STEP bytes: asks the kernel to start writing
    part.publish()
    part.release()
    assert store.path_for(record).read_bytes() == b"".join(blocks)


def _hold_lock(path, ready, done):  # runs in a child process
    store = EncryptedStore(path)
    part = store.create(uuid.UUID(int=7))
    part.handle.write(b"in progress")
    ready.set()
    done.wait(30)


def test_a_sweep_leaves_a_live_writer_alone_and_removes_a_dead_ones_part(tmp_path):
    root = tmp_path / "s"
    EncryptedStore(root)
    context = multiprocessing.get_context("fork")
    ready, done = context.Event(), context.Event()
    child = context.Process(target=_hold_lock, args=(root, ready, done))
    child.start()
    assert ready.wait(30)
    store = EncryptedStore(root)
    report = store.sweep()
    assert report.busy == 1 and report.removed == 0 and store.path_for(uuid.UUID(int=7), "part").exists()
    child.kill()  # like SIGKILL of a server process in the middle of an upload
    child.join()
    report = store.sweep()
    assert report.parts_removed == [str(uuid.UUID(int=7))]
    assert not any(root.iterdir())


def test_a_full_sweep_removes_unclaimed_files_and_keeps_claimed_ones(office, private_media):
    item = add(office, files.text_pdf("claimed"))
    orphan = locker.evidence_store().path_for(uuid.uuid4())
    orphan.write_bytes(b"left by a writer killed between rename and commit")
    report = locker.sweep(full=True)
    assert report["evidence"]["orphans_removed"] == 1
    assert [path.name for path in store_files(private_media)] == [f"{item.id}.enc"]


def test_the_sweep_before_uploads_only_removes_parts(office, private_media):
    add(office, files.text_pdf("claimed"))
    orphan = locker.evidence_store().path_for(uuid.uuid4())
    orphan.write_bytes(b"x")
    part = locker.evidence_store().path_for(uuid.uuid4(), "part")
    part.write_bytes(b"y")
    report = locker.sweep(full=False)
    assert report["evidence"] == {"parts_removed": 1, "orphans_removed": 0, "busy": 0}
    assert orphan.exists() and not part.exists()


def test_the_cleanup_command(office, private_media):
    from io import StringIO

    from django.core.management import call_command

    locker.evidence_store().path_for(uuid.uuid4(), "part").write_bytes(b"y")
    out = StringIO()
    call_command("evidence-cleanup", stdout=out)
    assert "evidence: removed 1 unfinished and 0 unclaimed files" in out.getvalue()
    assert not list(private_media.rglob("*.part"))
