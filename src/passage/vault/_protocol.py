"""The key daemon's wire format: 4-byte big-endian length, then one JSON object (UTF-8).

Requests (``op`` and its fields) and replies (always ``ok``, ``sealed``, ``epoch``; ``error``
when ``ok`` is false)::

    {"op": "status", "activity": bool}          -> {"ok", "sealed", "epoch"}
    {"op": "touch"}                             -> {"ok", "sealed", "epoch"}
    {"op": "put", "key": b64, "version": int}   -> {"ok", "sealed": false, "epoch"}
    {"op": "get", "have_epoch": int|null, "activity": bool}
        -> {"ok": true, "sealed": false, "epoch", "key": b64, "version": int}
           (key and version left out when have_epoch equals the current epoch)
        -> {"ok": false, "error": "sealed", "sealed": true, "epoch"}
    anything else                               -> {"ok": false, "error": "unknown op", ...}
    {"op": "seal"}                              -> {"ok", "sealed": true, "epoch"}
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

from .errors import VaultError

MAX_FRAME = 16 * 1024
_UCRED = struct.Struct("3i")  # struct ucred {pid_t pid; uid_t uid; gid_t gid;}


class ProtocolError(VaultError):
    """A malformed frame, or the peer closed the connection mid-frame."""


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        part = sock.recv(size - len(chunks))
        if not part:
            if chunks:
                raise ProtocolError("connection closed mid-frame")
            return None
        chunks += part
    return bytes(chunks)


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    """Send one framed JSON object."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ProtocolError("message too large")
    sock.sendall(len(body).to_bytes(4, "big") + body)


def receive(sock: socket.socket) -> dict[str, Any] | None:
    """Receive one framed JSON object; ``None`` if the peer closed cleanly between frames.

    Raises:
        ProtocolError: bad length, bad JSON, not an object, or EOF inside a frame.
        OSError: socket errors and timeouts.
    """
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    size = int.from_bytes(head, "big")
    if not 0 < size <= MAX_FRAME:
        raise ProtocolError("frame size out of range")
    body = _recv_exact(sock, size)
    if body is None:
        raise ProtocolError("connection closed mid-frame")
    message: Any = None
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        pass  # those exceptions carry the frame (maybe a key): raise ours outside the handler
    if not isinstance(message, dict):
        raise ProtocolError("frame is not a JSON object")
    return message


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of a connected Unix socket (Linux).

    Raises:
        VaultError: the platform has no ``SO_PEERCRED``.
    """
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        raise VaultError("the key daemon needs SO_PEERCRED (Linux)")
    _pid, uid, _gid = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, option, _UCRED.size))
    return int(uid)
