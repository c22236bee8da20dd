"""Small template filters for case pages (names from the knowledge base in the page's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from passage.cases.presenters import country_name as _country_name

register = template.Library()


def _lang() -> str:
    return "ru" if (get_language() or "en").startswith("ru") else "en"


@register.filter
def country_name(code: str) -> str:
    """``KZ`` → ``Kazakhstan`` (or ``Казахстан``); unknown codes stay as they are."""
    return _country_name(code or "", _lang())


def localized_name(name: str | None, name_ru: str | None) -> str:
    """The Russian name on Russian pages when there is one, else the name ("" for none)."""
    if name_ru and _lang() == "ru":
        return str(name_ru)
    return str(name or "")


@register.filter
def institution_name(institution: object) -> str:
    """The institution's Russian name on Russian pages when the directory has one."""
    return localized_name(getattr(institution, "name", ""), getattr(institution, "name_ru", ""))


# The engine's vocabulary of statuses, risks and step kinds, in the page's language.
WORDS = {
    "open": _("open"),
    "missing": _("missing"),
    "blocked": _("blocked"),
    "circular": _("circular"),
    "holds": _("holds"),
    "fails": _("fails"),
    "missing_evidence": _("evidence missing"),
    "unknown": _("unknown"),
    "low": _("low"),
    "medium": _("medium"),
    "high": _("high"),
    "severe": _("severe"),
    "travel": _("travel"),
    "apply": _("apply"),
    "obtain": _("obtain"),
    "wait": _("wait"),
    "": _("not planned"),
}


@register.filter
def word(code: str) -> str:
    """An engine code (status, risk, step kind) as a word; unknown codes stay as they are."""
    return str(WORDS.get(code or "", code))
