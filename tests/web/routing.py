"""Every route of the URL configuration, and real objects to fill its URL parameters.

:func:`every_route` walks ``django.urls.get_resolver()`` recursively, so a view added by any app
(evidence, dossiers, the intake inbox, ...) is picked up without touching the tests. Static
files are the only routes left out.

:class:`Targets` fills a route's parameters from :data:`REGISTRY`, keyed by parameter name. A
parameter that belongs to a case (a letter, a task, an evidence item, ...) is filled twice: once
for the case assigned to the volunteer (row ``case``) and once for a case assigned to nobody
(row ``other_case``). Objects are created on first use, through the apps' own domain actions,
so a route only pays for the objects it needs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from passage.accounts.access import Policy, policy_of

# Rows of the matrix: the volunteer's assigned case, and a case nobody is assigned to.
ROWS = ("case", "other_case")


@dataclass(frozen=True)
class Route:
    """One URL pattern with its view, its name and the names of its parameters."""

    pattern: str  # e.g. "cases/<uuid:case_id>/plan/"
    name: str  # e.g. "cases:plan", or the view's dotted path when the pattern has no name
    callback: Callable[..., Any]
    params: tuple[str, ...]

    def __str__(self) -> str:
        return self.name

    @property
    def policy(self) -> Policy | None:
        return policy_of(self.callback)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def api_methods(self) -> dict[str, str]:
        """The API's methods and the scope each needs (empty for a page)."""
        scopes = getattr(self.callback, "passage_api_scopes", None) or {}
        return {method: str(scope) for method, scope in scopes.items()}

    def path(self, values: dict[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            return values[match.group(2)]

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.pattern)


def _is_static(callback: Callable[..., Any]) -> bool:
    return getattr(callback, "__module__", "").startswith(("django.contrib.staticfiles", "django.views.static"))


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else pattern.namespace or namespace
            )
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or "")
        elif isinstance(pattern, URLPattern):
            if _is_static(pattern.callback):
                continue
            callback = pattern.callback
            label = pattern.name or f"{callback.__module__}.{getattr(callback, '__name__', '?')}"
            name = f"{namespace}:{label}" if namespace and pattern.name else label
            full = prefix + str(pattern.pattern)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", full))
            yield Route(full, name, callback, params)


def every_route() -> list[Route]:
    """Every route served by the staff process (static files excepted), in URL-conf order."""
    return list(_walk(get_resolver().url_patterns, "", ""))


# -- filling parameters --------------------------------------------------------------------------


@dataclass
class Targets:
    """Lazily created objects for one test: ``value(param, row)`` gives the URL value."""

    office: Any
    media: Any
    _made: dict[tuple[str, str], str] = field(default_factory=dict)

    def case(self, row: str) -> Any:
        return getattr(self.office, row)

    def value(self, param: str, row: str) -> str:
        if param not in REGISTRY:
            raise LookupError(
                f"URL parameter {param!r} has no entry in tests/web/routing.py REGISTRY: add a factory "
                "that creates a real object for it (one per row if it belongs to a case)"
            )
        make, per_case = REGISTRY[param]
        key = (param, row if per_case else "")
        if key not in self._made:
            self._made[key] = str(make(self, row))
        return self._made[key]

    def values(self, route: Route, row: str) -> dict[str, str]:
        return {param: self.value(param, row) for param in route.params}


def belongs_to_a_case(route: Route) -> bool:
    return any(REGISTRY.get(param, (None, False))[1] for param in route.params)


# Each factory returns the URL value of a real object; ``per_case`` factories make one per row.


def _case_id(targets: Targets, row: str) -> Any:
    return targets.case(row).id


def _letter(targets: Targets, row: str) -> Any:
    from passage.cases import actions
    from passage.cases.models import Institution

    institution = Institution.objects.order_by("name").first()
    return actions.record_letter(
        targets.office.lawyer, targets.case(row), institution=institution, direction="out", channel="email",
        sent_on=actions.today() - timedelta(days=40), subject="Matrix letter", body="Matrix body",
    ).id  # fmt: skip


def _task(targets: Targets, row: str) -> Any:
    from passage.cases import actions

    return actions.add_task(targets.office.lawyer, targets.case(row), title="Matrix task", due_on=actions.today()).id


def _incident(targets: Targets, row: str) -> Any:
    from passage.cases import actions

    return actions.add_incident(
        targets.office.lawyer, targets.case(row), kind="threat", occurred_on=actions.today(), country="KZ",
        description="Matrix incident",
    ).id  # fmt: skip


