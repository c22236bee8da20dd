"""Warnings and explanations as structured messages, rendered in English or Russian.

The engine decides *what* to say (a code and its parameters); rendering decides *how*, so the
CLI, the office app and the intake portal all say the same thing in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["LANGS", "Message", "render"]

LANGS: Final = ("en", "ru")

_TEMPLATES: Final[dict[str, dict[str, str]]] = {
    "stay_ends": {
        "en": "permitted stay in {country} ends on {date} (in {days} days): {rule} — {citation}",
        "ru": "разрешённый срок пребывания в стране «{country}» истекает {date} (через {days} дн.): {rule} — {citation}",
    },
    "stay_over": {
        "en": "permitted stay in {country} ended on {date} ({days} days ago): {rule} — {citation}",
        "ru": "разрешённый срок пребывания в стране «{country}» истёк {date} ({days} дн. назад): {rule} — {citation}",
    },
    "stay_unknown": {
        "en": "permitted stay in {country} is not known from the sources: {text}",
        "ru": "разрешённый срок пребывания в стране «{country}» по источникам неизвестен: {text}",
    },
    "overstay_on_route": {
        "en": "this step ends after the permitted stay in {country} ends ({date})",
        "ru": "этот шаг заканчивается после окончания разрешённого срока пребывания в стране «{country}» ({date})",
    },
    "document_expires": {
        "en": "{document}: {date} (in {days} days)",
        "ru": "{document}: {date} (через {days} дн.)",
    },
    "document_expired": {
        "en": "{document}: {date} — already expired",
        "ru": "{document}: {date} — срок уже истёк",
    },
    "risk_rule": {
        "en": "{risk} risk: {reason} — {citation}",
        "ru": "риск «{risk}»: {reason} — {citation}",
    },
    "risk_rule_assumed": {
        "en": "{risk} risk assumed because {facts} is not known: {reason} — {citation}",
        "ru": "риск «{risk}» принят, потому что неизвестно: {facts}. {reason} — {citation}",
    },
    "risk_note": {
        "en": "reported in {country} ({date}): {text} — {citation}",
        "ru": "сообщалось ({country}, {date}): {text} — {citation}",
    },
    "assumes": {
        "en": "this route assumes facts the profile does not state: {facts} — ask the person",
        "ru": "маршрут опирается на неизвестные факты: {facts} — уточните у человека",
    },
    "unverified_step": {
        "en": "step '{step}' rests on a source rated {confidence}: check before relying on it",
        "ru": "шаг «{step}» опирается на источник с оценкой «{confidence}»: проверьте, прежде чем полагаться",
    },
    "estimate": {
        "en": "days and cost of '{step}' are planning estimates, not sourced figures",
        "ru": "сроки и стоимость шага «{step}» — оценка для планирования, а не данные из источников",
    },
    "duration_unknown": {
        "en": "how long '{pathway}' takes is not known from the sources",
        "ru": "сколько длится процедура «{pathway}», по источникам неизвестно",
    },
    "collect_evidence": {
        "en": "evidence still to collect: {items}",
        "ru": "доказательства, которые ещё нужно собрать: {items}",
    },
    "no_route": {
        "en": "{pathway}: no route meets every requirement together (within {steps} steps); see the trace",
        "ru": "{pathway}: нет маршрута, при котором все требования выполняются одновременно (за {steps} шагов); см. разбор",
    },
    "circle": {
        "en": "{pathway}: vicious circle — {chain}",
        "ru": "{pathway}: замкнутый круг — {chain}",
    },
    "dead_end": {
        "en": "{pathway}: dead end — {chain}",
        "ru": "{pathway}: тупик — {chain}",
    },
    "not_met": {
        "en": "{pathway}: not met — «{requirement}» ({test}); this is the person's situation and no step changes it",
        "ru": "{pathway}: не выполнено — «{requirement}» ({test}); это обстоятельство человека, и никакой шаг его не меняет",
    },
    "trap": {
        "en": "{pathway}: trap — to meet «{need}» one must {step}, which needs «{blocker}»; but the pathway also requires «{other}»",
        "ru": "{pathway}: ловушка — чтобы выполнить «{need}», нужно: {step}, а для этого нужно «{blocker}»; но программа также требует «{other}»",
    },
    "stale": {
        "en": "{count} knowledge-base entries were never checked by a person or are older than {days} days (e.g. {examples})",
        "ru": "записи базы знаний, не проверенные человеком или проверенные более {days} дн. назад: {count} (напр. {examples})",
    },
    "current_country_unknown": {
        "en": "the current country is not known, so no route can be planned",
        "ru": "текущая страна неизвестна, поэтому маршрут построить нельзя",
    },
    "pathway_note": {
        "en": "{pathway}: {text}",
        "ru": "{pathway}: {text}",
    },
}


@dataclass(frozen=True)
class Message:
    """A warning or explanation: a template code and parameters (each ``str`` or en/ru pair)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        return render(self, lang)


# Words the engine passes as codes, shown in the reader's language.
_WORDS: Final[dict[str, dict[str, dict[str, str]]]] = {
    "risk": {
        "low": {"en": "low", "ru": "низкий"},
        "medium": {"en": "medium", "ru": "средний"},
        "high": {"en": "high", "ru": "высокий"},
        "severe": {"en": "severe", "ru": "очень высокий"},
    },
    "confidence": {
        "verified": {"en": "verified", "ru": "проверено"},
        "likely": {"en": "likely", "ru": "вероятно"},
        "unverified": {"en": "unverified", "ru": "не проверено"},
    },
}


def localized(kind: str, code: str, lang: str) -> str:
    """A risk level or confidence code in ``lang`` (the code itself if unknown)."""
    return _WORDS.get(kind, {}).get(code, {}).get(lang, code)


def _param(value: object, lang: str, key: str = "") -> str:
    if key in _WORDS and isinstance(value, str):
        return localized(key, value, lang)
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or "")
    text = getattr(value, lang, None)
    if isinstance(text, str):
        return text
    return str(value)


def render(message: Message, lang: str = "en") -> str:
    """The message in ``lang`` (``en`` or ``ru``)."""
    template = _TEMPLATES[message.code].get(lang) or _TEMPLATES[message.code]["en"]
    return template.format(**{key: _param(value, lang, key) for key, value in message.params.items()})


def has_template(code: str) -> bool:
    return code in _TEMPLATES
