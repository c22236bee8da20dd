"""Several statements to PostgreSQL in one round trip.

Every statement on PostgreSQL waits for the server's answer before the next is sent: 0.15–0.3 ms
per statement on the 2-core benchmark host, prepared or not, which on a case page was more than
the database's own work. In psycopg's pipeline mode statements are sent without waiting and the
answers read in order when first needed, so questions that do not depend on each other's answers
share one round trip. The server still runs them one after another, in the order sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["Asked", "joined_round_trips"]


@dataclass(frozen=True)
class Asked:
    """A question ready to send: its statements (none when the answer is known without asking)
    and how to make the answer from their raw rows. ``passage.cases.statements.asked_together``
    sends several in one round trip."""

    statements: tuple[tuple[str, list[Any]], ...]
    answer: Callable[[list[list[Any]]], Any]


@contextmanager
def joined_round_trips(connection: BaseDatabaseWrapper) -> Iterator[bool]:
    """Pipeline mode for the block on PostgreSQL (yields True); elsewhere nothing changes (False).

    Inside, a statement's errors may surface at a later fetch or when the block ends; either way
    they are raised as Django's database errors, as outside.
    """
    if connection.vendor != "postgresql":
        yield False
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield True
