"""The key daemon with real processes: ``python -m passage.vault.keyd`` and a polling worker.

A peer running under another uid is refused by the daemon (SO_PEERCRED), and a client refuses
a daemon run by another uid. Both need root to start a process as another user; without root
those two tests are skipped, and the 0700 socket directory is then the only layer exercised.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from passage.vault import KeyDaemon, SocketKeyHolder, VaultError

from .conftest import Vault

WORKER = r"""
import hashlib, sys, time
from passage.vault import SealedError, SocketKeyHolder

holder = SocketKeyHolder(sys.argv[1], passive=True)  # a task worker: polling is not activity
last, held = None, None
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        held = holder.master()
        state = "unsealed " + hashlib.sha256(held.key_bytes()).hexdigest()[:16]
    except SealedError:
        state = "sealed copy-wiped=%s" % (held.is_wiped if held is not None else "none")
    if state != last:
        print(state, flush=True)
        last = state
    time.sleep(0.02)
"""


class Lines:
    """Reads a child's stdout line by line with a deadline (never blocks the test forever)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self._process = process
        self._fd = process.stdout.fileno()
        self._buffer = b""

    def expect(self, prefix: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = raw.decode()
                if line.startswith(prefix):
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"worker did not print {prefix!r} within {timeout} s")
            readable, _, _ = select.select([self._fd], [], [], remaining)
            if readable:
                chunk = os.read(self._fd, 4096)
                if not chunk:
                    pytest.fail(f"worker exited with {self._process.wait()}")
                self._buffer += chunk


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _wait_for_socket(path: Path, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"keyd exited early with status {process.returncode}")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(path))
                return
            except OSError:
                time.sleep(0.05)
    pytest.fail("keyd did not start listening")


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(10)


@pytest.fixture
def start_keyd(short_tmp: Path) -> Iterator[object]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*extra: str) -> tuple[Path, subprocess.Popen[bytes], Path]:
        path = short_tmp / "keyd" / "sock"
        log = short_tmp / "keyd.log"
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "passage.vault.keyd", str(path), *extra],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        _wait_for_socket(path, process)
        return path, process, log

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def start_worker() -> Iterator[object]:
    started: list[subprocess.Popen[bytes]] = []

    def start(path: Path) -> Lines:
        process = subprocess.Popen([sys.executable, "-c", WORKER, str(path)], stdout=subprocess.PIPE)
        started.append(process)
        return Lines(process)

    yield start
    for process in started:
        _stop(process)


def test_two_processes_share_the_key_and_the_seal(start_keyd: object, start_worker: object, vault: Vault) -> None:
    path, keyd, log = start_keyd()  # type: ignore[operator]
    worker = start_worker(path)  # type: ignore[operator]
    worker.expect("sealed copy-wiped=none")

    unseal_view = SocketKeyHolder(path)
    unseal_view.unseal(vault.master)
    worker.expect(f"unsealed {_fingerprint(vault.master.key_bytes())}")

    unseal_view.seal()
    worker.expect("sealed copy-wiped=True")  # dropped and zeroed in the other process

    assert _stop(keyd) == 0
    assert not path.exists()  # the socket is removed on SIGTERM
    text = log.read_bytes()
    key = vault.master.key_bytes()
    assert b"unsealed" in text and b"sealed (requested)" in text
    assert base64.b64encode(key) not in text and key.hex().encode() not in text


def test_the_daemon_process_auto_seals_after_inactivity(start_keyd: object, start_worker: object, vault: Vault) -> None:
    path, _keyd, log = start_keyd("--auto-seal-seconds", "1")  # type: ignore[operator]
    worker = start_worker(path)  # type: ignore[operator]
    worker.expect("sealed")
    SocketKeyHolder(path).unseal(vault.master)
    unsealed_at = time.monotonic()
    worker.expect("unsealed")
    worker.expect("sealed copy-wiped=True", timeout=10)
    assert time.monotonic() - unsealed_at >= 0.9  # not before the limit (poll slack aside)
    assert b"sealed (no activity)" in log.read_bytes()


def test_the_module_refuses_bad_arguments(short_tmp: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "passage.vault.keyd", str(short_tmp / "d" / "s"), "--auto-seal-seconds", "0"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and b"positive" in result.stderr


# -- other uids (root only) -------------------------------------------------------------------
# The venv's interpreter may live under a directory another user cannot read, so the other-uid
# side is a forked child that drops to "nobody" instead of a fresh interpreter.

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="acting as another uid needs root")


def _nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user")


def _fork_as(user: pwd.struct_passwd, work: Callable[[], str]) -> tuple[int, int]:
    """Run ``work`` in a child that became ``user``; return (pid, read end of its report)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child; never returns into pytest
        report = "error"
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            report = work()
        except BaseException as exc:  # reported to the parent instead
            report = f"error {exc!r}"
        finally:
            os.write(write_end, report.encode())
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _report(pid: int, read_end: int) -> str:
    with os.fdopen(read_end, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return text


def _ask_status(path: Path) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        try:
            conn.connect(str(path))
        except PermissionError:
            return "cannot connect"
        try:
            conn.sendall(b'\x00\x00\x00\x0f{"op":"status"}')
            return "answered" if conn.recv(100) else "closed"
        except ConnectionError:  # reset or broken pipe: the daemon hung up first
            return "closed"


@needs_root
def test_the_daemon_refuses_a_peer_with_another_uid(short_tmp: Path) -> None:
    nobody = _nobody()
    path = short_tmp / "keyd" / "sock"
    daemon = KeyDaemon(path)
    thread = daemon.start()
    try:
        # First layer: the 0700 directory keeps the other user away from the socket.
        assert _report(*_fork_as(nobody, lambda: _ask_status(path))) == "cannot connect"
        # Misconfigure on purpose so the socket is reachable: SO_PEERCRED must still refuse.
        os.chmod(short_tmp, 0o711)  # noqa: S103  misconfigured on purpose
        os.chmod(path.parent, 0o711)  # noqa: S103  misconfigured on purpose
        os.chmod(path, 0o666)  # noqa: S103  misconfigured on purpose
        assert _report(*_fork_as(nobody, lambda: _ask_status(path))) == "closed"
        assert _ask_status(path) == "answered"  # the owner still gets answers
    finally:
        daemon.stop()
        thread.join(5)


@needs_root
def test_a_client_will_not_hand_the_key_to_another_users_daemon(short_tmp: Path, vault: Vault) -> None:
    nobody = _nobody()
    os.chmod(short_tmp, 0o711)  # noqa: S103  lets "nobody" reach its own directory inside
    directory = short_tmp / "theirs"
    directory.mkdir(mode=0o700)
    os.chown(directory, nobody.pw_uid, nobody.pw_gid)
    path = directory / "sock"

    def serve() -> str:
        KeyDaemon(path).serve_forever()
        return "stopped"

    pid, read_end = _fork_as(nobody, serve)
    try:
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        holder = SocketKeyHolder(path)
        with pytest.raises(VaultError, match="another user"):
            holder.unseal(vault.master)
        assert holder.is_sealed()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.close(read_end)
        os.waitpid(pid, 0)
