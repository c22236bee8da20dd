"""Fixtures of the case pages: each named person logged in, an institution, many cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import verified_client


@pytest.fixture
def as_admin(client: Any, office: Any) -> Any:
    return verified_client(client, office.admin)


@pytest.fixture
def as_volunteer(client: Any, office: Any) -> Any:
    return verified_client(client, office.volunteer)


@pytest.fixture
def as_nobody(client: Any, office: Any) -> Any:
    """The volunteer with no case: must see nothing."""
    return verified_client(client, office.volunteer_none)


@pytest.fixture
def institution(office: Any) -> Any:
    from passage.cases.models import Institution

    return Institution.objects.get(kb_id="de-embassy-kz")


@pytest.fixture
def thresholds(settings: Any) -> Callable[..., None]:
    """Set the stay-warning thresholds (days) for one test."""

    def set_thresholds(*days: int) -> None:
        settings.PASSAGE = replace(settings.PASSAGE, stay_warning_days=sorted(days, reverse=True))

    set_thresholds(30, 14, 7)
    return set_thresholds


@pytest.fixture
def make_cases(office: Any) -> Callable[..., list[Any]]:
    """Open ``n`` more cases (in Kazakhstan, arrived on different days), assigned to the volunteer."""
    from passage.cases import actions

    def make(n: int, *, assign: bool = True) -> list[Any]:
        made = []
        for index in range(n):
            arrived = actions.today() - timedelta(days=10 + index % 80)
            made.append(
                actions.create_case(
                    office.lawyer,
                    true_name=f"Canary Person {index}",
                    aliases=[f"canary-alias-{index}"],
                    facts={"citizenship": "RU", "current_country": "KZ", "arrived_on": arrived.isoformat()},
                    assigned=[office.volunteer] if assign else [],
                )
            )
        return made

    return make


def days_ago(days: int) -> date:
    from passage.cases import actions

    return actions.today() - timedelta(days=days)
