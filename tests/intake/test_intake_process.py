"""The intake as its own process: it serves only the portal and cannot read what it stored.

Three real processes share one data folder (database and files), as on a server where the
portal runs apart from the office: the office creates the vault; a ``PASSAGE_SERVE=intake``
process takes a submission and then tries every decryption path it has (all fail, and no
canary is on disk in plaintext); an office process with the passphrase reads it all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROLES = Path(__file__).with_name("_roles.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run(role: str, data_dir: Path, **extra: str) -> dict[str, Any]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PASSAGE_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        {
            "PASSAGE_DATA_DIR": str(data_dir),
            "PASSAGE_SECRET_KEY": "intake-process-test-secret-key-0123456789abcdef",
            "PASSAGE_KDF": "fast-for-tests",
            "PASSAGE_SECURE_COOKIES": "false",
            "PASSAGE_ALLOWED_HOSTS": "testserver,localhost",
            "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            **extra,
        }
    )
    done = subprocess.run(
        [sys.executable, str(ROLES), role], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    (data_dir / "log").mkdir(exist_ok=True)
    with (data_dir / "log" / f"{role}.log").open("a") as log:
        log.write(done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def shared(tmp_path_factory: Any) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("intake-process")
    run("office-init", data_dir)
    seen = run("intake", data_dir, PASSAGE_SERVE="intake")
    return {"dir": data_dir, "intake": seen}


def test_the_intake_process_serves_only_the_portal(shared: dict[str, Any]) -> None:
    seen = shared["intake"]
    assert seen["serve"] == "intake"
    assert seen["urlconf"] == "passage.web.urls_intake"
    assert seen["axes"] is False
    assert seen["key_socket"] == "None"
    assert seen["status"] == {
        "/": 302,
        "/inbox/": 404,
        "/unseal/": 404,
        "/accounts/login/": 404,
        "/api/v1/": 404,
        "/intake/": 200,
    }


def test_the_intake_process_stores_but_cannot_read(shared: dict[str, Any]) -> None:
    seen = shared["intake"]
    assert seen["codename_words"] == 7
    assert seen["sent"] == 302
    assert seen["message"] == 200
    assert seen["submissions"] == 2
    assert seen["uploads"] == 1
    attempts = seen["attempts"]
    assert len(attempts) >= 10
    assert "READ" not in attempts.values(), attempts
    assert attempts["office.read_thread"] == "SealedError"
    assert attempts["office.download"] == "SealedError"
    assert attempts["holder.master"] == "SealedError"


def test_nothing_it_stored_is_plaintext_on_disk(shared: dict[str, Any]) -> None:
    from tests.intake._roles import CANARY_FILE, CANARY_MESSAGE, CANARY_STORY

    canaries = [CANARY_STORY.encode(), CANARY_FILE, CANARY_MESSAGE.encode(), b"%PDF-1.4"]
    found = []
    for path in shared["dir"].rglob("*"):
        if path.is_file() and path.name != "office-read.log":  # the office's own report quotes what it read
            data = path.read_bytes()
            found.extend((str(path), canary) for canary in canaries if canary in data)
    assert found == []


def test_the_office_with_its_passphrase_reads_everything(shared: dict[str, Any]) -> None:
    from tests.intake._roles import CANARY_MESSAGE, CANARY_STORY

    read = run("office-read", shared["dir"])
    assert read == {"story": CANARY_STORY, "message": CANARY_MESSAGE, "file_ok": True}


def test_an_intake_process_refuses_the_key_daemon(tmp_path: Path) -> None:
    from passage.web.config import ConfigError, load_config

    with pytest.raises(ConfigError):
        load_config(
            {
                "PASSAGE_SECRET_KEY": "x" * 40,
                "PASSAGE_SERVE": "intake",
                "PASSAGE_KEY_SOCKET": str(tmp_path / "keyd.sock"),
                "PASSAGE_DATA_DIR": str(tmp_path),
            }
        )
