"""The only ways views, the API and commands fetch evidence records.

An item is visible to whoever may see its case (:func:`passage.cases.access.cases_for_user`);
what they may do with it (download, read its text) is checked by the actions. Objects a user
may not see are answered with 404, the same as objects that do not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.cases.access import cases_for_user, id_or_404
from passage.evidence.models import EvidenceItem, EvidenceLink, Translation


def get_item_for_user(user: Any, item_id: Any) -> EvidenceItem:
    try:
        return EvidenceItem.objects.select_related("case", "added_by").get(
            pk=id_or_404(item_id), case__in=cases_for_user(user)
        )
    except EvidenceItem.DoesNotExist:
        raise Http404 from None


def get_translation_for_user(user: Any, translation_id: Any) -> Translation:
    try:
        return Translation.objects.select_related("item", "item__case").get(
            pk=id_or_404(translation_id), item__case__in=cases_for_user(user)
        )
    except Translation.DoesNotExist:
        raise Http404 from None


def get_link_for_user(user: Any, link_id: int) -> EvidenceLink:
    try:
        return EvidenceLink.objects.select_related("item", "item__case").get(
            pk=link_id, item__case__in=cases_for_user(user)
        )
    except EvidenceLink.DoesNotExist:
        raise Http404 from None
