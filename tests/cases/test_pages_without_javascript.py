"""Every case page works with JavaScript off: plain forms, no scripts, no inline styles, a policy on every view."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, get_resolver

from passage.accounts.access import policy_of
from passage.cases import actions


@pytest.fixture
def pages(office, institution):
    letter = actions.record_letter(
        office.lawyer,
        office.case,
        institution=institution,
        direction="out",
        channel="email",
        sent_on=actions.today() - timedelta(days=30),
        subject="s",
        body="b",
    )
    actions.add_task(office.lawyer, office.case, title="t", due_on=actions.today())
    actions.due_reminders()
    case = office.case.id
    return [
        "/",
        "/cases/",
        "/cases/new/",
        f"/cases/{case}/",
        f"/cases/{case}/facts/",
        f"/cases/{case}/plan/",
        f"/cases/{case}/details/",
        f"/cases/{case}/shred/",
        f"/cases/{case}/letters/new/",
        f"/letters/{letter.id}/",
        "/follow-ups/",
        "/institutions/",
        "/institutions/new/",
        f"/institutions/{institution.id}/edit/",
        "/statistics/",
    ]


def test_it_serves_every_page_without_scripts_or_inline_styles(as_admin, pages):
    for url in pages:
        response = as_admin.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "<script" not in page, url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url  # no event handlers
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S):
            method = re.search(r'method="(get|post)"', form)
            assert method, (url, form[:80])
            if method.group(1) == "post":
                assert 'name="csrfmiddlewaretoken"' in form, (url, form[:80])


def test_it_protects_every_case_view_with_a_policy():
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            if isinstance(inner, URLPattern) and inner.callback.__module__.startswith("passage.cases"):
                assert policy_of(inner.callback) is not None, inner.name


def test_it_answers_anonymous_visitors_with_the_login_page(client, office):
    response = client.get(f"/cases/{office.case.id}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
