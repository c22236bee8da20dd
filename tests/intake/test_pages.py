"""Every portal page: no script, no outside URL, the strict CSP, and at most 50 KB with its CSS.

The pages are collected by walking the portal as a person would (both languages, errors,
limits, the overview for every demo persona) rather than from a hand-kept list.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from passage.intake.models import Account
from passage.intake.questionnaire import STEPS, answers_from_facts
from passage.intake.views import LANG_COOKIE
from tests.conftest import PASSPHRASE
from tests.intake.conftest import PDF_BYTES, Person

LIMIT_BYTES = 50 * 1024
EXPECTED_CSP = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
_ATTRIBUTE_URL = re.compile(r"""\b(?:src|href|action|formaction|poster|data|srcset)\s*=\s*["']?([^"'\s>]*)""", re.I)
_STYLESHEET = re.compile(r"""<link[^>]+rel=["']stylesheet["'][^>]*href=["']([^"']+)["']""", re.I)


def csp_of(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def css_bytes(html: str) -> int:
    total = 0
    for href in _STYLESHEET.findall(html):
        assert href.startswith("/static/"), href
        path = finders.find(href.removeprefix("/static/"))
        assert path, f"stylesheet {href} not found"
        total += Path(path).stat().st_size
    return total


def collect_pages(office: Any, vault: Any) -> list[tuple[str, Any]]:
    """Walk the portal and return every page a person can see, in both languages."""
    pages: list[tuple[str, Any]] = []
    person = Person(Client())
    keep = pages.append
    keep(("start", person.client.get("/intake/")))
    keep(("start expired", person.client.get("/intake/?expired=1")))
    keep(("codename", person.get_codename()))
    keep(("practice", person.client.get("/intake/practice/")))
    keep(("practice wrong", person.practise("abacus abdomn")))
    person.practise()
    for step in STEPS:
        keep((f"step {step.name}", person.client.get(f"/intake/q/{step.name}/")))
    keep(("step invalid", person.post("/intake/q/where/", {"arrived_on": "2999-01-01", "go": "next"})))
    person.answer_all(story="Короткий рассказ. " * 50)
    keep(("files", person.client.get("/intake/files/")))
    keep(("files refused", person.upload("x.png", PDF_BYTES)))
    person.upload("повестка.pdf", PDF_BYTES)
    keep(("files with one", person.client.get("/intake/files/")))
    keep(("overview", person.client.get("/intake/overview/")))
    keep(("sent", person.client.get(person.send()["Location"])))
    keep(("login", person.client.get("/intake/login/")))
    keep(("login wrong", person.log_in("abacus abdomen")))
    from passage.intake import office as intake_office

    vault.unseal_passphrase(PASSPHRASE)
    for _ in range(6):  # long replies: the page shows the newest whole, and stays light
        intake_office.reply(office.lawyer, Account.objects.get(), "Ответ офиса, длинный. " * 270)
    vault.seal(reason="page test")
    keep(("thread", person.log_in()))
    keep(("message sent", person.post("/intake/message/", {"text": "Ещё одно сообщение."})))
    keep(("message empty", person.post("/intake/message/", {"text": ""})))
    keep(("not found", person.client.get("/intake/nowhere/")))
    from django.conf import settings
    from django.test import override_settings

    with override_settings(PASSAGE=replace(settings.PASSAGE, intake_quota=1)):
        keep(("start paused", person.client.get("/intake/")))
        person.answer_all(story="again")
        keep(("try later", person.send()))
        keep(("overview paused", person.client.get("/intake/overview/")))
    with override_settings(PASSAGE=replace(settings.PASSAGE, intake_office_key="0" * 64)):
        keep(("unavailable", person.upload("a.pdf", PDF_BYTES)))
    keep(("csrf expired", Client(enforce_csrf_checks=True).post("/intake/new/")))
    keep(("left", person.post("/intake/leave/")))

    english = Person(Client())
    english.client.cookies[LANG_COOKIE] = "en"
    keep(("start en", english.client.get("/intake/")))
    keep(("codename en", english.get_codename()))
    english.practise()
    english.answer_all(story="A short story.")
    keep(("overview en", english.client.get("/intake/overview/")))

    # The overview of every demo persona, as if they had answered the questionnaire.
    from passage.cases.actions import knowledge
    from passage.routes import load_profile

    visitor = Person(Client())
    visitor.get_codename()
    visitor.practise()
    from passage.intake.visits import current_visit

    for path in sorted((Path(__file__).resolve().parents[2] / "examples" / "profiles").glob("*.yaml")):
        profile = load_profile(path, knowledge())
        facts = {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in profile.facts.items()}
        facts = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in facts.items()}
        request = type("R", (), {"COOKIES": {k: m.value for k, m in visitor.client.cookies.items()}})()
        visit = current_visit(request)  # type: ignore[arg-type]
        assert visit is not None
        visit.save_draft({"answers": answers_from_facts(facts, profile.evidence), "story": "x" * 5000})
        keep((f"overview {path.stem}", visitor.client.get("/intake/overview/")))
    return pages


@pytest.fixture
def pages(office: Any, vault: Any, portal_media: Path) -> list[tuple[str, Any]]:
    vault.seal(reason="page test")
    return collect_pages(office, vault)


def test_every_portal_page_is_plain_strict_and_small(pages: list[tuple[str, Any]]) -> None:
    assert len(pages) > 30
    problems: list[str] = []
    for name, response in pages:
        html = response.content.decode("utf-8")
        if response.status_code not in {200, 400, 403, 404, 503}:
            problems.append(f"{name}: status {response.status_code}")
        if re.search(r"<script", html, re.I):
            problems.append(f"{name}: has a <script>")
        if re.search(r"\son[a-z]+\s*=", html, re.I) or "javascript:" in html.lower():
            problems.append(f"{name}: has a script handler")
        if re.search(r"<style|\sstyle\s*=", html, re.I):
            problems.append(f"{name}: has inline style (the CSP would block it)")
        if re.search(r"https?://", html, re.I):
            problems.append(f"{name}: mentions an http(s) URL")
        for url in _ATTRIBUTE_URL.findall(html):
            if url.startswith("//") or re.match(r"[a-z][a-z0-9+.-]*:", url, re.I):
                problems.append(f"{name}: outside or non-HTTP URL {url!r}")
        if re.search(r"<(iframe|object|embed|img|audio|video|font)\b", html, re.I):
            problems.append(f"{name}: embeds something")
        if csp_of(response) != EXPECTED_CSP:
            problems.append(f"{name}: CSP is {response['Content-Security-Policy']!r}")
        weight = len(response.content) + css_bytes(html)
        if weight > LIMIT_BYTES:
            problems.append(f"{name}: {weight} bytes with CSS")
    assert problems == []


def test_the_walk_reached_the_pages_it_names(pages: list[tuple[str, Any]]) -> None:
    by_name = dict(pages)
    assert by_name["try later"].status_code == 503
    assert "Пожалуйста, попробуйте позже" in by_name["try later"].content.decode()
    assert by_name["unavailable"].status_code == 503
    assert by_name["not found"].status_code == 404
    assert by_name["csrf expired"].status_code == 403
    assert "Страница устарела" in by_name["csrf expired"].content.decode()
    assert by_name["thread"].status_code == 200
    assert "Ответ офиса" in by_name["thread"].content.decode()


def test_the_portal_speaks_russian_unless_asked_otherwise(pages: list[tuple[str, Any]]) -> None:
    by_name = dict(pages)
    assert 'lang="ru"' in by_name["start"].content.decode()
    assert "Получить кодовую фразу и начать" in by_name["start"].content.decode()
    assert "Get a codename and start" in by_name["start en"].content.decode()


def test_the_browser_language_does_not_switch_the_portal(db: Any, sealed_office: Any) -> None:
    response = Client().get("/intake/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.5")  # Tor Browser's default
    assert 'lang="ru"' in response.content.decode()


def test_the_language_switch_stays_on_the_portal(db: Any, sealed_office: Any) -> None:
    person = Person(Client())
    response = person.post("/intake/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/intake/"
    assert response.cookies[LANG_COOKIE]["path"] == "/intake/"
    response = person.post("/intake/language/", {"language": "en", "next": "/intake/login/"})
    assert response["Location"] == "/intake/login/"


def test_pages_are_never_cached(db: Any, sealed_office: Any) -> None:
    response = Client().get("/intake/")
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_stylesheet_is_tiny_and_self_contained() -> None:
    css = Path(finders.find("intake/portal.css")).read_text()
    assert len(css.encode()) < 4 * 1024
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_an_unpinned_key_is_refused(db: Any, sealed_office: Any, settings: Any) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, intake_office_key="0" * 64)
    person = Person(Client())
    person.get_codename()
    person.practise()
    person.answer_all()
    response = person.send()
    assert response.status_code == 503
    assert "Сейчас недоступно" in response.content.decode()
