"""The facts form, generated from the knowledge base's fact vocabulary.

One field per fact, labelled and described in the user's language and grouped as the knowledge
base groups them. "I don't know" is an answer: it leaves the fact unknown, which the engine
treats differently from "no". Evidence kinds are checkboxes. Values are checked field by field
here and then once more by the engine, whose complaints are pinned to the field they concern.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.cases.actions import knowledge, today, validate_facts
from passage.cases.forms import DateInput, country_choices
from passage.routes import ProfileError
from passage.routes.output import text_label

UNKNOWN = "unknown"
NONE_OF_THEM = "-"
FACT_PREFIX = "fact_"
EVIDENCE_PREFIX = "evidence_"
# Facts that describe a moment already past.
_PAST_DATES = {"arrived_on"}

GROUP_LABELS: Mapping[str, Any] = {
    "person": _("The person"),
    "documents": _("Documents"),
    "military": _("Military service"),
    "legal": _("Prosecution and danger"),
    "activity": _("Activity"),
    "ties": _("Ties to countries"),
    "status": _("Status where the person is"),
    "process": _("Applications under way"),
}


@dataclass(frozen=True)
class FieldGroup:
    id: str
    label: Any
    fields: list[forms.BoundField]


class FactsForm(forms.Form):
    """Build with the stored facts and evidence; :meth:`facts` and :meth:`evidence` read it back."""

    def __init__(
        self,
        *args: Any,
        lang: str,
        facts: Mapping[str, Any] | None = None,
        evidence: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        facts = facts or {}
        kb = knowledge()
        for fact in kb.facts.values():
            name = FACT_PREFIX + fact.id
            self.fields[name] = self._field(fact, facts.get(fact.id))
            self.initial[name] = _initial(fact.type, facts.get(fact.id))
        for kind in kb.evidence.values():
            name = EVIDENCE_PREFIX + kind.id
            self.fields[name] = forms.BooleanField(
                label=text_label(kind.label, lang), help_text=text_label(kind.description, lang), required=False
            )
            self.initial[name] = kind.id in evidence

    def _field(self, fact: Any, current: Any) -> forms.Field:
        lang = self.lang
        common: dict[str, Any] = {
            "label": text_label(fact.label, lang),
            "help_text": text_label(fact.description, lang),
            "required": False,
        }
        if fact.type == "bool":
            choices = [(UNKNOWN, _("I don't know")), ("yes", _("Yes")), ("no", _("No"))]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if fact.type == "enum":
            choices = [("", _("I don't know"))] + [(v.id, text_label(v.label, lang)) for v in fact.values or ()]
            return forms.ChoiceField(choices=choices, **common)
        if fact.type == "date":
            return forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d"], **common)
        if fact.type == "int":
            return forms.IntegerField(min_value=0, **common)
        if fact.type == "country":
            extra = (current,) if isinstance(current, str) else ()
            return forms.ChoiceField(choices=country_choices(lang, blank=_("I don't know"), extra=extra), **common)
        extra = tuple(current) if isinstance(current, list | tuple) else ()
        choices = [(NONE_OF_THEM, _("None (known: no country)")), *country_choices(lang, extra=extra)]
        tick_nothing = _("Tick nothing if you do not know.")  # outside the f-string, so makemessages finds it
        common["help_text"] = f"{common['help_text']} {tick_nothing}"
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)

    def groups(self) -> Iterator[FieldGroup]:
        """Fact fields grouped as the knowledge base groups them, in its order, then evidence."""
        order: dict[str, list[forms.BoundField]] = {}
        for fact in knowledge().facts.values():
            order.setdefault(fact.group, []).append(self[FACT_PREFIX + fact.id])
        for group_id, fields in order.items():
            yield FieldGroup(group_id, GROUP_LABELS.get(group_id, group_id), fields)
        evidence = [self[EVIDENCE_PREFIX + kind] for kind in knowledge().evidence]
        yield FieldGroup("evidence", _("Evidence the office holds"), evidence)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for fact in knowledge().facts.values():
            name = FACT_PREFIX + fact.id
            value = data.get(name)
            if fact.type == "date" and fact.id in _PAST_DATES and isinstance(value, date) and value > today():
                self.add_error(name, _("This date is in the future."))
            if fact.type == "countries" and isinstance(value, list) and NONE_OF_THEM in value and len(value) > 1:
                self.add_error(name, _("Tick either “none” or countries, not both."))
        if not self.errors:
            self._engine_check()
        return data

    def _engine_check(self) -> None:
        """Let the engine judge the whole profile; pin what it refuses to the field at fault."""
        try:
            validate_facts(self.facts(), self.evidence())
        except ProfileError as whole:
            pinned = False
            for fact_id, value in self.facts().items():
                try:
                    validate_facts({fact_id: value})
                except ProfileError as error:
                    self.add_error(FACT_PREFIX + fact_id, _("Not accepted: %(reason)s") % {"reason": error.message})
                    pinned = True
            if not pinned:
                self.add_error(None, _("Not accepted: %(reason)s") % {"reason": whole.message})

    def facts(self) -> dict[str, Any]:
        """The known facts in the engine's vocabulary (unknown ones are left out)."""
        found: dict[str, Any] = {}
        for fact in knowledge().facts.values():
            value = self.cleaned_data.get(FACT_PREFIX + fact.id)
            if fact.type == "bool":
                if value in ("yes", "no"):
                    found[fact.id] = value == "yes"
            elif fact.type == "date":
                if isinstance(value, date):
                    found[fact.id] = value.isoformat()
            elif fact.type == "int":
                if value is not None:
                    found[fact.id] = value
            elif fact.type == "countries":
                if value:
                    found[fact.id] = [code for code in value if code != NONE_OF_THEM]
            elif value:
                found[fact.id] = value
        return found

    def evidence(self) -> list[str]:
        return [kind for kind in knowledge().evidence if self.cleaned_data.get(EVIDENCE_PREFIX + kind)]


def _initial(kind: str, value: Any) -> Any:
    if value is None:
        return UNKNOWN if kind == "bool" else None
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "countries":
        return list(value) or [NONE_OF_THEM]
    return value
