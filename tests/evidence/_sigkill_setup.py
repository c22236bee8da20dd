"""Run in a separate process by test_sigkill.py: migrate, create the vault (in the key daemon),
a lawyer with a verified session, and a case; print what the test needs as one JSON line."""

from __future__ import annotations

import json
import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.web.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from passage.accounts.models import Role, User
    from passage.cases import actions
    from passage.sealing import service

    call_command("migrate", verbosity=0)
    service.initialise("sigkill test passphrase")
    lawyer = User.objects.create_user("kill-lawyer", password="a-long-test-password-5", role=Role.LAWYER)
    device = TOTPDevice.objects.create(user=lawyer, name="test", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(lawyer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = lawyer.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    case = actions.create_case(lawyer, true_name="Killed Upload", facts={"citizenship": "RU"})
    print(json.dumps({"session": session.session_key, "csrf": _get_new_csrf_string(), "case": str(case.id)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
