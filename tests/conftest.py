"""Shared fixtures for the office app: a sealed-then-unsealed vault and the named people.

The people every test can use: an admin, a lawyer, a volunteer with one assigned case, a
volunteer with none, and an anonymous visitor who must see nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

PASSPHRASE = "correct horse battery staple office"


@dataclass
class Office:
    admin: Any
    lawyer: Any
    volunteer: Any
    volunteer_none: Any
    case: Any  # assigned to the volunteer
    other_case: Any  # assigned to nobody


@contextmanager
def statements_piped() -> Iterator[list[bool]]:
    """For each statement run in the block, whether it went in a PostgreSQL pipeline."""
    from django.db import connection

    piped: list[bool] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        piped.append(getattr(connection.connection, "_pipeline", None) is not None)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        yield piped


def verified_client(client: Any, user: Any) -> Any:
    """Log ``user`` in with a confirmed TOTP device, as after a real two-factor login."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def vault(db: Any) -> Any:
    """A fresh, unsealed vault held in this process (fast KDF parameters for tests)."""
    from passage.sealing import service
    from passage.vault import LocalKeyHolder

    service.use_holder(LocalKeyHolder())
    service.initialise(PASSPHRASE)
    yield service
    service.use_holder(None)


@pytest.fixture
def office(vault: Any, django_user_model: Any) -> Office:
    from passage.accounts.models import Role
    from passage.cases import actions

    admin = django_user_model.objects.create_user("alice-admin", password="a-long-test-password-1", role=Role.ADMIN)
    lawyer = django_user_model.objects.create_user("lena-lawyer", password="a-long-test-password-2", role=Role.LAWYER)
    volunteer = django_user_model.objects.create_user(
        "vova-volunteer", password="a-long-test-password-3", role=Role.VOLUNTEER
    )
    volunteer_none = django_user_model.objects.create_user(
        "nina-nobody", password="a-long-test-password-4", role=Role.VOLUNTEER
    )
    actions.seed_institutions()
    case = actions.create_case(
        lawyer,
        true_name="Ivan Testov",
        aliases=["Vanya"],
        contacts="signal: +000",
        narrative="Left the unit in 2025.",
        facts={
            "citizenship": "RU",
            "current_country": "KZ",
            "arrived_on": "2026-10-01",
            "military_status": "deserter",
            "wanted_interstate": True,
        },
        assigned=[volunteer],
    )
    other = actions.create_case(lawyer, true_name="Pyotr Other", facts={"citizenship": "RU", "current_country": "AM"})
    return Office(admin, lawyer, volunteer, volunteer_none, case, other)


@pytest.fixture
def as_lawyer(client: Any, office: Office) -> Any:
    return verified_client(client, office.lawyer)


@pytest.fixture(scope="session", autouse=True)
def _release_database_sessions(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """On PostgreSQL, end sessions that live-server threads left open, so the test database can
    be dropped at the end of the run (otherwise Django warns that others still use it).

    Depends on ``django_db_setup`` so that it is torn down before the test database is.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
