"""SIGKILL of a real server in the middle of an upload leaves no item and, after the sweep, no file.

A real gunicorn serves the office from a temporary data folder, unsealed through a real key
daemon. A client sends a multipart upload slowly; once the encrypted ``.part`` file is growing
on disk, the whole server process group is killed with SIGKILL (no handler, no ``finally``
runs). Then: no evidence row exists, the ``.part`` is still there (so the kill really happened
mid-upload), ``passage evidence-cleanup`` removes it, and a restarted server takes a complete
upload normally.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.evidence import files

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data_dir: Path, sock: Path) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PASSAGE_", "DJANGO_", "DATABASE_URL"))
    }
    env.update({
        "PASSAGE_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite://{data_dir / 'office.sqlite3'}",
        "PASSAGE_SECRET_KEY": "sigkill-test-secret-key-0123456789abcdefghij", "PASSAGE_KDF": "fast-for-tests",
        "PASSAGE_SECURE_COOKIES": "false", "PASSAGE_KEY_SOCKET": str(sock), "DJANGO_SETTINGS_MODULE": "passage.web.settings",
        "PASSAGE_MAX_UPLOAD_MB": "64",
    })  # fmt: skip
    return env


def _wait(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "passage.web.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    _wait(answers, 60, "gunicorn")
    return server


def _request_head(port: int, ids: dict[str, str], boundary: str, length: int) -> bytes:
    return (f"POST /evidence/case/{ids['case']}/upload/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: sessionid={ids['session']}; csrftoken={ids['csrf']}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip


def _body(ids: dict[str, str], boundary: str, data: bytes) -> bytes:
    fields = {
        "csrfmiddlewaretoken": ids["csrf"],
        "kind": "summons",
        "provenance": "client",
        "language": "ru",
        "title": "killed",
    }
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode()


def _rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM evidence_evidenceitem").fetchone()[0]


def test_sigkill_during_an_upload_leaves_no_item_and_the_sweep_leaves_no_file(tmp_path):
    data_dir, sock = tmp_path / "server", tmp_path / "keyd" / "keyd.sock"
    data_dir.mkdir()
    env = _environment(data_dir, sock)
    keyd = subprocess.Popen(
        [sys.executable, "-m", "passage.vault.keyd", str(sock)], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
    )
    server = None
    try:
        _wait(sock.exists, 30, "the key daemon")
        setup = subprocess.run([sys.executable, str(Path(__file__).with_name("_sigkill_setup.py"))], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
        ids = json.loads(setup.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = _serve(env, port)
        store = data_dir / "media" / "evidence"
        payload = files.text_pdf("killed upload") + b"%" + os.urandom(6 << 20)  # a valid PDF start, 6 MB in all
        boundary = "KillBoundary7"
        body = _body(ids, boundary, payload)

        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(_request_head(port, ids, boundary, len(body)))
            sent = 0
            half = len(body) // 2
            while sent < half:  # slowly: 64 KiB every 10 ms
                client.sendall(body[sent : sent + 65536])
                sent += 65536
                time.sleep(0.01)

            def part_growing() -> bool:
                return (
                    any(path.stat().st_size > (1 << 20) for path in store.glob("*.part")) if store.exists() else False
                )

            _wait(part_growing, 30, "the encrypted .part file")
            os.killpg(server.pid, signal.SIGKILL)  # the whole server: master and worker, no cleanup runs
            server.wait(timeout=30)
            server = None

        parts = list(store.glob("*.part"))
        assert len(parts) == 1, "the kill happened in the middle of the upload"
        assert b"killed upload" not in parts[0].read_bytes() and b"%PDF" not in parts[0].read_bytes()
        assert _rows(data_dir / "office.sqlite3") == 0
        assert list(store.glob("*.enc")) == []

        cleanup = subprocess.run([sys.executable, "-m", "passage.web.manage", "evidence-cleanup", "--json"], env=env, cwd=ROOT,
                                 capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        assert json.loads(cleanup.stdout.strip().splitlines()[-1])["evidence"]["parts_removed"] == 1
        assert list(store.iterdir()) == []
        assert _rows(data_dir / "office.sqlite3") == 0

        # The restarted office takes the same upload whole.
        server = _serve(env, port)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
            client.sendall(_request_head(port, ids, boundary, len(body)) + body)
            client.settimeout(120)
            answer = client.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.1 302"), answer[:300]
        assert _rows(data_dir / "office.sqlite3") == 1
        assert len(list(store.glob("*.enc"))) == 1 and list(store.glob("*.part")) == []
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        keyd.terminate()
        keyd.wait(timeout=30)
