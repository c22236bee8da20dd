"""Profiles: what is known about one person, in the knowledge base's vocabulary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from passage.routes._compile import Invalid, convert_value, parse_date
from passage.routes._yaml import Located, load_file, load_text
from passage.routes.errors import ProfileError
from passage.routes.model import KnowledgeBase

__all__ = ["Profile", "load_profile", "profile_from_mapping"]

_TOP_KEYS = {"id", "label", "as_of", "facts", "evidence", "notes"}
# Facts that describe a past moment must not lie after the day the profile speaks of.
_PAST_FACTS = {"arrived_on"}


@dataclass(frozen=True)
class Profile:
    """One person's facts as of a date. Absent facts are unknown, never false."""

    id: str
    as_of: date
    facts: Mapping[str, object]
    evidence: frozenset[str] = field(default_factory=frozenset)
    label: str = ""

    def with_facts(self, **changes: object) -> Profile:
        """A copy with some facts changed (``None`` makes a fact unknown)."""
        facts = {**self.facts, **changes}
        return Profile(
            self.id, self.as_of, {k: v for k, v in facts.items() if v is not None}, self.evidence, self.label
        )


def load_profile(path: Path, knowledge: KnowledgeBase, *, today: date | None = None) -> Profile:
    """Load a YAML or JSON profile file and check it against the fact vocabulary.

    Raises:
        ProfileError: ``FILE:LINE: message`` naming the field at fault.
    """
    try:
        located = load_file(path)
    except ProfileError:
        raise
    except Exception as error:  # SourceError from the YAML layer
        raise ProfileError(
            getattr(error, "file", str(path)), getattr(error, "line", 0), getattr(error, "message", str(error))
        ) from None
    return _from_located(located, knowledge, today, default_id=path.stem)


def profile_from_mapping(
    data: Mapping[str, Any], knowledge: KnowledgeBase, *, name: str = "profile", today: date | None = None
) -> Profile:
    """Build a profile from already-parsed data (the web app, the API); same checks as files."""
    located = load_text(json.dumps(data, default=str), name)
    return _from_located(located, knowledge, today, default_id=str(data.get("id") or name))


def _from_located(located: Located, knowledge: KnowledgeBase, today: date | None, default_id: str) -> Profile:
    def fail(path: tuple[str | int, ...], message: str) -> ProfileError:
        return ProfileError(located.file, located.line_of(path), message)

    data = located.data
    if not isinstance(data, dict):
        raise fail((), "a profile must be a mapping with 'facts' (and optionally id, as_of, evidence)")
    for key in data:
        if key not in _TOP_KEYS:
            raise fail((str(key),), f"unknown field '{key}' (expected: {', '.join(sorted(_TOP_KEYS))})")
    today = today or date.today()  # noqa: DTZ011 - calendar date
    try:
        as_of = parse_date(data["as_of"]) if data.get("as_of") is not None else today
    except Invalid as error:
        raise fail(("as_of",), f"as_of: {error}") from None
    raw_facts = data.get("facts") or {}
    if not isinstance(raw_facts, dict):
        raise fail(("facts",), "facts must be a mapping of fact: value")
    facts: dict[str, object] = {}
    for name, raw in raw_facts.items():
        fact = knowledge.facts.get(str(name))
        if fact is None:
            raise fail(("facts", str(name)), f"unknown fact '{name}'")
        if raw is None or raw == "unknown":
            continue  # "I don't know" is an answer: the fact stays unknown
        try:
            value = convert_value(fact, raw, None)
        except Invalid as error:
            raise fail(("facts", str(name)), str(error)) from None
        if name in _PAST_FACTS and isinstance(value, date) and value > as_of:
            raise fail(("facts", str(name)), f"{name} {value} is after as_of {as_of}")
        facts[str(name)] = value
    evidence_raw = data.get("evidence") or []
    if not isinstance(evidence_raw, list):
        raise fail(("evidence",), "evidence must be a list of evidence kinds")
    for index, kind in enumerate(evidence_raw):
        if kind not in knowledge.evidence:
            raise fail(("evidence", index), f"unknown evidence kind '{kind}'")
    return Profile(
        id=str(data.get("id") or default_id),
        as_of=as_of,
        facts=facts,
        evidence=frozenset(str(kind) for kind in evidence_raw),
        label=str(data.get("label") or ""),
    )