def _note(targets: Targets, row: str) -> Any:
    from passage.cases import actions

    return actions.add_note(targets.office.lawyer, targets.case(row), text="Matrix note").id


def _reminder(targets: Targets, row: str) -> Any:
    from passage.cases.models import Reminder

    task_id = targets.value("task_id", "case")
    return Reminder.objects.create(
        user=targets.office.volunteer, case=targets.office.case, task_id=task_id, kind="task",
        due_on=targets.office.case.created_at.date(),
    ).pk  # fmt: skip


def _user(targets: Targets, row: str) -> Any:
    """A separate account: admins may switch it off or reset its second factor without harm."""
    from passage.accounts.models import Role, User

    return User.objects.create_user("tom-target", password="a-long-test-password-9", role=Role.VOLUNTEER).pk


def _institution(targets: Targets, row: str) -> Any:
    from passage.cases.models import Institution

    return Institution.objects.order_by("name").first().pk


def _evidence_item(targets: Targets, row: str) -> Any:
    from tests.evidence import files
    from tests.evidence.conftest import add

    return add(targets.office, files.text_pdf("Matrix evidence"), case=targets.case(row), kind="summons").id


def _translation(targets: Targets, row: str) -> Any:
    from passage.evidence import translations
    from passage.evidence.models import EvidenceItem

    item = EvidenceItem.objects.get(pk=targets.value("item_id", row))
    return translations.save_translation(targets.office.lawyer, item, language="de", status="draft", text="Entwurf").id


def _evidence_link(targets: Targets, row: str) -> Any:
    from passage.cases import actions as case_actions
    from passage.evidence import actions
    from passage.evidence.models import EvidenceItem

    item = EvidenceItem.objects.get(pk=targets.value("item_id", row))
    pathway = case_actions.case_plan(targets.office.lawyer, targets.case(row)).pathways[0]
    return actions.link_requirement(
        targets.office.lawyer, item, pathway.pathway.id, pathway.requirements[0].requirement.id
    ).pk


def _dossier(targets: Targets, row: str) -> Any:
    from passage.dossier import actions

    pathway = "de-22-2-aufenthg"
    case = targets.case(row)
    letter = actions.letter_draft(targets.office.lawyer, case, pathway, "en", 0)
    return actions.generate(
        targets.office.lawyer, case, pathway_id=pathway, language="en", item_ids=[], letter=letter
    ).id


def _intake(targets: Targets) -> dict[str, str]:
    """A person sends a questionnaire with a file through the portal; returns the public ids."""
    from django.test import Client

    from passage.intake.models import Account, Submission, Upload
    from tests.intake.conftest import PDF_BYTES, Person

    if ("intake", "") not in targets._made:
        person = Person(Client())
        person.get_codename()
        person.practise()
        person.answer_all(story="Matrix story")
        person.upload("scan.pdf", PDF_BYTES)
        assert person.send().status_code in (200, 302)
        account = Account.objects.order_by("-pk").first()
        submission = Submission.objects.filter(account=account).order_by("-pk").first()
        upload = Upload.objects.filter(account=account).order_by("-pk").first()
        targets._made[("intake", "")] = "made"
        targets._made[("account_id", "")] = str(account.public_id)
        targets._made[("submission_id", "")] = str(submission.public_id)
        targets._made[("upload_id", "")] = str(upload.public_id)
    return {name: targets._made[(name, "")] for name in ("account_id", "submission_id", "upload_id")}


REGISTRY: dict[str, tuple[Callable[[Targets, str], Any], bool]] = {
    # name: (factory, belongs to a case)
    "case_id": (_case_id, True),
    "client_id": (_case_id, True),
    "letter_id": (_letter, True),
    "task_id": (_task, True),
    "incident_id": (_incident, True),
    "note_id": (_note, True),
    "item_id": (_evidence_item, True),
    "evidence_id": (_evidence_item, True),
    "translation_id": (_translation, True),
    "link_id": (_evidence_link, True),
    "dossier_id": (_dossier, True),
    "reminder_id": (_reminder, False),
    "user_id": (_user, False),
    "institution_id": (_institution, False),
    "account_id": (lambda targets, row: _intake(targets)["account_id"], False),
    "submission_id": (lambda targets, row: _intake(targets)["submission_id"], False),
    "upload_id": (lambda targets, row: _intake(targets)["upload_id"], False),
    "language": (lambda targets, row: "en", False),
    "name": (lambda targets, row: "where", False),  # an intake questionnaire step
}


def unknown_uuid() -> str:
    return str(uuid.uuid4())
