"""Small middleware of the web project."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from passage.audit.chain import until_response

log = logging.getLogger("passage.web")
Handler = Callable[[HttpRequest], HttpResponse]


def no_store(get_response: Handler) -> Handler:
    """No page of Passage may be kept by a browser or proxy cache: they hold case data."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    return middleware


def audit_reads_with_session(get_response: Handler) -> Handler:
    """A page's batched reads are committed with its session, or alone before the response leaves.

    See ``passage.audit.chain.until_response``. Placed just outside Django's session middleware,
    whose save (``passage.web.sessions``) takes the waiting rows along.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        with until_response():
            return get_response(request)

    return middleware


class IntegrityFailure:
    """A stored record that fails its integrity check gets a clear answer, never a traceback.

    Decryption raises :class:`passage.vault.TamperedError` when a ciphertext was changed, cut,
    or moved from another row or field (its associated data no longer matches). Nothing of the
    record is shown; the failure goes to the audit chain (which view, which ids — never content)
    and the answer is 409: the page says the record failed its integrity check, the API says so
    in JSON.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from passage.vault import TamperedError

        if not isinstance(exception, TamperedError):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render

        from passage.audit.chain import record

        match = request.resolver_match
        view = match.view_name if match else ""
        ids = {name: str(value) for name, value in (match.kwargs.items() if match else ())}
        record(
            getattr(request, "user", None), "integrity_failed", target_type="web.request", detail={"view": view, **ids}
        )
        log.warning("integrity check failed in %s", view or "an unnamed view")
        if request.path.startswith("/api/"):
            message = "integrity check failed: the stored record was changed or moved (recorded in the audit log)"
            return JsonResponse({"error": message}, status=409)
        return render(request, "web/integrity.html", {"view": view}, status=409)
