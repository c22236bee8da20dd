"""Django's database sessions, saved in the same transaction as the request's waiting audit rows.

A staff page saves its session on every request (the expiry slides with activity). A page that
read a case has audit rows waiting too (``passage.audit.chain.until_response``); saving both in
one transaction spares a commit that waits for the disk and, on PostgreSQL, three round trips.
Everything else — a new session, a request with nothing waiting — is saved as Django does.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection

from passage.audit.chain import append_waiting, waiting_events

__all__ = ["SessionStore"]


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None or not waiting_events():
            super().save(must_create)
            return
        row = self.create_model_instance(self._get_session())
        expire_date = Session._meta.get_field("expire_date").get_db_prep_save(row.expire_date, connection)
        changed = append_waiting(
            also=(_update_sql(connection.vendor), [row.session_data, expire_date, row.session_key])
        )
        if changed != 1:  # the session was deleted meanwhile (a log-out elsewhere); the audit rows are in
            raise UpdateError


@lru_cache(maxsize=4)
def _update_sql(vendor: str) -> str:
    """The session's update as fixed SQL; only the model's quoted names go into the text."""
    quote, meta = connection.ops.quote_name, Session._meta
    data, expires, key = (quote(meta.get_field(name).column) for name in ("session_data", "expire_date", "session_key"))
    return f"UPDATE {quote(meta.db_table)} SET {data} = %s, {expires} = %s WHERE {key} = %s"  # noqa: S608
