"""A visitor's session on the portal, and the answers kept between pages.

Django's session table would keep the answers in plain JSON; the portal has its own small
session instead. The browser holds a random 256-bit token in a cookie (``HttpOnly``,
``SameSite=Strict``, path ``/intake/``, gone when the browser closes). The server stores only
``SHA-256(label ‖ token)`` to find the row, and the draft answers encrypted with AES-256-GCM
under ``HKDF(token)``. The server never stores the token, so a copy of the database (or the
server itself, once the visitor has gone) cannot decrypt any draft; a visitor sees only what
their own browser's cookie opens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from passage.intake.keys import draft_aad
from passage.intake.models import Account, PortalSession
from passage.vault import DataKey, TamperedError

__all__ = ["COOKIE", "Visit", "attach_cookie", "current_visit", "end_visit", "start_visit"]

COOKIE = "passage_portal"
COOKIE_PATH = "/intake/"
LIFETIME = timedelta(hours=3)
_REFRESH_AFTER = timedelta(minutes=5)
_TOKEN_BYTES = 32


def _digest(token: bytes) -> str:
    return hashlib.sha256(b"passage/intake/session/v1\x00" + token).hexdigest()


def _draft_key(token: bytes) -> DataKey:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"passage/intake/draft/v1").derive(token)
    return DataKey(key)


def _decode(value: str) -> bytes | None:
    try:
        token = base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return token if len(token) == _TOKEN_BYTES else None


@dataclass
class Visit:
    """The current visitor's session row and, in memory only, the token that opens its draft."""

    row: PortalSession
    token: bytes = field(repr=False)

    @property
    def account(self) -> Account | None:
        return self.row.account

    def draft(self) -> dict[str, Any]:
        """The answers so far ({} if none, or if they cannot be opened)."""
        blob = self.row.draft
        if not blob:
            return {}
        try:
            plain = _draft_key(self.token).decrypt(bytes(blob), aad=draft_aad(self.row.pk))
        except TamperedError:
            return {}
        data = json.loads(plain.decode("utf-8"))
        return data if isinstance(data, dict) else {}

    def save_draft(self, data: dict[str, Any]) -> None:
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.row.draft = _draft_key(self.token).encrypt(plain, aad=draft_aad(self.row.pk))
        self.row.save(update_fields=["draft"])

    def clear_draft(self) -> None:
        self.row.draft = None
        self.row.save(update_fields=["draft"])

    def bind(self, account: Account) -> None:
        """This browser now acts for ``account`` (after a new codename or a login)."""
        self.row.account = account
        self.row.save(update_fields=["account"])


def current_visit(request: HttpRequest) -> Visit | None:
    """The visitor's live session, or None (no cookie, unknown or expired token)."""
    cached = getattr(request, "_portal_visit", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = _decode(request.COOKIES.get(COOKIE, ""))
    if token is None:
        return None
    now = timezone.now()
    row = PortalSession.objects.select_related("account").filter(digest=_digest(token), expires_at__gt=now).first()
    if row is None:
        return None
    if row.expires_at - now < LIFETIME - _REFRESH_AFTER:  # slide the expiry, a few writes an hour at most
        row.expires_at = now + LIFETIME
        row.save(update_fields=["expires_at"])
    visit = Visit(row, token)
    request._portal_visit = visit  # type: ignore[attr-defined]
    return visit


def start_visit(request: HttpRequest) -> Visit:
    """A new session (the old one, if any, is ended first); the response must set the cookie."""
    end_visit(request)
    PortalSession.objects.filter(expires_at__lte=timezone.now()).delete()
    token = secrets.token_bytes(_TOKEN_BYTES)
    row = PortalSession.objects.create(digest=_digest(token), expires_at=timezone.now() + LIFETIME)
    visit = Visit(row, token)
    request._portal_visit = visit  # type: ignore[attr-defined]
    request._portal_cookie = base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")  # type: ignore[attr-defined]
    return visit


def end_visit(request: HttpRequest) -> None:
    """Forget this browser's session and its draft; the response must delete the cookie."""
    visit = current_visit(request)
    if visit is not None:
        visit.row.delete()
    request._portal_visit = None  # type: ignore[attr-defined]
    request._portal_cookie = ""  # type: ignore[attr-defined]


def attach_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    """Set or delete the session cookie if this request started or ended a session."""
    value = getattr(request, "_portal_cookie", None)
    if value is None:
        return
    if value == "":
        response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")
        return
    response.set_cookie(
        COOKIE,
        value,
        path=COOKIE_PATH,
        secure=settings.PASSAGE.secure_cookies,
        httponly=True,
        samesite="Strict",
    )
