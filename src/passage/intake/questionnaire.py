"""The guided questionnaire: short pages, every question skippable, answers → the engine's profile.

Each step is a small form. "I don't know" is always an answer and always the default: it
leaves the fact unknown, and the engine treats it as unknown (never as "no"). Steps are skipped
only where an answer makes them meaningless (no passport expiry without a passport; no asylum
status abroad for someone still in Russia). :func:`profile_of` builds the same
:class:`~passage.routes.Profile` the office's engine uses, through ``profile_from_mapping``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from passage.cases.actions import knowledge
from passage.routes import Profile, ProfileError, profile_from_mapping
from passage.routes.output import text_label

__all__ = ["STEPS", "Step", "facts_of", "lang", "next_step", "previous_step", "profile_of", "step_named"]

UNKNOWN = "unknown"
YES_NO = [("yes", _("Yes")), ("no", _("No")), (UNKNOWN, _("I don't know / skip"))]


def lang() -> str:
    """The portal language as the knowledge base names it (``ru`` or ``en``)."""
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def _yes_no(label: Any, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=help_text, choices=YES_NO, required=False, initial=UNKNOWN, widget=forms.RadioSelect
    )


def _country_choices(*, include_russia: bool) -> list[tuple[str, str]]:
    kb = knowledge()
    names = [
        (code, text_label(country.name, lang()))
        for code, country in kb.countries.items()
        if include_russia or code != "RU"
    ]
    return sorted(names, key=lambda item: item[1])


def _countries_field(label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    field = forms.MultipleChoiceField(
        label=label, help_text=help_text, required=False, widget=forms.CheckboxSelectMultiple
    )
    return field


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=False,
        widget=_DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"],
    )


class WhereForm(forms.Form):
    current_country = forms.ChoiceField(label=_("Which country are you in now?"), required=False)
    arrived_on = _date_field(
        _("Since when? (the day of your last entry into that country)"),
        _("The permitted stay is counted from this day. If you are not sure, leave it empty."),
    )
    citizenship = forms.ChoiceField(label=_("Your citizenship"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skip = [(UNKNOWN, _("I don't know / skip"))]
        self.fields["current_country"].choices = [
            *skip,
            *_country_choices(include_russia=True),
            ("other", _("Another country (not in this list)")),
        ]
        self.fields["citizenship"].choices = [*skip, *_country_choices(include_russia=True)]

    def clean_arrived_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("arrived_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future. Leave it empty if you are not sure."))
        return value


class DocumentsForm(forms.Form):
    has_internal_passport = _yes_no(_("Do you have your Russian internal passport with you?"))
    has_foreign_passport = _yes_no(_("Do you have a valid foreign-travel passport (zagranpasport)?"))


class PassportForm(forms.Form):
    foreign_passport_expires = _date_field(
        _("Until when is your foreign-travel passport valid?"),
        _("The expiry date printed in the passport. Leave it empty if you are not sure."),
    )


SITUATIONS = [
    ("called_up", _("I was called up (a summons was served or is in the register) and did not report")),
    ("expecting", _("I expect to be called up, but no summons has been served")),
    ("mobilised_left", _("I was mobilised, served and left the unit")),
    ("contract_left", _("I served under a contract and left the unit")),
    ("reservist", _("I am a reservist and have not been called up")),
    ("objector", _("I refuse military service for reasons of conscience")),
    ("never_served", _("I never served and am not liable for service")),
    (UNKNOWN, _("I don't know / skip")),
]

# situation → facts in the engine's vocabulary (only what the answer states)
_SITUATION_FACTS: dict[str, dict[str, object]] = {
    "called_up": {"military_status": "draft_evader", "summons_received": True},
    "expecting": {"military_status": "draft_evader", "summons_received": False},
    "mobilised_left": {"military_status": "deserter", "served_under_contract": False},
    "contract_left": {"military_status": "deserter", "served_under_contract": True},
    "reservist": {"military_status": "reservist"},
    "objector": {"military_status": "conscientious_objector"},
    "never_served": {"military_status": "never_served"},
}


class SituationForm(forms.Form):
    situation = forms.ChoiceField(
        label=_("What is your situation with the Russian army?"),
        help_text=_("Choose what fits best. The office will ask about details."),
        choices=SITUATIONS,
        required=False,
        initial=UNKNOWN,
        widget=forms.RadioSelect,
    )


class LegalForm(forms.Form):
    criminal_case = _yes_no(
        _("Has a criminal case been opened against you in Russia?"),
        _("For example for desertion, leaving the unit or evading service (Articles 337, 338, 328)."),
    )
    wanted_federal = _yes_no(_("Are you on the Russian federal wanted list?"))
    wanted_interstate = _yes_no(
        _("Are you on the interstate wanted list (CIS / CSTO countries)?"),
        _("This list is shared with Kazakhstan, Kyrgyzstan, Armenia and others, even without Interpol."),
    )
    wanted_interpol = _yes_no(_("Has Interpol issued a notice about you?"))


class ActivityForm(forms.Form):
    public_antiwar_activity = _yes_no(_("Have you spoken or acted publicly against the war?"))
    prosecuted_for_antiwar = _yes_no(_("Have you been prosecuted for anti-war statements or actions?"))
    threatened_by_authorities = _yes_no(
        _("Have Russian authorities threatened you?"), _("Searches, calls, visits, summons, a case, a wanted notice.")
    )


class TiesForm(forms.Form):
    ties_to = _countries_field(
        _("Do you have close ties to any of these countries?"),
        _("Family, past study or work, the language. Tick all that apply."),
    )
    no_ties = forms.BooleanField(label=_("None of these countries"), required=False)
    jewish_ancestry = _yes_no(
        _("Is at least one of your grandparents Jewish?"), _("This matters for Israel's Law of Return.")
    )
    residence_permit_in = _countries_field(_("Do you hold a residence permit in any of these countries?"))
    no_permits = forms.BooleanField(label=_("No residence permit anywhere"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = _country_choices(include_russia=False)
        self.fields["ties_to"].choices = countries
        self.fields["residence_permit_in"].choices = countries


REFUGEE_STATUS = [
    ("none", _("I have not applied")),
    ("applied", _("I applied and am waiting")),
    ("refused", _("I was refused")),
    ("granted", _("I was granted refugee status")),
    (UNKNOWN, _("I don't know / skip")),
]


class StatusForm(forms.Form):
    refugee_status_host = forms.ChoiceField(
        label=_("Have you applied for asylum (refugee status) in the country where you are now?"),
        choices=REFUGEE_STATUS,
        required=False,
        initial=UNKNOWN,
        widget=forms.RadioSelect,
    )
    unhcr_registered = _yes_no(_("Are you registered with UNHCR (the UN refugee agency) there?"))


class EvidenceForm(forms.Form):
    evidence = forms.MultipleChoiceField(
        label=_("Which of these documents or proofs do you have (paper, photo or screenshot)?"),
        help_text=_("Tick what you have, even if it is not with you. You can send copies on a later page."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kb = knowledge()
        self.fields["evidence"].choices = [
            (kind_id, f"{text_label(kind.label, lang())} — {text_label(kind.description, lang())}")
            for kind_id, kind in kb.evidence.items()
        ]


class StoryForm(forms.Form):
    story = forms.CharField(
        label=_("Tell the office what happened, in your own words"),
        help_text=_(
            "What happened, what you fear, what help you need, how the office could reach you other than here (only if it is safe). "
            "You do not need to give your real name."
        ),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


@dataclass(frozen=True)
class Step:
    name: str
    title: Any
    form: type[forms.Form]
    applies: Callable[[Mapping[str, Any]], bool] = lambda answers: True


def _has_passport(answers: Mapping[str, Any]) -> bool:
    return answers.get("has_foreign_passport") == "yes"


def _abroad(answers: Mapping[str, Any]) -> bool:
    return answers.get("current_country") != "RU"


STEPS: tuple[Step, ...] = (
    Step("where", _("Where you are"), WhereForm),
    Step("documents", _("Documents"), DocumentsForm),
    Step("passport", _("Foreign-travel passport"), PassportForm, _has_passport),
    Step("situation", _("Your situation"), SituationForm),
    Step("legal", _("Criminal case and wanted lists"), LegalForm),
    Step("activity", _("Anti-war activity and threats"), ActivityForm),
    Step("ties", _("Ties to other countries"), TiesForm),
    Step("status", _("Asylum where you are"), StatusForm, _abroad),
    Step("evidence", _("Evidence"), EvidenceForm),
    Step("story", _("Your story"), StoryForm),
)
# After the last step come the files page and the overview.


def step_named(name: str) -> Step | None:
    return next((step for step in STEPS if step.name == name), None)


def _applicable(answers: Mapping[str, Any]) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def next_step(name: str, answers: Mapping[str, Any]) -> str | None:
    """The step after ``name`` for these answers, or None after the last one."""
    steps = _applicable(answers)
    names = [step.name for step in steps]
    if name not in names:
        return names[0] if names else None
    index = names.index(name)
    return names[index + 1] if index + 1 < len(names) else None


def previous_step(name: str, answers: Mapping[str, Any]) -> str | None:
    names = [step.name for step in _applicable(answers)]
    if name not in names:
        return None
    index = names.index(name)
    return names[index - 1] if index > 0 else None


def position(name: str, answers: Mapping[str, Any]) -> tuple[int, int]:
    """1-based position of the step and the number of steps, for "step 3 of 9"."""
    names = [step.name for step in _applicable(answers)]
    return (names.index(name) + 1 if name in names else 0), len(names)


def to_answers(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """A form's cleaned data as JSON-ready answers (dates as ISO text)."""
    answers: dict[str, Any] = {}
    for key, value in cleaned.items():
        if isinstance(value, date):
            answers[key] = value.isoformat()
        elif value in (None, ""):
            answers[key] = UNKNOWN if key != "story" else ""
        else:
            answers[key] = value
    return answers


