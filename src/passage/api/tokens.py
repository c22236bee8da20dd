"""Creating, revoking and checking personal API tokens (every change audited).

The command line (``passage token``) and the web page both call these functions; the API's
authentication calls :func:`authenticate`. The full token is returned once by
:func:`create_token` and never stored: only its key id and a digest of its secret are.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from passage.api.models import ApiToken, Scope
from passage.audit.chain import record

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "AuthenticationFailed",
    "IssuedToken",
    "TokenError",
    "authenticate",
    "create_token",
    "parse_scopes",
    "revoke_tokens",
    "token_state",
]

PREFIX = "psg_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# Writing the last use on every request would turn each read into a write; once a minute is
# precise enough to see whether a token is still in use.
_TOUCH_EVERY = timedelta(minutes=1)
_TOKEN_RE = re.compile(r"^psg_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
_NAME_RE = re.compile(r"^[\w .:@+-]{1,80}$")
# Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
_NO_DIGEST = "0" * 64


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


class AuthenticationFailed(Exception):
    """The request carries no usable token; the message is safe to show to the caller."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(values: Iterable[str]) -> list[str]:
    """Scopes from words separated by commas or spaces, checked and de-duplicated.

    Raises:
        TokenError: no scope given, or a scope that does not exist (the message lists them).
    """
    wanted: list[str] = []
    for value in values:
        for word in re.split(r"[,\s]+", value.strip()):
            if word and word not in wanted:
                wanted.append(word)
    known = [scope.value for scope in Scope]
    unknown = [word for word in wanted if word not in known]
    if unknown:
        raise TokenError(f"unknown scope {', '.join(repr(u) for u in unknown)} (known: {', '.join(known)})")
    if not wanted:
        raise TokenError(f"give at least one scope (known: {', '.join(known)})")
    return [scope for scope in known if scope in wanted]


def create_token(
    user: Any, *, name: str, scopes: Iterable[str], days: int = DEFAULT_DAYS, actor: Any = None
) -> IssuedToken:
    """Issue a token for ``user``; the returned ``secret`` is the only copy of the token.

    Args:
        user: the staff member the token acts as (their role and case access apply).
        name: a label unique among the user's live tokens, e.g. ``laptop``.
        scopes: what the token may do (see :class:`passage.api.models.Scope`).
        days: validity, 1 to :data:`MAX_DAYS`.
        actor: who issues it (the user, or a label such as ``command-line``); audited.

    Raises:
        TokenError: bad name, scopes or validity, an inactive user, or the name in use.
    """
    name = name.strip()
    if not _NAME_RE.match(name):
        raise TokenError("the name must be 1–80 letters, digits, spaces or . : @ + - _")
    scope_list = parse_scopes(scopes)
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token must expire within 1 to {MAX_DAYS} days (got {days})")
    if not user.is_active:
        raise TokenError(f"the account {user.get_username()!r} is deactivated")
    now = timezone.now()
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            # An expired token keeps its name until it is revoked; retire it so the name can be reused.
            for stale in ApiToken.objects.select_for_update().filter(
                user=user, name=name, revoked_at__isnull=True, expires_at__lte=now
            ):
                _revoke(stale, actor, now, reason="expired, name reused")
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key_id=key_id,
                secret_hash=_digest(secret),
                scopes=" ".join(scope_list),
                expires_at=now + timedelta(days=days),
            )
            record(
                actor,
                "token_create",
                token,
                detail={
                    "user": user.get_username(),
                    "name": name,
                    "scopes": scope_list,
                    "expires_at": token.expires_at.isoformat(),
                },
            )
    except IntegrityError:
        raise TokenError(f"{user.get_username()} already has a live token named {name!r}; revoke it first") from None
    return IssuedToken(token, f"{PREFIX}{key_id}_{secret}")


def _revoke(token: ApiToken, actor: Any, now: datetime, *, reason: str) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    record(
        actor, "token_revoke", token, detail={"user": token.user.get_username(), "name": token.name, "reason": reason}
    )


@transaction.atomic
def revoke_tokens(user: Any, *, name: str | None = None, every: bool = False, actor: Any = None) -> int:
    """Revoke the user's live token called ``name``, or all of them; returns how many.

    Raises:
        TokenError: neither a name nor ``every`` given, or no live token by that name.
    """
    live = ApiToken.objects.select_for_update().select_related("user").filter(user=user, revoked_at__isnull=True)
    if every:
        chosen = list(live)
    elif name:
        chosen = list(live.filter(name=name.strip()))
        if not chosen:
            raise TokenError(f"{user.get_username()} has no live token named {name!r}")
    else:
        raise TokenError("name the token to revoke, or revoke them all")
    now = timezone.now()
    for token in chosen:
        _revoke(token, actor, now, reason="revoked")
    return len(chosen)


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def authenticate(authorization: str | None) -> ApiToken:
    """The live token named by an ``Authorization: Bearer <token>`` header.

    The secret's digest is compared in constant time. Whether a token was revoked or expired is
    told only to someone who holds its secret.

    Raises:
        AuthenticationFailed: missing, malformed, unknown, revoked or expired token, or the
            token's account is deactivated.
    """
    if not authorization:
        raise AuthenticationFailed("authentication required: send 'Authorization: Bearer <token>'")
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise AuthenticationFailed(
            "use 'Authorization: Bearer <token>' (other schemes and session cookies are not accepted)"
        )
    match = _TOKEN_RE.match(credentials.strip())
    token = ApiToken.objects.select_related("user").filter(key_id=match["key_id"]).first() if match else None
    presented = _digest(match["secret"]) if match else _digest(credentials)
    expected = token.secret_hash if token is not None else _NO_DIGEST
    if not hmac.compare_digest(presented, expected) or token is None:
        raise AuthenticationFailed("unknown token")
    now = timezone.now()
    if token.revoked_at is not None:
        raise AuthenticationFailed("this token was revoked")
    if token.expires_at <= now:
        raise AuthenticationFailed(f"this token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one")
    if not token.user.is_active:
        raise AuthenticationFailed("this token's account is deactivated")
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
