"""Staff accounts through the real forms: TOTP enrolment and verification, replayed and wrong
codes, lockout after five failed logins, sliding session expiry, logout, and what a volunteer
can never see (true names, the reveal button, evidence files).

Codes are computed from the device key exactly as an authenticator app does (RFC 6238).
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.audit.models import AuditEvent
from tests.api.conftest import Api, issue
from tests.conftest import verified_client

PASSWORDS = {
    "admin": "a-long-test-password-1",
    "lawyer": "a-long-test-password-2",
    "volunteer": "a-long-test-password-3",
}


def code_of(device: TOTPDevice, *, steps_back: int = 0) -> str:
    """The six digits an authenticator app shows now (or ``steps_back`` 30-second steps ago)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=-steps_back):06d}"


def log_in(client: Client, user: Any, password: str) -> Any:
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def test_first_login_enrols_an_authenticator_from_a_qr_code(client: Client, office: Any) -> None:
    response = log_in(client, office.lawyer, PASSWORDS["lawyer"])
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert client.get("/").status_code == 302  # password alone opens nothing
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Set up your authenticator" in page
    svg = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert svg and "<title>TOTP enrolment code</title>" in svg.group(0) and "<path" in svg.group(0)
    assert "<img" not in page and "http" not in svg.group(0).replace("http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=office.lawyer)
    # The key for typing by hand is in base32, grouped in fours, as authenticator apps show it.
    typed = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert not device.confirmed and " ".join(typed[i : i + 4] for i in range(0, len(typed), 4)) in page
    answer = client.post("/accounts/two-factor/", {"token": code_of(device)})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="totp_enrolled", actor=office.lawyer).count() == 1


def test_the_qr_code_carries_the_device_key(client: Client, office: Any) -> None:
    log_in(client, office.lawyer, PASSWORDS["lawyer"])
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=office.lawyer)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert f"secret={secret}" in device.config_url and "issuer=Passage" in device.config_url


def test_a_second_login_asks_for_the_code_without_enrolling_again(client: Client, office: Any) -> None:
    device = TOTPDevice.objects.create(user=office.lawyer, name="phone", confirmed=True)
    log_in(client, office.lawyer, PASSWORDS["lawyer"])
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Enter your code" in page and "<svg" not in page and device.key not in page
    assert client.post("/accounts/two-factor/", {"token": code_of(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_and_audited(client: Client, office: Any) -> None:
    device = TOTPDevice.objects.create(user=office.lawyer, name="phone", confirmed=True)
    log_in(client, office.lawyer, PASSWORDS["lawyer"])
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"token": wrong})
    assert response.status_code == 400 and "This code is not right" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="totp_failed", actor=office.lawyer).count() == 1
    assert client.post("/accounts/two-factor/", {"token": "12ab56"}).status_code == 400


def test_a_code_used_once_cannot_be_replayed(office: Any) -> None:
    device = TOTPDevice.objects.create(user=office.lawyer, name="phone", confirmed=True)
    first = Client()
    log_in(first, office.lawyer, PASSWORDS["lawyer"])
    code = code_of(device)
    assert first.post("/accounts/two-factor/", {"token": code}).status_code == 302
    # Someone who watched the code being typed tries it at once, with the stolen password.
    thief = Client()
    log_in(thief, office.lawyer, PASSWORDS["lawyer"])
    replay = thief.post("/accounts/two-factor/", {"token": code})
    assert replay.status_code == 400
    assert thief.get("/").status_code == 302
    # Nor does an older code, from before the one used, open it.
    assert thief.post("/accounts/two-factor/", {"token": code_of(device, steps_back=1)}).status_code == 400


def test_five_failed_logins_lock_the_account(client: Client, office: Any) -> None:
    answers = [log_in(client, office.lawyer, f"wrong password {n}").status_code for n in range(5)]
    assert answers[:4] == [400, 400, 400, 400]
    locked = log_in(client, office.lawyer, PASSWORDS["lawyer"])  # even the right password now
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed", detail__username=office.lawyer.username).count() >= 5
    # Another person at the same address is not locked out by someone else's failures.
    other = Client()
    assert log_in(other, office.admin, PASSWORDS["admin"]).status_code == 302


