"""Where a process gets the master key: in-process, or from the key daemon."""

from __future__ import annotations

import abc
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from . import _protocol
from ._encoding import b64decode, b64encode
from .errors import SealedError, TamperedError, VaultError
from .masterkey import MasterKey

__all__ = ["KeyHolder", "KeyStatus", "LocalKeyHolder", "SocketKeyHolder"]


_SOCKET_HOLDERS: weakref.WeakSet[SocketKeyHolder] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for holder in list(_SOCKET_HOLDERS):
        holder._reset_after_fork()


# gunicorn --preload and task runners fork after the parent may have fetched the key: the child
# must not keep the parent's copy, share its connection, or inherit a lock held by a thread
# that does not exist in the child.
os.register_at_fork(after_in_child=_after_fork_in_child)


class KeyStatus(NamedTuple):
    """What the key daemon reports."""

    sealed: bool
    epoch: int


class KeyHolder(abc.ABC):
    """Holds the master key for the current process, or knows that the vault is sealed.

    Web views ask :meth:`master` on each request that needs keys; the unseal view calls
    :meth:`unseal`; the seal button calls :meth:`seal`. Implementations never log keys.
    """

    @abc.abstractmethod
    def is_sealed(self) -> bool:
        """Whether no master key is available right now."""

    @abc.abstractmethod
    def master(self) -> MasterKey:
        """The master key.

        Raises:
            SealedError: the vault is sealed.
        """

    @abc.abstractmethod
    def unseal(self, master: MasterKey) -> None:
        """Make ``master`` available (the holder keeps its own copy; the caller may wipe it)."""

    @abc.abstractmethod
    def seal(self) -> None:
        """Wipe the key everywhere this holder reaches."""

    @abc.abstractmethod
    def touch(self) -> None:
        """Record activity (postpones auto-seal)."""


