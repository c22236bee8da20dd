"""Abuse limits without tracking: per session, per codename, a quota that keeps the disk safe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.test import Client

from passage.intake.limits import LIMITS, prune_counters
from passage.intake.models import Counter, Submission, SubmissionStatus
from tests.intake.conftest import PDF_BYTES, Person


def ready(person: Person) -> Person:
    person.get_codename()
    person.practise()
    person.answer_all(story="story")
    return person


def test_a_full_quota_shows_the_try_later_page(db: Any, sealed_office: Any, portal_media: Path, settings: Any) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, intake_quota=1)
    ready(Person(Client())).send()
    late = ready(Person(Client()))
    response = late.send()
    assert response.status_code == 503
    assert "Пожалуйста, попробуйте позже" in response.content.decode()
    assert Submission.objects.count() == 1
    assert "приём новых приостановлен" in late.client.get("/intake/").content.decode()
    assert late.upload("a.pdf", PDF_BYTES).status_code == 503
    Submission.objects.update(status=SubmissionStatus.READ)  # the office has read the backlog
    assert late.send().status_code == 302


def test_the_byte_quota_counts_unsent_files_too(db: Any, sealed_office: Any, portal_media: Path, settings: Any) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, intake_quota_mb=1)
    person = ready(Person(Client()))
    assert person.upload("a.pdf", b"%PDF-1.4\n" + b"1" * 700_000).status_code == 302
    response = person.upload("b.pdf", b"%PDF-1.4\n" + b"2" * 700_000)
    assert response.status_code == 503
    assert len(list((portal_media / "intake").iterdir())) == 1  # the refused file was removed


def test_logins_are_limited_per_session(db: Any, sealed_office: Any) -> None:
    person = Person(Client())
    person.get_codename()
    statuses = [person.log_in("abacus abdomen").status_code for _ in range(LIMITS["login"].count + 1)]
    assert statuses[:-1] == [400] * LIMITS["login"].count
    assert statuses[-1] == 503


def test_new_codenames_are_limited_per_session(db: Any, sealed_office: Any) -> None:
    person = Person(Client())
    statuses = [person.post("/intake/new/").status_code for _ in range(LIMITS["new_codename"].count + 1)]
    assert statuses[-1] == 503
    assert statuses[:-1] == [200] * LIMITS["new_codename"].count


def test_questionnaires_are_limited_per_codename(db: Any, sealed_office: Any, portal_media: Path) -> None:
    person = ready(Person(Client()))
    for _ in range(LIMITS["questionnaire"].count):
        person.answer_all(story="again")
        assert person.send().status_code == 302
    person.answer_all(story="once more")
    assert person.send().status_code == 503


def test_old_counters_are_pruned(db: Any) -> None:
    Counter.objects.create(scope="login:session:1", window=1, count=3)
    assert prune_counters() == 1
    assert Counter.objects.count() == 0
