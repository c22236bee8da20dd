"""Fetching dossiers: only through the cases the user may see (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.cases.access import cases_for_user, id_or_404
from passage.dossier.models import Dossier


def get_dossier_for_user(user: Any, dossier_id: Any) -> Dossier:
    try:
        return Dossier.objects.select_related("case").get(pk=id_or_404(dossier_id), case__in=cases_for_user(user))
    except Dossier.DoesNotExist:
        raise Http404 from None
