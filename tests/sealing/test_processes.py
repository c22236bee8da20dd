"""Sealed and unsealed together: a key daemon, gunicorn with two workers, and this process.

Everything real: ``python -c "from passage.vault.keyd import main; main()"`` on a private socket,
a migrated SQLite office created by a separate process, gunicorn (2 workers, the project's
config) serving it on loopback, and a lawyer logging in over HTTP with a password and a TOTP
code computed from the device key. The lawyer presses "Seal now" (handled by one worker): this
process's own key holder and every worker see the seal at once. The unseal page (served by
whichever worker) opens it for all again; and a seal from this process closes the workers.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from passage.vault import SocketKeyHolder

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSPHRASE = "two processes passphrase 2026"
PASSWORD = "a-long-test-password-for-http"
CANARY = "CANARY-TWO-PROCESSES-NARRATIVE"

SETUP = r"""
import json, django
django.setup()
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from passage.accounts.models import Role, User
from passage.cases import actions
from passage.sealing import service

call_command("migrate", verbosity=0, interactive=False)
service.initialise(%(passphrase)r)
lawyer = User.objects.create_user("lena", password=%(password)r, role=Role.LAWYER)
device = TOTPDevice.objects.create(user=lawyer, name="phone", confirmed=True)
case = actions.create_case(lawyer, true_name="Two Processes", narrative=%(canary)r)
print(json.dumps({"key": device.key, "code": case.code, "case": str(case.id)}))
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """Cookies and CSRF tokens, no redirects followed: each answer is seen as it is."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, response.headers.get("Location", ""), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers.get("Location", ""), error.read().decode())

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - http://127.0.0.1 only

    def post(self, path: str, data: dict[str, str]) -> Answer:
        token = next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310 - loopback only
        return self._open(request)


@dataclass
class Office:
    base: str
    socket: Path
    access_log: Path
    database: Path
    setup: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture
def office_processes() -> Iterator[Office]:
    folder = Path(tempfile.mkdtemp(prefix="psg", dir="/tmp"))  # short: Unix socket paths are limited
    socket_path = folder / "run" / "keyd.sock"
    data = folder / "data"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PASSAGE_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "passage.web.settings",
        "PASSAGE_SECRET_KEY": "two-processes-test-secret-key-0123456789abcdef",
        "PASSAGE_DATA_DIR": str(data),
        "PASSAGE_KEY_SOCKET": str(socket_path),
        "PASSAGE_KDF": "fast-for-tests",
        "PASSAGE_SECURE_COOKIES": "false",
        "PYTHONPATH": str(ROOT / "src"),
    })  # fmt: skip
    started: list[subprocess.Popen[bytes]] = []
    try:
        keyd = subprocess.Popen(
            [sys.executable, "-c", "from passage.vault.keyd import main; main()", str(socket_path)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(keyd)
        _wait(socket_path.exists, "the key daemon's socket")
        made = subprocess.run(
            [sys.executable, "-c", SETUP % {"passphrase": PASSPHRASE, "password": PASSWORD, "canary": CANARY}],
            env=env, capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        setup = json.loads(made.stdout.decode().strip().splitlines()[-1])
        port = _free_port()
        access_log = folder / "access.log"
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "passage.web.wsgi:application", "--config", "python:passage.web.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", str(access_log),
             "--access-logformat", "%(p)s %(s)s %(m)s %(U)s"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(gunicorn)
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return Browser(base).get("/unseal/").status in (200, 302)
            except OSError:
                return False

        _wait(ready, "gunicorn")
        yield Office(base, socket_path, access_log, data / "passage.sqlite3", setup)
    finally:
        for process in reversed(started):
            _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _log_in(office: Office) -> Browser:
    from django_otp.oath import totp

    browser = Browser(office.base)
    browser.get("/accounts/login/")
    first = browser.post("/accounts/login/", {"username": "lena", "password": PASSWORD})
    assert first.status == 302 and first.location == "/accounts/two-factor/", first
    code = f"{totp(bytes.fromhex(office.setup['key'])):06d}"
    second = browser.post("/accounts/two-factor/", {"token": code})
    assert second.status == 302 and second.location == "/", second
    return browser


def _pids_answering(office: Office, status: int, requests: int = 40) -> set[str]:
    """Fire anonymous requests in parallel; every one must answer ``status``. Returns the worker pids."""
    before = office.access_log.read_text().count("\n") if office.access_log.exists() else 0

    def one(_index: int) -> int:
        return Browser(office.base).get("/cases/").status

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(requests)))
    assert set(answers) == {status}, answers
    time.sleep(0.2)  # the access log is written after the response
    lines = office.access_log.read_text().splitlines()[before:]
    return {line.split()[0] for line in lines if line.split()[1] == str(status) and line.endswith("/cases/")}


def _audit_actions(office: Office) -> list[tuple[str, str]]:
    with sqlite3.connect(office.database) as database:
        return database.execute("SELECT action, actor_label FROM audit_auditevent ORDER BY seq").fetchall()


@pytest.mark.slow
def test_seal_now_in_one_worker_seals_every_process_at_once(office_processes: Office) -> None:
    office = office_processes
    here = SocketKeyHolder(office.socket)  # this test process: a third client of the same daemon
    assert not here.is_sealed()
    lawyer = _log_in(office)
    dashboard = lawyer.get("/")
    assert dashboard.status == 200 and office.setup["code"] in dashboard.body
    case_page = lawyer.get(f"/cases/{office.setup['case']}/")
    assert case_page.status == 200 and CANARY in case_page.body
    assert len(_pids_answering(office, 302)) == 2  # both workers unsealed (anonymous: to the login page)

    sealed = lawyer.post("/vault/seal/", {})
    assert sealed.status == 302 and sealed.location == "/unseal/"
    assert here.is_sealed()  # at once, in another process
    after = lawyer.get(f"/cases/{office.setup['case']}/")
    assert after.status == 503 and "The vault is sealed" in after.body and CANARY not in after.body
    assert len(_pids_answering(office, 503)) == 2  # both workers, not just the one that sealed
    assert ("seal", "lena") in _audit_actions(office)

    anyone = Browser(office.base)
    anyone.get("/unseal/")
    wrong = anyone.post("/unseal/", {"method": "passphrase", "passphrase": "not the passphrase at all"})
    assert wrong.status == 400 and here.is_sealed()
    opened = anyone.post("/unseal/", {"method": "passphrase", "passphrase": PASSPHRASE})
    assert opened.status == 302
    assert not here.is_sealed()
    assert len(_pids_answering(office, 302)) == 2
    assert CANARY in lawyer.get(f"/cases/{office.setup['case']}/").body  # the session survived the seal

    here.seal()  # a seal from outside gunicorn closes every worker too
    assert len(_pids_answering(office, 503)) == 2
    assert CANARY not in lawyer.get(f"/cases/{office.setup['case']}/").body
    actions = [action for action, _actor in _audit_actions(office)]
    assert actions.count("unseal_failed") == 1 and actions.count("unseal") == 1
    assert re.search(r"TOTP|totp_failed", " ".join(actions)) is None
