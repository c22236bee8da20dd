"""Every staff page needs a logged-in user who has passed the TOTP check."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

Handler = Callable[[HttpRequest], HttpResponse]

# Paths reachable without a verified staff session. The API authenticates with its own tokens;
# the intake portal is for anonymous people.
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/unseal/", "/static/", "/i18n/", "/intake/", "/api/v1/")
HALF_OPEN_PREFIXES = ("/accounts/two-factor/",)


def require_verified_staff(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect("/accounts/login/")
        if path.startswith(HALF_OPEN_PREFIXES):
            return get_response(request)
        if not user.is_verified():  # type: ignore[attr-defined]  # set by django_otp's middleware
            return redirect("/accounts/two-factor/")
        return get_response(request)

    return middleware