class LocalKeyHolder(KeyHolder):
    """In-process holder for tests and single-process deployments."""

    def __init__(
        self,
        auto_seal_after: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start sealed.

        Args:
            auto_seal_after: seconds of inactivity after which the key is wiped, or ``None``.
            clock: monotonic clock (replaceable in tests).
        """
        self._auto_seal_after = auto_seal_after
        self._clock = clock
        self._master: MasterKey | None = None
        self._last = clock()
        self._lock = threading.Lock()

    def _expire_locked(self) -> None:
        if (
            self._master is not None
            and self._auto_seal_after is not None
            and self._clock() - self._last >= self._auto_seal_after
        ):
            self._master.wipe()
            self._master = None

    def is_sealed(self) -> bool:
        """Whether no key is held (counts as activity while unsealed)."""
        with self._lock:
            self._expire_locked()
            self._last = self._clock()
            return self._master is None

    def master(self) -> MasterKey:
        """The held key (counts as activity).

        Raises:
            SealedError: sealed, or auto-sealed.
        """
        with self._lock:
            self._expire_locked()
            if self._master is None:
                raise SealedError("the vault is sealed")
            self._last = self._clock()
            return self._master

    def unseal(self, master: MasterKey) -> None:
        """Keep a copy of ``master``."""
        with self._lock:
            if self._master is not None:
                self._master.wipe()
            self._master = master.copy()
            self._last = self._clock()

    def seal(self) -> None:
        """Wipe the held key."""
        with self._lock:
            if self._master is not None:
                self._master.wipe()
            self._master = None

    def touch(self) -> None:
        """Record activity."""
        with self._lock:
            self._last = self._clock()


class SocketKeyHolder(KeyHolder):
    """Client of the key daemon, for each web or task worker process.

    Keeps the key with the epoch it was fetched at. Every :meth:`master` or :meth:`is_sealed`
    is one small round trip; when the daemon reports sealed or a new epoch, the cached copy is
    wiped at once. If the daemon cannot be reached the holder wipes its copy and reports sealed
    (fail closed). Safe to share between threads; after ``fork`` the child reconnects and drops
    the parent's copy.
    """

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        *,
        passive: bool = False,
        timeout: float = 2.0,
    ) -> None:
        """Configure; nothing connects until the first call.

        Args:
            socket_path: the daemon's socket.
            passive: if true, this holder's requests do not count as activity (for background
                workers, so they never keep an unattended office unsealed).
            timeout: seconds to wait for the daemon per request.
        """
        self._path = Path(socket_path)
        self._passive = passive
        self._timeout = timeout
        self._lock = threading.RLock()
        self._sock: socket.socket | None = None
        self._pid = os.getpid()
        self._cached: MasterKey | None = None
        self._epoch: int | None = None
        _SOCKET_HOLDERS.add(self)

    def _reset_after_fork(self) -> None:
        self._lock = threading.RLock()
        if self._sock is not None:
            self._sock.close()  # the child's descriptor only; the parent's stays open
        self._sock = None
        self._drop_locked()
        self._pid = os.getpid()

    # -- connection --------------------------------------------------------------------------

    def _drop_locked(self) -> None:
        if self._cached is not None:
            self._cached.wipe()
        self._cached = None
        self._epoch = None

    def _disconnect_locked(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def _connection_locked(self) -> socket.socket:
        if self._pid != os.getpid():  # forked: the socket and the key copy are the parent's
            self._disconnect_locked()
            self._drop_locked()
            self._pid = os.getpid()
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self._timeout)
            try:
                sock.connect(str(self._path))
                if _protocol.peer_uid(sock) != os.getuid():
                    # Never hand the key to, or take a key from, another user's daemon.
                    raise VaultError("key daemon socket is served by another user")
            except BaseException:
                sock.close()
                raise
            self._sock = sock
        return self._sock

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request/reply, reconnecting once (the daemon may have restarted).

        Raises:
            VaultError: the daemon is unreachable or answered nonsense.
        """
        with self._lock:
            for attempt in (1, 2):
                try:
                    sock = self._connection_locked()
                    _protocol.send(sock, request)
                    reply = _protocol.receive(sock)
                    if reply is None:
                        raise _protocol.ProtocolError("daemon closed the connection")
                except (OSError, _protocol.ProtocolError):
                    self._disconnect_locked()
                    if attempt == 2:
                        raise VaultError("key daemon unreachable") from None
                    continue
                if type(reply.get("epoch")) is not int or type(reply.get("sealed")) is not bool:
                    self._disconnect_locked()
                    raise VaultError("key daemon sent a malformed reply")
                return reply
            raise AssertionError("unreachable")  # pragma: no cover

    def _observe_locked(self, reply: dict[str, Any]) -> None:
        if reply["sealed"] or reply["epoch"] != self._epoch:
            self._drop_locked()

    # -- KeyHolder ---------------------------------------------------------------------------

    def status(self) -> KeyStatus:
        """Ask the daemon; drop the cached key if it was sealed or replaced meanwhile.

        Raises:
            VaultError: the daemon is unreachable (the cached key is dropped first).
        """
        with self._lock:
            try:
                reply = self._call({"op": "status", "activity": not self._passive})
            except VaultError:
                self._drop_locked()
                raise
            self._observe_locked(reply)
            return KeyStatus(sealed=reply["sealed"], epoch=reply["epoch"])

    def is_sealed(self) -> bool:
        """Whether the vault is sealed; an unreachable daemon counts as sealed."""
        try:
            return self.status().sealed
        except VaultError:
            return True

    def master(self) -> MasterKey:
        """The master key, from the cache if the daemon's epoch has not changed.

        Raises:
            SealedError: sealed, or the daemon is unreachable.
        """
        with self._lock:
            request = {"op": "get", "have_epoch": self._epoch, "activity": not self._passive}
            try:
                reply = self._call(request)
            except VaultError:
                self._drop_locked()
                raise SealedError("the vault is sealed (key daemon unreachable)") from None
            self._observe_locked(reply)
            if reply["sealed"] or not reply.get("ok"):
                raise SealedError("the vault is sealed")
            if "key" in reply:
                version = reply.get("version")
                try:
                    if type(version) is not int:
                        raise ValueError("version")
                    master = MasterKey(b64decode(reply["key"], field="key"), version=version)
                except (TamperedError, ValueError):
                    raise SealedError("key daemon sent a malformed key") from None
                self._cached, self._epoch = master, reply["epoch"]
            if self._cached is None:
                raise SealedError("the vault is sealed")
            return self._cached

    def unseal(self, master: MasterKey) -> None:
        """Send the key to the daemon, which makes every worker unsealed.

        Raises:
            VaultError: the daemon is unreachable or refused the key.
        """
        with self._lock:
            reply = self._call({"op": "put", "key": b64encode(master.key_bytes()), "version": master.version})
            if not reply.get("ok"):
                raise VaultError("key daemon refused the key")
            self._drop_locked()
            self._cached, self._epoch = master.copy(), reply["epoch"]

    def seal(self) -> None:
        """Wipe the local copy, then tell the daemon to wipe its key and bump the epoch.

        Raises:
            VaultError: the daemon is unreachable: other processes may still hold the key.
        """
        with self._lock:
            self._drop_locked()
            try:
                self._call({"op": "seal"})
            except VaultError:
                raise VaultError("could not reach the key daemon: other processes may still be unsealed") from None

    def touch(self) -> None:
        """Record activity at the daemon (also refreshes the sealed state).

        Raises:
            VaultError: the daemon is unreachable (the cached key is dropped first).
        """
        with self._lock:
            try:
                reply = self._call({"op": "touch"})
            except VaultError:
                self._drop_locked()
                raise
            self._observe_locked(reply)

    def close(self) -> None:
        """Wipe the local copy and close the connection (the daemon keeps its key)."""
        with self._lock:
            self._drop_locked()
            self._disconnect_locked()
