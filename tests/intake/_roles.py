"""Run one side of Passage in its own process, for the intake-process tests.

``python tests/intake/_roles.py ROLE`` with the environment naming the data folder:

- ``office-init``: migrate and create the vault (then the process ends: nothing stays unsealed);
- ``intake``: a ``PASSAGE_SERVE=intake`` process. A person sends a questionnaire, a file and a
  message with canary strings; then the process tries every way it has to read them back;
- ``office-read``: an office process unseals with the passphrase and decrypts what arrived.

Each prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.web.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

PASSPHRASE = "intake process test passphrase 42"
CANARY_STORY = "CANARY-PROCESS-STORY-Ж7"
CANARY_FILE = b"CANARY-PROCESS-FILE-Q4"
CANARY_MESSAGE = "CANARY-PROCESS-MESSAGE-Z1"
PDF = b"%PDF-1.4\n" + CANARY_FILE + b"\n%%EOF\n"


def office_init() -> dict[str, Any]:
    from passage.sealing import service

    call_command("migrate", verbosity=0, interactive=False)
    service.initialise(PASSPHRASE)
    service.seal(reason="test")
    return {"ok": True}


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    if "csrftoken" not in client.cookies:
        client.get("/intake/")
    return client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **data})


def intake() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from passage.intake import office
    from passage.intake.keys import submission_aad, upload_key_aad
    from passage.intake.models import Account, PortalSession, Submission, Upload
    from passage.sealing import service
    from passage.vault import (
        SealedError,
        TamperedError,
        VaultError,
        open_sealed,
        unseal_with_passphrase,
        unwrap_key_with,
    )

    result: dict[str, Any] = {
        "serve": settings.PASSAGE.serve,
        "urlconf": settings.ROOT_URLCONF,
        "axes": any("axes" in name for name in settings.MIDDLEWARE),
        "key_socket": str(settings.PASSAGE.key_socket),
    }
    client = Client()
    result["status"] = {
        path: client.get(path).status_code
        for path in ("/", "/inbox/", "/unseal/", "/accounts/login/", "/api/v1/", "/intake/")
    }
    page = _post(client, "/intake/new/", {}).content.decode()
    words = re.findall(r"<li>([a-z-]+)</li>", page.split('id="codename"', 1)[1].split("</ol>", 1)[0])
    codename = " ".join(words)
    _post(client, "/intake/practice/", {"codename": codename})
    _post(client, "/intake/q/where/", {"current_country": "KZ", "go": "next"})
    _post(client, "/intake/q/story/", {"story": CANARY_STORY, "go": "next"})
    _post(client, "/intake/files/", {"document": SimpleUploadedFile("canary.pdf", PDF)})
    result["sent"] = _post(client, "/intake/send/", {}).status_code
    result["message"] = _post(client, "/intake/message/", {"text": CANARY_MESSAGE}).status_code
    result["submissions"] = Submission.objects.count()
    result["uploads"] = Upload.objects.count()

    # Every way this process has to read what it stored. Each must fail.
    attempts: dict[str, str] = {}

    def attempt(name: str, action: Any) -> None:
        try:
            action()
        except (SealedError, TamperedError, VaultError, ValueError) as error:
            attempts[name] = type(error).__name__
        else:
            attempts[name] = "READ"

    account = Account.objects.get()
    upload = Upload.objects.get()
    attempt("office.read_thread", lambda: office.read_thread(None, account))
    attempt("office.download", lambda: list(office.download(None, upload).chunks))
    attempt("office.to_case", lambda: office.to_case(None, Submission.objects.filter(kind="questionnaire").get()))
    attempt("holder.master", lambda: service.holder().master())
    header = service.load_header()
    for guess in ("", "passage", "intake", codename):
        attempt(f"unseal with {guess[:8]!r}", lambda guess=guess: unseal_with_passphrase(header, guess or "x"))
    random_key = X25519PrivateKey.generate()
    for submission in Submission.objects.all():
        attempt(
            f"open_sealed {submission.kind} with a random key",
            lambda s=submission: open_sealed(random_key, bytes(s.payload), aad=submission_aad(s.public_id)),
        )
    attempt(
        "unwrap file key with a random key",
        lambda: unwrap_key_with(random_key, bytes(upload.wrapped_key), aad=upload_key_aad(upload.public_id)),
    )

    def draft_without_cookie() -> None:
        from passage.intake.visits import Visit

        row = PortalSession.objects.first()
        if row is None or not row.draft:
            raise ValueError("no draft stored")
        if Visit(row, bytes.fromhex(row.digest)).draft():
            return
        raise TamperedError("draft")

    attempt("draft with the stored digest as token", draft_without_cookie)
    result["attempts"] = attempts
    result["codename_words"] = len(words)
    return result


def office_read() -> dict[str, Any]:
    from passage.intake import office
    from passage.intake.models import Account, Upload
    from passage.sealing import service

    service.unseal_passphrase(PASSPHRASE)
    items = office.read_thread(None, Account.objects.get())
    content = b"".join(office.download(None, Upload.objects.get()).chunks)
    return {
        "story": next(item.story for item in items if item.kind == "questionnaire"),
        "message": next(item.text for item in items if item.kind == "message"),
        "file_ok": content == PDF,
    }


if __name__ == "__main__":
    role = sys.argv[1]
    output = {"office-init": office_init, "intake": intake, "office-read": office_read}[role]()
    print(json.dumps(output, ensure_ascii=False))
