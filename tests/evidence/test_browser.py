"""A lawyer in Debian's Chromium with JavaScript turned off: uploads a scan of a summons, sees it
read, builds a dossier and downloads it. Screenshots go to artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from passage.evidence.jobs import run_ocr
from passage.evidence.models import EvidenceItem
from tests.browser import LAUNCH_ARGS, chromium, follow
from tests.evidence import files

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
pytestmark = [pytest.mark.browser]


@pytest.fixture
def lawyer_tab(live_server: Any, office: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
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
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        context = browser.new_context(java_script_enabled=False, accept_downloads=True)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "sessionid", "value": session.session_key, "domain": host, "path": "/"}])
        yield context.new_page(), live_server.url
        browser.close()


def test_upload_read_link_and_download_a_dossier_with_javascript_off(lawyer_tab: tuple[Any, str], office: Any) -> None:
    tab, base = lawyer_tab
    tab.goto(f"{base}/evidence/case/{office.case.id}/")
    scan = files.png_bytes(files.scan_of())
    tab.set_input_files("#id_file", {"name": "povestka.png", "mimeType": "image/png", "buffer": scan})
    tab.select_option("#id_kind", "proof_of_threats")
    tab.fill("#id_title", "Повестка в военкомат")
    tab.select_option("#id_provenance", "messenger")
    tab.screenshot(path=str(SHOTS / "1-upload-form.png"), full_page=True)
    follow(tab, "text=Upload and encrypt")
    item = EvidenceItem.objects.get()
    assert tab.url.endswith(f"/evidence/item/{item.id}/")
    assert "E1" in tab.content() and "image/png" in tab.content()

    run_ocr(item.id)  # what the db_worker does in the background
    tab.reload()
    assert "военный комиссариат" in tab.content()
    tab.screenshot(path=str(SHOTS / "2-item-with-text.png"), full_page=True)

    tab.goto(f"{base}/evidence/case/{office.case.id}/requirements/")
    assert "E1" in tab.content()
    tab.screenshot(path=str(SHOTS / "3-requirements.png"), full_page=True)

    tab.goto(f"{base}/dossiers/case/{office.case.id}/")
    tab.select_option("#id_pathway", "de-22-2-aufenthg")
    follow(tab, "text=Next: letter and evidence")
    assert "Sehr geehrte Damen und Herren" in tab.content()
    tab.check(f"input[name=items][value='{item.id}']")
    tab.screenshot(path=str(SHOTS / "4-dossier-form.png"), full_page=True)
    follow(tab, "text=Build the dossier")
    assert "Download PDF" in tab.content()
    tab.screenshot(path=str(SHOTS / "5-dossiers.png"), full_page=True)
    with tab.expect_download() as info:
        tab.click("text=Download PDF")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    from tests.dossier.conftest import run

    text = run("pdftotext", "-", "-", data=pdf)
    assert "Antragsunterlagen" in text and "Повестка в военкомат" in text and "Anlage 1" in text