def initial_from(answers: Mapping[str, Any], form_class: type[forms.Form]) -> dict[str, Any]:
    return {name: answers[name] for name in form_class.base_fields if name in answers}


_BOOL_FACTS = (
    "has_internal_passport",
    "has_foreign_passport",
    "criminal_case",
    "wanted_federal",
    "wanted_interstate",
    "wanted_interpol",
    "public_antiwar_activity",
    "prosecuted_for_antiwar",
    "threatened_by_authorities",
    "jewish_ancestry",
    "unhcr_registered",
)


def facts_of(answers: Mapping[str, Any], evidence_kinds: Any = None) -> tuple[dict[str, object], list[str]]:
    """The engine facts and evidence kinds these answers state (unknown answers state nothing)."""
    kb = knowledge()
    facts: dict[str, object] = {}
    for name in ("citizenship", "current_country"):
        code = answers.get(name)
        if isinstance(code, str) and code in kb.countries:
            facts[name] = code
    for name in ("arrived_on", "foreign_passport_expires"):
        value = answers.get(name)
        if isinstance(value, str) and value != UNKNOWN:
            facts[name] = value
    if answers.get("has_foreign_passport") != "yes":
        facts.pop("foreign_passport_expires", None)
    if "current_country" not in facts:
        facts.pop("arrived_on", None)  # a date of entry into an unknown country says nothing
    for name in _BOOL_FACTS:
        value = answers.get(name)
        if value in ("yes", "no"):
            facts[name] = value == "yes"
    facts.update(_SITUATION_FACTS.get(str(answers.get("situation")), {}))
    for name, none_flag in (("ties_to", "no_ties"), ("residence_permit_in", "no_permits")):
        chosen = [code for code in answers.get(name) or [] if code in kb.countries]
        if chosen:
            facts[name] = sorted(chosen)
        elif answers.get(none_flag) is True:
            facts[name] = []
    status = answers.get("refugee_status_host")
    if status in {"none", "applied", "refused", "granted"} and facts.get("current_country") != "RU":
        facts["refugee_status_host"] = status
    evidence = [kind for kind in answers.get("evidence") or [] if kind in kb.evidence]
    return facts, sorted(set(evidence))


