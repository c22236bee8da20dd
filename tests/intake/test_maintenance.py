"""Maintenance: pinning the office key, cleaning up what will never be sent, the URL policies."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from passage.accounts.access import LAWYERS, policy_of
from passage.intake.keys import fingerprint, office_public_key
from passage.intake.models import Account, Upload
from passage.intake.portal import clean_up
from tests.intake.conftest import PDF_BYTES, Person


def test_the_pinned_fingerprint_is_accepted(db: Any, sealed_office: Any, settings: Any) -> None:
    out = StringIO()
    call_command("intake", "fingerprint", stdout=out)
    printed = out.getvalue().strip()
    settings.PASSAGE = replace(settings.PASSAGE, intake_office_key=printed)
    assert fingerprint(office_public_key()) == printed


def test_cleanup_removes_only_what_can_never_be_sent(db: Any, sealed_office: Any, portal_media: Path) -> None:
    sender = Person(Client())
    sender.get_codename()
    sender.practise()
    sender.answer_all()
    sender.upload("kept.pdf", PDF_BYTES)
    sender.send()
    drifter = Person(Client())
    drifter.get_codename()  # never practised, never sent
    drifter.practise("wrong")
    hesitant = Person(Client())
    hesitant.get_codename()
    hesitant.practise()
    hesitant.answer_all()
    hesitant.upload("unsent.pdf", PDF_BYTES)  # uploaded, then the browser closed
    unsent = Upload.objects.get(submission__isnull=True)
    later = timezone.now() + timedelta(days=3)
    removed = clean_up(now=later)  # three days on, every session has expired
    assert removed == {"sessions": 3, "files": 1, "accounts": 1, "counters": removed["counters"]}
    assert Account.objects.count() == 2
    assert [upload.submission is not None for upload in Upload.objects.all()] == [True]  # the sent file stays
    assert not (portal_media / "intake" / f"{unsent.public_id.hex}.psg").exists()
    out = StringIO()
    call_command("intake", "status", stdout=out)
    assert "unread submissions: 1" in out.getvalue()


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.callback))
    return found


def test_every_portal_view_is_public_and_every_inbox_view_is_for_lawyers() -> None:
    views = _views(get_resolver().url_patterns)
    portal = [(path, view) for path, view in views if path.startswith("intake/")]
    inbox = [(path, view) for path, view in views if path.startswith("inbox/")]
    assert len(portal) >= 12 and len(inbox) >= 6
    for path, view in portal:
        policy = policy_of(view)
        assert policy is not None and policy.public, path
    for path, view in inbox:
        policy = policy_of(view)
        assert policy is not None and not policy.public, path
        assert set(policy.roles) == {str(role) for role in LAWYERS}, path


def test_a_staff_process_does_not_serve_the_portal(settings: Any) -> None:
    import importlib

    from django.urls import clear_url_caches

    import passage.web.urls as root

    try:
        settings.PASSAGE = replace(settings.PASSAGE, serve="staff")
        paths = [str(entry.pattern) for entry in importlib.reload(root).urlpatterns]
        assert "inbox/" in paths
        assert "intake/" not in paths
    finally:
        settings.PASSAGE = replace(settings.PASSAGE, serve="all")
        importlib.reload(root)
        clear_url_caches()
