"""Real forms in Debian's Chromium with JavaScript turned off (the Django test client cannot see
what a browser adds to a POST, such as its ``Origin`` header)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from passage.cases import actions
from passage.cases.models import Case, Letter
from tests.browser import LAUNCH_ARGS, chromium, follow

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def lawyer_tab(live_server: Any, office: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    """A lawyer's browser tab with JavaScript off, already past the password and TOTP steps."""
    import playwright.sync_api as playwright  # a locked dev dependency: never skipped
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the test thread
    device = TOTPDevice.objects.create(user=office.lawyer, name="test", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(office.lawyer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = office.lawyer.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        context = browser.new_context(java_script_enabled=False)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "sessionid", "value": session.session_key, "domain": host, "path": "/"}])
        yield context.new_page(), live_server.url
        browser.close()


def test_it_saves_facts_and_records_a_letter_with_javascript_off(
    lawyer_tab: tuple[Any, str], office: Any, institution: Any
) -> None:
    tab, base = lawyer_tab
    tab.goto(f"{base}/cases/{office.case.id}/facts/")
    tab.check("#id_fact_wanted_federal_1")
    follow(tab, "text=Save facts and re-plan")
    assert tab.url.endswith(f"/cases/{office.case.id}/plan/")
    assert Case.objects.get(pk=office.case.pk).wanted_federal is True

    tab.goto(f"{base}/cases/{office.case.id}/letters/new/")
    tab.select_option("#id_institution", str(institution.pk))
    tab.fill("#id_subject", "Request for a humanitarian visa")
    follow(tab, "text=Record the letter")
    letter = Letter.objects.get()
    assert tab.url.endswith(f"/letters/{letter.id}/")
    assert letter.date == actions.today() and letter.followup_due is not None
    assert "Request for a humanitarian visa" in tab.content()
