"""A sealed server answers every staff URL with the unseal page (and the API with 503)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from passage.sealing.service import holder, request_scope, vault_exists, vault_is_sealed

Handler = Callable[[HttpRequest], HttpResponse]

# While sealed, only these answer: the unseal page itself, static files, the language switch and
# the anonymous intake portal (which encrypts to the office's public key and needs no secret).
SEALED_OPEN = ("/unseal/", "/static/", "/i18n/", "/intake/")


def sealed_gate(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SEALED_OPEN):
            return get_response(request)
        sealed = vault_is_sealed()
        # The layout (web.context) shows the gate's answer: one key-daemon round trip per page.
        request.vault_sealed = sealed  # type: ignore[attr-defined]
        if sealed:
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "sealed", "detail": "The office vault is sealed."}, status=503)
            response = TemplateResponse(
                request, "sealing/unseal.html", {"vault_missing": not vault_exists(), "form": None}, status=503
            )
            return response.render()
        holder().touch()
        with request_scope():
            return get_response(request)

    return middleware
