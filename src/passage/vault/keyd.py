"""The key daemon: holds the master key for every process of one office server.

Run ``python -m passage.vault.keyd SOCKET [--auto-seal-seconds N]`` as the same user as the web
and task workers. See ``README.md`` in this package for the design and its threat notes.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import select
import signal
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from . import _protocol
from ._encoding import b64decode, b64encode
from ._harden import harden_process
from .errors import TamperedError, VaultError

__all__ = ["KeyDaemon", "main"]

log = logging.getLogger("passage.vault.keyd")

_POLL_SECONDS = 0.2
_MAX_CONNECTIONS = 128


def prepare_socket_directory(directory: Path) -> None:
    """Create ``directory`` with mode 0700, or check that an existing one is private.

    Raises:
        VaultError: it is a symlink, not a directory, not ours, or open to group or others.
    """
    if not os.path.lexists(directory):
        os.mkdir(directory, 0o700)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise VaultError("key daemon: socket directory is not a directory (or is a symlink)")
    if info.st_uid != os.getuid():
        raise VaultError("key daemon: socket directory belongs to another user")
    if info.st_mode & 0o077:
        raise VaultError("key daemon: socket directory must have mode 0700")


def _socket_is_live(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(1.0)
        probe.connect(str(path))
    except OSError:
        return False
    else:
        return True
    finally:
        probe.close()


class KeyDaemon:
    """Serves the master key over a private Unix socket to processes of the same user.

    State: the key (or none: sealed), its master-key version, and an epoch that changes on
    every put and seal. The epoch starts at a random value so that a client that cached a key
    from an earlier daemon run cannot mistake a new run's epoch for its own.
    """

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        auto_seal_after: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the daemon (nothing is bound until :meth:`serve_forever`).

        Args:
            socket_path: the socket file; its directory is created 0700 if missing.
            auto_seal_after: seconds of inactivity after which the key is wiped, or ``None``.
            clock: monotonic clock (replaceable in tests).

        Raises:
            ValueError: a non-positive ``auto_seal_after``.
        """
        if auto_seal_after is not None and not auto_seal_after > 0:
            raise ValueError("auto_seal_after must be positive")
        self._path = Path(socket_path)
        self._auto_seal_after = auto_seal_after
        self._clock = clock
        self._lock = threading.Lock()
        self._key: bytearray | None = None
        self._version = 0
        self._epoch = secrets.randbits(48) + 1
        self._last_activity = clock()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._bound_inode: int | None = None

    # -- state -------------------------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        """Whether no key is held."""
        with self._lock:
            self._auto_seal_locked()
            return self._key is None

    @property
    def epoch(self) -> int:
        """The current epoch."""
        with self._lock:
            return self._epoch

    def _wipe_locked(self) -> None:
        if self._key is not None:
            self._key[:] = bytes(len(self._key))
            self._key = None
            self._version = 0

    def _seal_locked(self, reason: str) -> None:
        was_unsealed = self._key is not None
        self._wipe_locked()
        self._epoch += 1
        if was_unsealed:
            log.info("sealed (%s)", reason)

    def _auto_seal_locked(self) -> None:
        if (
            self._key is not None
            and self._auto_seal_after is not None
            and self._clock() - self._last_activity >= self._auto_seal_after
        ):
            self._seal_locked("no activity")

    def _state(self, **extra: Any) -> dict[str, Any]:
        return {"ok": True, "sealed": self._key is None, "epoch": self._epoch, **extra}

    def _error(self, error: str) -> dict[str, Any]:
        return {"ok": False, "error": error, "sealed": self._key is None, "epoch": self._epoch}

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one protocol request (see :mod:`passage.vault._protocol`)."""
        with self._lock:
            self._auto_seal_locked()
            op = request.get("op")
            activity = request.get("activity", True) is not False
            if op == "status":
                if activity:
                    self._last_activity = self._clock()
                return self._state()
            if op == "touch":
                self._last_activity = self._clock()
                return self._state()
            if op == "put":
                return self._put_locked(request)
            if op == "get":
                if self._key is None:
                    return self._error("sealed")
                if activity:
                    self._last_activity = self._clock()
                if request.get("have_epoch") == self._epoch:
                    return self._state()
                return self._state(key=b64encode(bytes(self._key)), version=self._version)
            if op == "seal":
                self._seal_locked("requested")
                return self._state()
            return self._error("unknown op")

    def _put_locked(self, request: dict[str, Any]) -> dict[str, Any]:
        version = request.get("version")
        try:
            key = b64decode(request.get("key"), field="key")
        except TamperedError:
            return self._error("bad key")
        if len(key) != 32 or type(version) is not int or not 1 <= version < 1 << 32:
            return self._error("bad key")
        self._wipe_locked()
        self._key = bytearray(key)
        self._version = version
        self._epoch += 1
        self._last_activity = self._clock()
        log.info("unsealed (master key version %d)", version)
        return self._state()

    # -- serving -----------------------------------------------------------------------------

    def _bind(self) -> socket.socket:
        prepare_socket_directory(self._path.parent)
        if os.path.lexists(self._path):
            if _socket_is_live(self._path):
                raise VaultError("key daemon: another daemon is listening on this socket")
            if not stat.S_ISSOCK(os.lstat(self._path).st_mode):
                raise VaultError("key daemon: refusing to replace a file that is not a socket")
            os.unlink(self._path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            # The 0700 directory already keeps other users out while the mode is tightened.
            listener.bind(str(self._path))
            os.chmod(self._path, 0o600)
            self._bound_inode = os.lstat(self._path).st_ino
            listener.listen(32)
        except BaseException:
            listener.close()
            raise
        return listener

    def serve_forever(self) -> None:
        """Bind the socket and serve until :meth:`stop` (or SIGTERM when run as a program).

        Raises:
            VaultError: unsafe socket directory, or another daemon already listening.
        """
        listener = self._bind()
        self._listener = listener
        self._ready.set()
        log.info("listening")
        try:
            while not self._stopping.is_set():
                readable, _, _ = select.select([listener], [], [], _POLL_SECONDS)
                with self._lock:
                    self._auto_seal_locked()
                if readable and not self._stopping.is_set():
                    self._accept(listener)
        finally:
            self._shutdown(listener)

    def _accept(self, listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        try:
            uid = _protocol.peer_uid(conn)
        except OSError:
            conn.close()
            return
        if uid != os.getuid():
            log.warning("refused a connection from another user (uid %d)", uid)
            conn.close()
            return
        with self._lock:
            if len(self._connections) >= _MAX_CONNECTIONS:
                conn.close()
                return
            self._connections.add(conn)
        threading.Thread(target=self._serve_connection, args=(conn,), daemon=True).start()

    def _serve_connection(self, conn: socket.socket) -> None:
        try:
            while not self._stopping.is_set():
                request = _protocol.receive(conn)
                if request is None:
                    return
                _protocol.send(conn, self.handle(request))
        except (OSError, _protocol.ProtocolError):
            return
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    def _shutdown(self, listener: socket.socket) -> None:
        with self._lock:
            self._seal_locked("daemon stopping")
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        listener.close()
        try:
            if self._bound_inode is not None and os.lstat(self._path).st_ino == self._bound_inode:
                os.unlink(self._path)
        except OSError:
            pass
        log.info("stopped")

    def start(self, timeout: float = 5.0) -> threading.Thread:
        """Serve in a background thread (for tests and embedding); return once listening.

        Raises:
            VaultError: the daemon did not start within ``timeout`` seconds.
        """
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        if not self._ready.wait(timeout):
            raise VaultError("key daemon did not start")
        return thread

    def stop(self) -> None:
        """Ask the serving loop to wipe the key, close every connection and return."""
        self._stopping.set()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m passage.vault.keyd SOCKET [--auto-seal-seconds N]``.

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m passage.vault.keyd",
        description="Hold the Passage master key in memory for the office's processes.",
    )
    parser.add_argument("socket", help="path of the Unix socket (its directory becomes 0700)")
    parser.add_argument(
        "--auto-seal-seconds",
        type=float,
        default=None,
        help="wipe the key after this many seconds without a request",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="keyd: %(message)s", stream=sys.stderr)
    for measure in harden_process():
        log.info("%s", measure)
    try:
        daemon = KeyDaemon(args.socket, args.auto_seal_seconds)
    except ValueError as exc:
        parser.error(str(exc))

    def on_signal(signum: int, frame: FrameType | None) -> None:
        daemon.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        daemon.serve_forever()
    except VaultError as exc:
        log.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