def profile_of(answers: Mapping[str, Any], *, today: date | None = None) -> Profile:
    """The engine profile of the answers, checked exactly as the office's profiles are.

    Facts that the engine would refuse (they cannot come from the forms, but a tampered draft
    could hold anything) are dropped one by one rather than failing the whole overview.
    """
    today = today or timezone.localdate()
    facts, evidence = facts_of(answers)

    def build(chosen: Mapping[str, object]) -> Profile:
        return profile_from_mapping(
            {"id": "intake", "facts": dict(chosen), "evidence": evidence}, knowledge(), name="intake", today=today
        )

    try:
        return build(facts)
    except ProfileError:
        pass
    accepted: dict[str, object] = {}
    for name, value in facts.items():
        try:
            build({**accepted, name: value})
        except ProfileError:
            continue
        accepted[name] = value
    return build(accepted)


def answers_from_facts(facts: Mapping[str, Any], evidence: Any = ()) -> dict[str, Any]:
    """The questionnaire answers that state ``facts`` (the inverse of :func:`facts_of`).

    Used to show a known profile through the portal (benchmarks, tests of page weight).
    """
    answers: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, bool):
            answers[name] = "yes" if value else "no"
        elif isinstance(value, date):
            answers[name] = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            answers[name] = sorted(value)
            if not value:
                answers["no_ties" if name == "ties_to" else "no_permits"] = True
        else:
            answers[name] = value
    status = facts.get("military_status")
    if status == "deserter":
        answers["situation"] = "contract_left" if facts.get("served_under_contract") else "mobilised_left"
    elif status == "draft_evader":
        answers["situation"] = "called_up" if facts.get("summons_received") else "expecting"
    elif status in {"reservist", "never_served"}:
        answers["situation"] = status
    elif status == "conscientious_objector":
        answers["situation"] = "objector"
    for name in ("military_status", "served_under_contract", "summons_received"):
        answers.pop(name, None)
    answers["evidence"] = sorted(evidence)
    return answers
