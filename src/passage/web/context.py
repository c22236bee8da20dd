"""Template context shared by every staff page."""

from __future__ import annotations

from django.http import HttpRequest

from passage.sealing.service import vault_is_sealed


def office(request: HttpRequest) -> dict[str, object]:
    return {"vault_sealed": vault_is_sealed()}
