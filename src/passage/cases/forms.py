"""Forms of the staff pages: plain HTML forms that work with JavaScript off.

Fields that take sensitive text switch browser autofill off, so a shared office computer does
not offer a client's name to the next person who types in a similar form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.cases.actions import knowledge, today
from passage.cases.models import Channel, Direction, IncidentKind, Institution, InstitutionKind, ReplyStatus, TaskKind

_PRIVATE = {"autocomplete": "off", "spellcheck": "false"}
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


class DateInput(forms.DateInput):
    """The browser's own date picker (no script); the value is always YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DateInput(), input_formats=["%Y-%m-%d"], help_text=help_text
    )


def country_choices(lang: str, *, blank: Any = None, extra: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The knowledge base's countries by name in ``lang``, plus codes it does not know."""
    kb = knowledge()
    choices = sorted(((code, kb.country_name(code, lang)) for code in kb.countries), key=lambda item: item[1])
    choices += [(code, code) for code in extra if code and code not in kb.countries]
    return ([("", blank)] if blank is not None else []) + choices


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if code and not _COUNTRY_CODE.match(code):
        raise forms.ValidationError(_("Use a two-letter country code such as KZ."))
    return code


# -- finding cases -------------------------------------------------------------------------------


class CodeFilterForm(forms.Form):
    code = forms.CharField(label=_("Case code contains"), required=False, max_length=16)
    closed = forms.BooleanField(label=_("Include closed cases"), required=False)


class LookupForm(forms.Form):
    """Exact look-up of an alias (or, for lawyers, a true name): sent by POST, never in a URL."""

    by = forms.ChoiceField(
        label=_("Look up by"), choices=[("alias", _("alias"))], widget=forms.RadioSelect, initial="alias"
    )
    value = forms.CharField(
        label=_("Exact alias or name"),
        max_length=200,
        widget=forms.TextInput(attrs=_PRIVATE),
        help_text=_("Letter case and extra spaces do not matter; spelling does. Nothing you type here is stored."),
    )

    def __init__(self, *args: Any, names_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if names_allowed:
            self.fields["by"].choices = [("alias", _("alias")), ("true_name", _("true name"))]  # type: ignore[attr-defined]


# -- cases ---------------------------------------------------------------------------------------


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.username)


class NewCaseForm(forms.Form):
    true_name = forms.CharField(
        label=_("True name"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=_PRIVATE),
        help_text=_("Stored encrypted; shown only on an explicit, recorded reveal. The case gets a pseudonym code."),
    )
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={**_PRIVATE, "rows": 3}),
        help_text=_("One per line: other spellings, nicknames, names in other scripts. Each can be looked up exactly."),
    )
    contacts = forms.CharField(
        label=_("How to reach the person"),
        required=False,
        widget=forms.Textarea(attrs={**_PRIVATE, "rows": 3}),
    )
    narrative = forms.CharField(
        label=_("Story"),
        required=False,
        widget=forms.Textarea(attrs={**_PRIVATE, "rows": 8}),
        help_text=_("What happened, in the person's words where possible."),
    )
    assigned = PeopleField(label=_("Volunteers working on the case"), queryset=None, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned"].queryset = people  # type: ignore[attr-defined]

    def alias_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("aliases", ""))