def test_a_successful_login_resets_the_failure_count(client: Client, office: Any) -> None:
    for n in range(4):
        log_in(client, office.lawyer, f"wrong password {n}")
    assert log_in(client, office.lawyer, PASSWORDS["lawyer"]).status_code == 302
    client.post("/accounts/logout/")
    for n in range(4):
        assert log_in(client, office.lawyer, f"wrong again {n}").status_code == 400
    assert log_in(client, office.lawyer, PASSWORDS["lawyer"]).status_code == 302


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_sessions_expire_after_the_configured_idle_time(client: Client, office: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.PASSAGE.session_minutes * 60 == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    lawyer = verified_client(client, office.lawyer)
    assert lawyer.get("/").status_code == 200
    # Idle for 29 minutes: one minute left. A request slides the expiry forward again.
    Session.objects.filter(pk=_session(lawyer).pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert lawyer.get("/").status_code == 200
    assert _session(lawyer).expire_date > timezone.now() + timedelta(minutes=29)
    # Idle past the limit: the session is over, the next request goes to the login page.
    Session.objects.filter(pk=_session(lawyer).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = lawyer.get(f"/cases/{office.case.id}/")
    assert expired.status_code == 302 and expired["Location"].startswith("/accounts/login/")


def test_the_session_cookie_is_httponly_strict_and_dies_with_the_browser(client: Client, office: Any) -> None:
    device = TOTPDevice.objects.create(user=office.lawyer, name="phone", confirmed=True)
    log_in(client, office.lawyer, PASSWORDS["lawyer"])
    response = client.post("/accounts/two-factor/", {"token": code_of(device)})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert not cookie["max-age"] and not cookie["expires"]


def test_logout_ends_the_session_on_the_server(client: Client, office: Any) -> None:
    lawyer = verified_client(client, office.lawyer)
    stolen = lawyer.cookies[settings.SESSION_COOKIE_NAME].value
    assert lawyer.get("/accounts/logout/").status_code == 405  # only a POST (a form) logs out
    response = lawyer.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=office.lawyer).exists()


def test_a_switched_off_account_cannot_log_in(client: Client, office: Any) -> None:
    admin = verified_client(Client(), office.admin)
    assert admin.post(f"/accounts/users/{office.lawyer.pk}/toggle-active/").status_code == 302
    assert log_in(client, office.lawyer, PASSWORDS["lawyer"]).status_code == 400


def test_a_volunteer_never_sees_a_true_name_or_a_reveal_button(client: Client, office: Any) -> None:
    volunteer = verified_client(client, office.volunteer)
    case = office.case
    page = volunteer.get(f"/cases/{case.id}/").content.decode()
    assert case.code in page and "Left the unit in 2025." in page
    assert "Ivan Testov" not in page and f"/cases/{case.id}/reveal/" not in page
    assert volunteer.post(f"/cases/{case.id}/reveal/").status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()
    for path in ("/", "/cases/", f"/cases/{case.id}/details/", f"/cases/{case.id}/plan/", f"/cases/{case.id}/facts/"):
        assert "Ivan Testov" not in volunteer.get(path).content.decode(), path
    lookup = volunteer.post("/cases/", {"by": "true_name", "value": "Ivan Testov"})
    assert lookup.status_code == 400  # "true name" is not a choice for a volunteer
    assert not AuditEvent.objects.filter(action="search", detail__by="true_name").exists()
    api = Api(Client(), issue(office.volunteer))
    client_json = api.get(f"/api/v1/clients/{case.id}").json()
    assert "Ivan Testov" not in str(client_json)
    assert api.post("/api/v1/clients", {"true_name": "Someone"}).status_code == 403


def test_a_volunteer_may_not_download_evidence(client: Client, office: Any, settings: Any, tmp_path: Any) -> None:
    import dataclasses

    from tests.evidence import files
    from tests.evidence.conftest import add

    settings.PASSAGE = dataclasses.replace(settings.PASSAGE, data_dir=tmp_path / "data")
    (tmp_path / "data" / "media").mkdir(parents=True)
    item = add(office, files.text_pdf("CANARY-EVIDENCE-TEXT"), kind="summons", title="Summons")
    volunteer = verified_client(client, office.volunteer)
    page = volunteer.get(f"/evidence/item/{item.id}/").content.decode()
    assert f"/evidence/item/{item.id}/download/" not in page and "CANARY-EVIDENCE-TEXT" not in page
    assert volunteer.get(f"/evidence/item/{item.id}/download/").status_code == 403
    api = Api(Client(), issue(office.volunteer))
    assert api.get(f"/api/v1/evidence/{item.id}/content").status_code == 403
    assert "CANARY-EVIDENCE-TEXT" not in api.get(f"/api/v1/evidence/{item.id}").content.decode()
    assert not AuditEvent.objects.filter(action="evidence_downloaded").exists()
    lawyer = verified_client(Client(), office.lawyer)
    assert lawyer.get(f"/evidence/item/{item.id}/download/").status_code == 200


@pytest.mark.parametrize("who", ["lawyer", "volunteer", "volunteer_none"])
def test_only_admins_manage_accounts(client: Client, office: Any, who: str) -> None:
    person = verified_client(client, getattr(office, who))
    assert person.get("/accounts/users/").status_code == 403
    assert person.post("/accounts/users/", {"username": "x", "role": "admin", "password": "p" * 20}).status_code == 403
    assert not type(office.admin).objects.filter(username="x").exists()
