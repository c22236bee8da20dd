"""A lawyer's whole day in Debian's Chromium, once with JavaScript off and once with it on.

Log in with the password and a TOTP code computed from the device the enrolment page created,
open a case, record its facts, record a letter sent long enough ago that its follow-up has
fallen due, see it on the overdue list, open the route plan, press "Seal now", see the sealed
page, unseal with the passphrase and carry on. A screenshot of every step is saved under
``artifacts/e2e/<javascript-on|javascript-off>/`` for a person to look at.

Playwright drives ``/usr/bin/chromium`` (never ``playwright install``) against Django's live
server, which runs in this process and so shares the vault's key holder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.cases import actions
from passage.cases.models import Case, Letter
from passage.sealing import service
from tests.browser import LAUNCH_ARGS, chromium, follow
from tests.conftest import PASSPHRASE

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
]


class Tab:
    """A page with numbered screenshots and a record of what the browser complained about."""

    def __init__(self, page: Any, base: str, folder: Path) -> None:
        self.page = page
        self.base = base
        self.folder = folder
        self.shots: list[Path] = []
        self.console_errors: list[str] = []  # CSP refusals and script errors
        self.failed_resources: list[str] = []  # stylesheets, images (pages themselves may be 4xx/503)
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A page answered 400 or 503 on purpose is reported as a failed load; resources are checked below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            if not response.url.endswith("/favicon.ico"):  # the browser asks for it by itself
                self.failed_resources.append(f"{response.status} {response.url}")

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        path = self.folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def text(self) -> str:
        return str(self.page.inner_text("main"))

    def path(self) -> str:
        return str(self.page.url).removeprefix(self.base)


@pytest.fixture(params=[False, True], ids=["javascript-off", "javascript-on"])
def tab(
    request: pytest.FixtureRequest, live_server: Any, office: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Tab]:
    import playwright.sync_api as playwright  # a locked dev dependency: never skipped

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the test thread
    folder = ARTIFACTS / request.node.callspec.id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        context = browser.new_context(java_script_enabled=request.param, viewport={"width": 1200, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            yield Tab(page, live_server.url, folder)
        finally:
            browser.close()


def _submit(tab: Tab, button: str) -> None:
    follow(tab.page, f"button:text-is('{button}')")


def test_a_lawyer_runs_a_case_from_login_to_a_sealed_office(tab: Tab, office: Any) -> None:
    page = tab.page
    lawyer = office.lawyer

    # 1. Password, then first-login enrolment of the authenticator with a code from its key.
    tab.go("/")
    assert tab.path().startswith("/accounts/login/")
    tab.shot("login")
    page.fill("#id_username", lawyer.username)
    page.fill("#id_password", "a-long-test-password-2")
    _submit(tab, "Continue")
    assert tab.path() == "/accounts/two-factor/"
    assert page.locator("svg title", has_text="TOTP enrolment code").count() == 1
    tab.shot("enrol-authenticator")
    device = TOTPDevice.objects.get(user=lawyer)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    _submit(tab, "Verify")
    assert tab.path() == "/"
    assert office.case.code in tab.text()
    tab.shot("dashboard")

    # 2. A new client, under a pseudonym code.
    tab.go("/cases/new/")
    page.fill("#id_true_name", "Browser Person")
    page.fill("#id_aliases", "Brauzer")
    page.fill("#id_contacts", "signal: +7 000 000")
    page.fill("#id_narrative", "Left the unit in the autumn; crossed into Kazakhstan.")
    tab.shot("new-case")
    _submit(tab, "Open the case")
    case = Case.objects.exclude(pk__in=[office.case.pk, office.other_case.pk]).get()
    assert tab.path() == f"/cases/{case.id}/facts/"
    assert "Browser Person" not in page.content()

    # 3. Its facts, in the knowledge base's vocabulary; saving re-plans.
    arrived = actions.today() - timedelta(days=80)
    page.select_option("#id_fact_citizenship", "RU")
    page.select_option("#id_fact_current_country", "KZ")
    page.fill("#id_fact_arrived_on", arrived.isoformat())
    tab.shot("facts")
    _submit(tab, "Save facts and re-plan")
    assert tab.path() == f"/cases/{case.id}/plan/"
    case.refresh_from_db()
    assert case.current_country == "KZ" and case.arrived_on == arrived and case.permitted_stay_ends is not None

    # 4. A letter sent 30 days ago: its follow-up has fallen due.
    tab.go(f"/cases/{case.id}/letters/new/")
    page.select_option("#id_institution", index=1)
    page.fill("#id_sent_on", (actions.today() - timedelta(days=30)).isoformat())
    page.fill("#id_subject", "Request for a humanitarian visa")
    page.fill("#id_body", "Dear Sir or Madam, ...")
    tab.shot("new-letter")
    _submit(tab, "Record the letter")
    letter = Letter.objects.get(case=case)
    assert tab.path() == f"/letters/{letter.id}/"
    assert letter.followup_due is not None and letter.followup_due < actions.today()
    assert "Request for a humanitarian visa" in tab.text()
    tab.shot("letter")

    tab.go("/follow-ups/")
    overdue = tab.text()
    assert case.code in overdue and letter.institution.name in overdue
    tab.shot("overdue-follow-ups")
    tab.go("/")
    assert case.code in tab.text()

    # 5. The route plan, with the engine's verdicts and explanations.
    tab.go(f"/cases/{case.id}/plan/")
    plan = tab.text()
    assert case.code in plan and any(word in plan for word in ("open", "missing", "blocked", "circular"))
    tab.shot("route-plan")

    # 6. Seal now: every page is the sealed page, and nothing of the case shows.
    _submit(tab, "Seal now")
    assert service.vault_is_sealed()
    assert tab.path() == "/unseal/"
    tab.shot("sealed")
    response = tab.go(f"/cases/{case.id}/")
    assert response.status == 503
    assert "The vault is sealed" in tab.text() and case.code not in page.content()
    tab.shot("sealed-case-page")

    # 7. Unseal with the passphrase and carry on where we were.
    tab.go("/unseal/")
    page.fill("#id_passphrase", "not the passphrase")
    _submit(tab, "Unseal")
    assert service.vault_is_sealed() and "This does not unseal the vault" in tab.text()
    tab.shot("unseal-refused")
    page.fill("#id_passphrase", PASSPHRASE)
    _submit(tab, "Unseal")
    assert not service.vault_is_sealed()
    assert tab.path() == "/"
    tab.go(f"/cases/{case.id}/")
    assert "crossed into Kazakhstan" in tab.text()
    tab.shot("unsealed-case-page")

    assert tab.console_errors == []  # no CSP violations, no script errors
    assert tab.failed_resources == []
    assert all(path.stat().st_size > 1000 for path in tab.shots)