class DetailsForm(forms.Form):
    """The case's free text; lawyers also change the true name and who is assigned."""

    aliases = NewCaseForm.base_fields["aliases"]
    contacts = NewCaseForm.base_fields["contacts"]
    narrative = NewCaseForm.base_fields["narrative"]
    new_true_name = forms.CharField(
        label=_("New true name"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=_PRIVATE),
        help_text=_("Leave empty to keep the current one."),
    )
    assigned = PeopleField(label=_("Volunteers working on the case"), queryset=None, required=False)

    def __init__(self, *args: Any, people: Any = None, manage: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if manage:
            self.fields["assigned"].queryset = people  # type: ignore[attr-defined]
        else:
            del self.fields["new_true_name"]
            del self.fields["assigned"]

    def alias_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("aliases", ""))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={**_PRIVATE, "rows": 3}), max_length=20000)
    is_contact = forms.BooleanField(
        label=_("Contact with the person"),
        required=False,
        help_text=_("Tick when you spoke to or heard from the person: the dashboard shows the last contact."),
    )
    on = date_field(_("Date"))

    def clean_on(self) -> date:
        value: date = self.cleaned_data["on"]
        if value > today():
            raise forms.ValidationError(_("This date is in the future."))
        return value


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=500, widget=forms.TextInput(attrs=_PRIVATE))
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.TASK)
    due_on = date_field(_("Due on"))
    assigned_to = forms.ChoiceField(label=_("Who"), required=False)

    def __init__(self, *args: Any, people: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        """``people``: (id, name) of those who may see the case, the only ones a task can go to."""
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [("", _("everyone on the case")), *people]  # type: ignore[attr-defined]

    def clean_assigned_to(self) -> str | None:
        """The chosen person's id (the choices let through only the people on the case), or None."""
        return self.cleaned_data["assigned_to"] or None


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    occurred_on = date_field(_("Date"))
    country = forms.ChoiceField(label=_("Country"), required=False)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={**_PRIVATE, "rows": 4}),
        max_length=20000,
        help_text=_("Who, where, what was said or done; names of officials if known."),
    )

    def __init__(self, *args: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(lang, blank=_("not known"))  # type: ignore[attr-defined]

    def clean_occurred_on(self) -> date:
        value: date = self.cleaned_data["occurred_on"]
        if value > today():
            raise forms.ValidationError(_("This date is in the future."))
        return value


class ShredForm(forms.Form):
    code = forms.CharField(
        label=_("Type the case code to confirm"), max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        self.expected = expected
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        typed = self.cleaned_data["code"].strip().upper()
        if typed != self.expected.upper():
            raise forms.ValidationError(_("This is not the code of this case. Nothing was destroyed."))
        return typed


# -- correspondence ------------------------------------------------------------------------------


class InstitutionChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        self.lang = lang
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        name = obj.name_ru if self.lang == "ru" and obj.name_ru else obj.name
        return f"{name} ({obj.located_in})" if obj.located_in else str(name)


class LetterForm(forms.Form):
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.order_by("name"))
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUT, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    sent_on = date_field(_("Date sent or received"))
    subject = forms.CharField(label=_("Subject"), max_length=500, widget=forms.TextInput(attrs=_PRIVATE))
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={**_PRIVATE, "rows": 10}), max_length=200000
    )
    reply_status = forms.ChoiceField(
        label=_("Reply"),
        choices=ReplyStatus.choices,
        initial=ReplyStatus.AWAITING,
        help_text=_(
            "For letters sent: while awaiting an answer, a follow-up falls due after the configured number of days."
        ),
    )
    answered_on = date_field(_("Answered on"), required=False, help_text=_("When the institution answered, if it did."))

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].lang = lang  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sent, answered = data.get("sent_on"), data.get("answered_on")
        if sent and sent > today():
            self.add_error("sent_on", _("This date is in the future."))
        if sent and answered and answered < sent:
            self.add_error("answered_on", _("The answer cannot come before the letter."))
        return data


class ReplyStatusForm(forms.Form):
    reply_status = forms.ChoiceField(label=_("Reply"), choices=ReplyStatus.choices)
    answered_on = date_field(_("Answered on"), required=False, help_text=_("Empty means today."))

    def __init__(self, *args: Any, sent_on: date, **kwargs: Any) -> None:
        self.sent_on = sent_on
        super().__init__(*args, **kwargs)

    def clean_answered_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("answered_on")
        if value is not None and value < self.sent_on:
            raise forms.ValidationError(_("The answer cannot come before the letter."))
        if value is not None and value > today():
            raise forms.ValidationError(_("This date is in the future."))
        return value


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_ru = forms.CharField(label=_("Name in Russian"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    country = forms.CharField(
        label=_("Country it represents"),
        max_length=40,
        required=False,
        help_text=_("Two-letter code, e.g. DE; empty for NGOs."),
    )
    located_in = forms.CharField(
        label=_("Located in"), max_length=40, required=False, help_text=_("Two-letter code, e.g. KZ.")
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=300,
        required=False,
        help_text=_("Public address, e-mail or web form of the institution — never of a client."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_country(self) -> str:
        return _country_code(self.cleaned_data.get("country", ""))

    def clean_located_in(self) -> str:
        return _country_code(self.cleaned_data.get("located_in", ""))
