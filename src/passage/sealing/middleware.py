"""A sealed server answers every staff URL with the unseal page (and the API with 503)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from passage.sealing.service import request_scope, unsealed_master, vault_exists

Handler = Callable[[HttpRequest], HttpResponse]

# While sealed, only these answer: the unseal page itself, static files, the language switch and
# the anonymous intake portal (which encrypts to the office's public key and needs no secret).
SEALED_OPEN = ("/unseal/", "/static/", "/i18n/", "/intake/")


def sealed_gate(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SEALED_OPEN):
            return get_response(request)
        # One key-daemon round trip per page: whether the vault is sealed, the key if it is not
        # (kept for this request only), and activity that postpones auto-seal. The layout
        # (web.context) shows the gate's answer.
        master = unsealed_master()
        sealed = master is None
        request.vault_sealed = sealed  # type: ignore[attr-defined]
        if sealed:
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "sealed", "detail": "The office vault is sealed."}, status=503)
            response = TemplateResponse(
                request, "sealing/unseal.html", {"vault_missing": not vault_exists(), "form": None}, status=503
            )
            return response.render()
        with request_scope(master):
            return get_response(request)

    return middleware
