"""Language switch and error pages that reveal nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from passage.accounts.access import public_view


@public_view
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (a plain POST form; works without JavaScript)."""
    return django_set_language(request)


def _error(request: HttpRequest, status: int) -> HttpResponse:
    if request.path.startswith("/intake/"):  # the portal's own page: its CSP, its language, no staff chrome
        from passage.intake.views import error_page

        return error_page(request, status)
    return render(request, "web/error.html", {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)
