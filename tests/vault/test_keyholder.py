"""Key holders and the key daemon, in one process (the two-process test is separate)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from passage.vault import (
    KeyDaemon,
    LocalKeyHolder,
    SealedError,
    SocketKeyHolder,
    VaultError,
)

from .conftest import Vault


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def socket_path(short_tmp: Path) -> Path:
    return short_tmp / "keyd" / "sock"


@pytest.fixture
def daemon(socket_path: Path, clock: FakeClock) -> Iterator[KeyDaemon]:
    keyd = KeyDaemon(socket_path, auto_seal_after=60, clock=clock)
    thread = keyd.start()
    yield keyd
    keyd.stop()
    thread.join(5)


# -- LocalKeyHolder ---------------------------------------------------------------------------


def test_local_holder_unseals_seals_and_keeps_its_own_copy(vault: Vault) -> None:
    holder = LocalKeyHolder()
    assert holder.is_sealed()
    with pytest.raises(SealedError):
        holder.master()
    caller_copy = vault.master.copy()
    holder.unseal(caller_copy)
    caller_copy.wipe()  # the unseal view wipes its copy; the holder's survives
    held = holder.master()
    assert held.key_bytes() == vault.master.key_bytes()
    holder.seal()
    assert held.is_wiped and holder.is_sealed()


def test_local_holder_auto_seals_after_inactivity(vault: Vault, clock: FakeClock) -> None:
    holder = LocalKeyHolder(auto_seal_after=300, clock=clock)
    holder.unseal(vault.master)
    clock.now += 299
    holder.touch()
    clock.now += 299
    assert not holder.is_sealed()  # counts as activity
    clock.now += 300
    assert holder.is_sealed()


# -- SocketKeyHolder and KeyDaemon in one process ------------------------------------------


def test_the_socket_and_its_directory_are_private(daemon: KeyDaemon, socket_path: Path) -> None:
    assert stat.S_IMODE(os.stat(socket_path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(socket_path).st_mode) == 0o600
    assert stat.S_ISSOCK(os.lstat(socket_path).st_mode)


def test_a_seal_by_one_worker_reaches_the_others_at_their_next_request(
    daemon: KeyDaemon, socket_path: Path, vault: Vault
) -> None:
    unseal_view, worker = SocketKeyHolder(socket_path), SocketKeyHolder(socket_path)
    assert worker.is_sealed()
    unseal_view.unseal(vault.master)
    cached = worker.master()
    assert cached.key_bytes() == vault.master.key_bytes() and cached.version == 1
    assert worker.master() is cached  # same epoch: no key sent again
    unseal_view.seal()
    with pytest.raises(SealedError):
        worker.master()
    assert cached.is_wiped  # the worker's copy is zeroed, not just forgotten
    assert daemon.sealed


def test_a_new_unseal_replaces_cached_keys(
    daemon: KeyDaemon, socket_path: Path, vault: Vault, other_vault: Vault
) -> None:
    a, b = SocketKeyHolder(socket_path), SocketKeyHolder(socket_path)
    a.unseal(vault.master)
    first = b.master()
    a.unseal(other_vault.master)  # e.g. after a master-key rotation
    second = b.master()
    assert first.is_wiped and second.key_bytes() == other_vault.master.key_bytes()


def test_the_daemon_auto_seals_and_passive_polls_do_not_keep_it_open(
    daemon: KeyDaemon, socket_path: Path, vault: Vault, clock: FakeClock
) -> None:
    web, tasks = SocketKeyHolder(socket_path), SocketKeyHolder(socket_path, passive=True)
    web.unseal(vault.master)  # activity at t0; the limit is 60 s
    clock.now += 30
    assert not tasks.is_sealed()
    held = tasks.master()  # passive: neither call postpones the auto-seal
    clock.now += 30
    assert tasks.is_sealed() and web.is_sealed()
    assert held.is_wiped


def test_active_requests_keep_the_daemon_unsealed(
    daemon: KeyDaemon, socket_path: Path, vault: Vault, clock: FakeClock
) -> None:
    web = SocketKeyHolder(socket_path)
    web.unseal(vault.master)
    for _ in range(10):
        clock.now += 50
        web.master()
    assert not web.is_sealed()
    clock.now += 61
    with pytest.raises(SealedError):
        web.master()


def test_an_unreachable_daemon_means_sealed(daemon: KeyDaemon, socket_path: Path, vault: Vault) -> None:
    holder = SocketKeyHolder(socket_path, timeout=0.5)
    holder.unseal(vault.master)
    cached = holder.master()
    daemon.stop()
    for _ in range(50):
        if not socket_path.exists():
            break
        import time

        time.sleep(0.05)
    assert holder.is_sealed()
    assert cached.is_wiped
    with pytest.raises(SealedError):
        holder.master()
    with pytest.raises(VaultError, match="other processes may still be unsealed"):
        holder.seal()


def test_the_daemon_answers_junk_without_crashing(daemon: KeyDaemon, socket_path: Path, vault: Vault) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.settimeout(2)
        raw.connect(str(socket_path))
        raw.sendall((100_000).to_bytes(4, "big"))  # over the frame limit
        assert raw.recv(10) == b""  # dropped
    holder = SocketKeyHolder(socket_path)
    assert holder._call({"op": "launch"})["error"] == "unknown op"
    assert holder._call({"op": "put", "key": "AAAA", "version": 1})["error"] == "bad key"
    assert holder._call({"op": "put", "key": "!", "version": 1})["error"] == "bad key"
    assert holder.is_sealed()
    holder.unseal(vault.master)
    assert not holder.is_sealed()


def test_a_second_daemon_on_the_same_socket_is_refused(daemon: KeyDaemon, socket_path: Path) -> None:
    with pytest.raises(VaultError, match="another daemon"):
        KeyDaemon(socket_path).serve_forever()


def test_a_stale_socket_file_is_replaced(socket_path: Path) -> None:
    socket_path.parent.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path))
    stale.close()  # file remains, nobody listens
    keyd = KeyDaemon(socket_path)
    thread = keyd.start()
    assert SocketKeyHolder(socket_path).is_sealed()
    keyd.stop()
    thread.join(5)
    assert not socket_path.exists()


def test_it_refuses_an_open_socket_directory(socket_path: Path) -> None:
    socket_path.parent.mkdir()
    os.chmod(socket_path.parent, 0o755)  # noqa: S103  the misconfiguration under test
    with pytest.raises(VaultError, match="0700"):
        KeyDaemon(socket_path).serve_forever()


def test_it_refuses_a_symlinked_socket_directory(short_tmp: Path) -> None:
    real = short_tmp / "real"
    real.mkdir(mode=0o700)
    (short_tmp / "link").symlink_to(real)
    with pytest.raises(VaultError, match="symlink"):
        KeyDaemon(short_tmp / "link" / "sock").serve_forever()


def test_it_refuses_to_replace_a_regular_file(socket_path: Path) -> None:
    socket_path.parent.mkdir(mode=0o700)
    socket_path.write_text("not a socket")
    with pytest.raises(VaultError, match="not a socket"):
        KeyDaemon(socket_path).serve_forever()


def test_auto_seal_must_be_positive(socket_path: Path) -> None:
    with pytest.raises(ValueError):
        KeyDaemon(socket_path, auto_seal_after=0)


def test_a_forked_child_drops_the_parents_copy_and_reconnects(
    daemon: KeyDaemon, socket_path: Path, vault: Vault
) -> None:
    holder = SocketKeyHolder(socket_path)
    holder.unseal(vault.master)
    inherited = holder.master()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child; never returns into pytest
        report = "error"
        try:
            fresh = holder.master()
            same = fresh.key_bytes() == vault.master.key_bytes()
            report = f"{inherited.is_wiped} {fresh is not inherited} {same}"
        finally:
            os.write(write_end, report.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read().decode()
    os.waitpid(pid, 0)
    assert report.split() == ["True", "True", "True"]
    assert not inherited.is_wiped  # the parent's copy is untouched
    assert holder.master() is inherited
