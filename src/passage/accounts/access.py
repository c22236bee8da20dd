"""Who may open which view.

Every view and API endpoint declares its policy with one of the decorators below; the
authorization-matrix test walks the URL configuration and fails for any view without one, then
checks every route against every role. Object-level checks (which case) live in the
``get_<thing>_for_user`` helpers of each app, which raise 404 for objects a user may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from passage.accounts.models import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])

EVERY_ROLE = (Role.ADMIN, Role.LAWYER, Role.VOLUNTEER)
CASE_WORKERS = (Role.ADMIN, Role.LAWYER, Role.VOLUNTEER)
LAWYERS = (Role.ADMIN, Role.LAWYER)
ADMINS = (Role.ADMIN,)


@dataclass(frozen=True)
class Policy:
    """``roles`` may open the view; ``public`` views need no account (login, unseal, intake)."""

    roles: tuple[str, ...]
    public: bool = False


def policy_of(view: Callable[..., Any]) -> Policy | None:
    return getattr(view, "passage_policy", None)


def staff_view(*roles: str) -> Callable[[View], View]:
    """Only logged-in, TOTP-verified staff with one of ``roles``; others get 403."""
    allowed = tuple(str(role) for role in roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
                raise PermissionDenied
            if getattr(user, "role", None) not in allowed or not user.is_active:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.passage_policy = Policy(allowed)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public_view(view: View) -> View:
    """Reachable without an account (login, two-factor, unseal, the intake portal)."""
    view.passage_policy = Policy((), public=True)  # type: ignore[attr-defined]
    return view


def can_reveal_true_names(user: Any) -> bool:
    return getattr(user, "role", None) in LAWYERS


def can_download_evidence(user: Any) -> bool:
    return getattr(user, "role", None) in LAWYERS


def can_manage_cases(user: Any) -> bool:
    """Open, assign, close and shred cases, edit the institutions directory, see statistics."""
    return getattr(user, "role", None) in LAWYERS


def can_seal(user: Any) -> bool:
    return getattr(user, "role", None) in LAWYERS


def require(condition: bool) -> None:
    """Raise 403 unless ``condition``; one condition per call so coverage shows each branch."""
    if not condition:
        raise PermissionDenied
