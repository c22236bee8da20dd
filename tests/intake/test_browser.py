"""A whole intake in Russian in Chromium with JavaScript off, then the office reads and replies.

Debian's /usr/bin/chromium through Playwright (never `playwright install`), JavaScript
disabled in every context, as Tor Browser's "Safest" level would have it. The person works
while the vault is sealed (the portal needs only the public key); a lawyer with a verified TOTP
session unseals, reads the submission in the inbox and replies; the person comes back with the
codename and reads the reply. Screenshots go to artifacts/intake/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser import LAUNCH_ARGS, chromium, follow
from tests.conftest import PASSPHRASE, verified_client
from tests.intake.conftest import PDF_BYTES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "intake"
STORY = "Я служил по контракту и ушёл из части в августе. Боюсь, что меня выдадут."
REPLY = (
    "Здравствуйте. Мы прочитали ваш рассказ. Не выезжайте через аэропорт Алматы. Напишите, есть ли у вас военный билет."
)


@pytest.fixture
def browser() -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_js_context(browser: Any) -> Any:
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    context.set_default_timeout(20_000)
    return context


def test_a_person_reaches_the_office_in_russian_without_javascript(
    office: Any, vault: Any, live_server: Any, browser: Any, tmp_path: Path
) -> None:
    vault.seal(reason="browser test")
    base = live_server.url
    person = no_js_context(browser)
    page = person.new_page()
    page_errors: list[str] = []
    page.on("console", lambda message: page_errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{base}/intake/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Безопасная связь" in page.locator("h1").inner_text()
    shot(page, "01-start")

    follow(page, page.get_by_role("button", name="Получить кодовую фразу и начать"))
    words = page.locator("#codename li").all_inner_texts()
    assert len(words) == 7
    codename = " ".join(words)
    shot(page, "02-codename")

    follow(page, page.get_by_role("link", name="Я записал(а)"))
    page.fill("#codename", codename.upper())
    follow(page, page.get_by_role("button", name="Проверить"))
    assert "Шаг 1 из" in page.content()

    page.select_option("select[name=current_country]", "KZ")
    page.fill("input[name=arrived_on]", "2026-09-01")
    page.select_option("select[name=citizenship]", "RU")
    shot(page, "03-where")
    follow(page, page.get_by_role("button", name="Далее"))

    page.check("input[name=has_internal_passport][value=yes]")
    page.check("input[name=has_foreign_passport][value=no]")  # no passport: its expiry is not asked
    follow(page, page.get_by_role("button", name="Далее"))

    assert "Ваша ситуация" in page.locator("h1").inner_text()
    page.check("input[name=situation][value=contract_left]")
    follow(page, page.get_by_role("button", name="Далее"))

    page.check("input[name=criminal_case][value=yes]")
    page.check("input[name=wanted_interstate][value=yes]")  # the others stay "I don't know"
    shot(page, "04-legal")
    follow(page, page.get_by_role("button", name="Далее"))

    follow(page, page.get_by_role("button", name="Далее"))  # activity: every question skipped
    page.check("input[name=ties_to][value=DE]")
    follow(page, page.get_by_role("button", name="Далее"))
    page.check("input[name=refugee_status_host][value=applied]")
    follow(page, page.get_by_role("button", name="Далее"))
    page.check("input[name=evidence][value=military_id]")
    page.check("input[name=evidence][value=criminal_case_notice]")
    follow(page, page.get_by_role("button", name="Далее"))

    page.fill("textarea[name=story]", STORY)
    shot(page, "05-story")
    follow(page, page.get_by_role("button", name="Далее"))

    document = tmp_path / "постановление.pdf"
    document.write_bytes(PDF_BYTES)
    page.set_input_files("#document", str(document))
    follow(page, page.get_by_role("button", name="Загрузить"))
    assert "постановление.pdf" in page.content()
    shot(page, "06-files")

    follow(page, page.get_by_role("link", name="Дальше — к обзору"))
    overview = page.content()
    assert "Это не юридическая консультация" in overview
    assert "Предупреждения" in overview
    assert "Казахстан" in overview
    assert "Сообщает:" in overview  # the safety briefing, as reports
    shot(page, "07-overview")

    follow(page, page.get_by_role("button", name="Отправить в офис").first)
    assert "Отправлено в офис" in page.locator("h1").inner_text()
    shot(page, "08-sent")
    assert page_errors == []
    person.close()

    # The office: a lawyer whose session passed TOTP unseals, reads and replies.
    session = verified_client(Client(), office.lawyer).cookies["sessionid"].value
    staff = browser.new_context(java_script_enabled=False)
    staff.set_default_timeout(20_000)
    staff.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    desk = staff.new_page()
    answer = desk.goto(f"{base}/inbox/")
    assert answer is not None and answer.status == 503  # sealed: nothing to read yet
    desk.goto(f"{base}/unseal/")
    desk.fill("input[name=passphrase]", PASSPHRASE)
    follow(desk, desk.locator("form:has(input[name=passphrase]) button[type=submit]"))
    desk.goto(f"{base}/inbox/")
    shot(desk, "09-inbox")
    follow(desk, desk.locator("table a").first)
    thread = desk.content()
    assert STORY in thread
    assert "постановление.pdf" in thread
    shot(desk, "10-submission")
    desk.fill("textarea[name=text]", REPLY)
    follow(desk, desk.get_by_role("button", name="Seal and send reply"))
    assert REPLY in desk.content()
    staff.close()

    # Days later, a fresh browser: the codename is all the person has.
    again = no_js_context(browser)
    back = again.new_page()
    back.goto(f"{base}/intake/login/")
    back.fill("#codename", "  " + "-".join(words) + " ")
    follow(back, back.get_by_role("button", name="Открыть"))
    assert REPLY in back.content()
    assert "Ваша переписка с офисом" in back.content()
    shot(back, "11-reply")
    again.close()
