"""Background jobs (django-tasks, stored in the database; run by ``passage db_worker``).

Named jobs rather than tasks so they are not mistaken for the case tasks a lawyer writes down.
``passage reminders`` and ``passage replan`` queue them; cron runs those commands.
"""

from __future__ import annotations

from django_tasks import task

from passage.cases import actions
from passage.sealing.service import vault_is_sealed


@task()
def send_reminders() -> int:
    """Create in-app reminders for tasks and follow-ups falling due; returns how many were new.

    Reads only plain columns (dates, statuses), so it runs while the vault is sealed too.
    """
    return actions.due_reminders()


class VaultSealedError(RuntimeError):
    """Re-planning reads the encrypted facts and cannot run while the vault is sealed."""


@task()
def replan_cases() -> int:
    """Re-plan every active case planned with an older knowledge base; returns how many."""
    if vault_is_sealed():
        raise VaultSealedError("the vault is sealed: unseal it, then queue the re-plan again")
    return actions.replan_stale_cases()
