"""Schemathesis against the OpenAPI document, through the real WSGI application.

Every operation is exercised twice: with generated ids (mostly unknown: 404s) and with the ids
of real objects the lawyer may see, so the success paths and their bodies are checked too.
Deterministic (derandomized Hypothesis, no example database) and small enough to stay fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from passage.cases import actions
from passage.cases.models import Institution
from tests.api.conftest import issue

pytestmark = pytest.mark.slow

EXAMPLES = 40


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI application, sharing the test's database transaction.

    Django's own test client does the same: a real WSGI request would otherwise close the
    connection at its start and end, and with it the test's transaction.
    """
    from passage.web.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def _exercise(
    operation: Any,
    strategy: Any,
    headers: dict[str, str],
    checks: list[Any],
    references: dict[str, str],
    seen: Counter[tuple[str, int]],
) -> None:
    """Send ``EXAMPLES`` generated requests to one operation, validating each response."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=strategy)
    def exercise(case: Any) -> None:
        if isinstance(case.body, dict):
            for name, value in references.items():
                if name in case.body:
                    case.body[name] = value
        response = case.call_and_validate(headers=headers, checks=checks)
        seen[(operation.label, response.status_code)] += 1

    exercise()


def _run(
    schema: Any,
    headers: dict[str, str],
    known_ids: dict[str, str],
    mode: GenerationMode,
    checks: list[Any],
    known_references: dict[str, str] | None = None,
) -> Counter[tuple[str, int]]:
    """Run every operation; returns how often each (operation, status) was seen.

    With ``known_references``, a body field that refers to another object (an institution)
    gets a real id in the variant with real path ids.
    """
    seen: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        variants: list[dict[str, str] | None] = [None]
        fixed = {name: value for name, value in known_ids.items() if "{" + name + "}" in operation.path}
        if fixed:
            variants.append(fixed)
        for path_parameters in variants:
            strategy = operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=path_parameters)
            references = (known_references or {}) if path_parameters else {}
            try:
                _exercise(operation, strategy, headers, checks, references, seen)
            except Unsatisfiable:
                # Negative mode: an operation without parameters or body has nothing to break.
                if mode is GenerationMode.POSITIVE:
                    raise
    return seen


def test_schemathesis_finds_no_server_error_and_no_schema_violation(office, wsgi_app):
    institution = Institution.objects.order_by("name").first()
    letter = actions.record_letter(
        office.lawyer, office.case, institution=institution, direction="out", channel="email",
        sent_on=date(2026, 11, 1), subject="Humanitarian visa", body="Dear consul",
    )  # fmt: skip
    task = actions.add_task(office.lawyer, office.case, title="Call the embassy", due_on=date(2026, 12, 1))
    headers = {"Authorization": f"Bearer {issue(office.lawyer)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema", wsgi_app)
    known = {"client_id": str(office.case.id), "letter_id": str(letter.id), "task_id": str(task.id)}

    seen = _run(
        schema,
        headers,
        known,
        GenerationMode.POSITIVE,
        _checks(),
        known_references={"institution": str(institution.id)},
    )

    succeeded = {label for (label, status), _count in seen.items() if status < 300}
    every = {result.ok().label for result in schema.get_all_operations()}
    assert succeeded == every, f"never succeeded: {sorted(every - succeeded)}; seen: {sorted(seen.items())}"


def test_schemathesis_invalid_requests_are_refused_with_4xx(office, wsgi_app):
    """Negative mode: bodies and parameters the schema forbids are refused with 4xx, never 5xx."""
    from schemathesis.specs.openapi.checks import negative_data_rejection

    headers = {"Authorization": f"Bearer {issue(office.lawyer)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema", wsgi_app)
    known = {"client_id": str(office.case.id)}

    seen = _run(schema, headers, known, GenerationMode.NEGATIVE, [*_checks(), negative_data_rejection])

    # Unknown query parameters are ignored (as is usual); everything else broken is refused.
    assert sum(seen.values()) > 100
    assert not [key for key in seen if key[1] >= 500]
