"""Template context shared by every staff page."""

from __future__ import annotations

from django.http import HttpRequest

from passage.sealing.service import vault_is_sealed


def office(request: HttpRequest) -> dict[str, object]:
    """``vault_sealed``: what the sealed gate found for this request, or asked now where it did not look.

    The pages it lets through (the unseal page, the language switch) ask the key holder themselves.
    """
    sealed = getattr(request, "vault_sealed", None)
    return {"vault_sealed": vault_is_sealed() if sealed is None else sealed}
