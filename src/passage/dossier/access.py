"""Fetching dossiers: only through the cases the user may see (404 otherwise)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from passage.cases.access import cases_for_user
from passage.dossier.models import Dossier


def get_dossier_for_user(user: Any, dossier_id: Any) -> Dossier:
    try:
        key = dossier_id if isinstance(dossier_id, uuid.UUID) else uuid.UUID(str(dossier_id))
        return Dossier.objects.select_related("case").get(pk=key, case__in=cases_for_user(user))
    except (ValueError, Dossier.DoesNotExist):
        raise Http404 from None
