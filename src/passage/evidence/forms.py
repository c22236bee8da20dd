"""Forms of the evidence pages (plain HTML forms; no JavaScript needed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from passage.cases.actions import knowledge
from passage.evidence.models import Provenance, TranslationStatus
from passage.evidence.translations import LANGUAGES

DOCUMENT_LANGUAGES = [
    ("ru", _("Russian")), ("en", _("English")), ("uk", _("Ukrainian")), ("kk", _("Kazakh")), ("ky", _("Kyrgyz")),
    ("hy", _("Armenian")), ("ka", _("Georgian")), ("tr", _("Turkish")), ("sr", _("Serbian")), ("de", _("German")),
    ("fr", _("French")), ("he", _("Hebrew")), ("other", _("other")),
]  # fmt: skip
LANGUAGE_NAMES = dict(DOCUMENT_LANGUAGES)


def kind_choices() -> list[tuple[str, str]]:
    """The knowledge base's evidence taxonomy, labelled in the page's language."""
    russian = (get_language() or "en").startswith("ru")
    return [(kind.id, kind.label.ru if russian else kind.label.en) for kind in knowledge().evidence.values()]


def kind_label(kind: str) -> str:
    found = knowledge().evidence.get(kind)
    if found is None:
        return kind
    return found.label.ru if (get_language() or "en").startswith("ru") else found.label.en


class DateInput(forms.DateInput):
    input_type = "date"


class ItemFields(forms.Form):
    """What the office records about an item besides its file."""

    kind = forms.ChoiceField(label=_("What it is"), choices=())
    title = forms.CharField(label=_("Short description"), max_length=300, required=False,
                            help_text=_("Stored encrypted. E.g. “Summons to the Novosibirsk enlistment office”."))  # fmt: skip
    document_date = forms.DateField(label=_("Date of the document"), required=False, widget=DateInput)
    language = forms.ChoiceField(label=_("Language of the document"), choices=DOCUMENT_LANGUAGES, initial="ru")
    provenance = forms.ChoiceField(label=_("How the office obtained it"), choices=Provenance.choices)
    provenance_note = forms.CharField(label=_("Provenance notes"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Who gave it, when, through which channel. Stored encrypted."))  # fmt: skip
    strip_metadata = forms.BooleanField(label=_("Strip metadata (GPS, author, dates) from the copy in dossiers"),
                                        required=False, initial=True,
                                        help_text=_("If unticked, the metadata is printed on the annex instead, for the embassy to see."))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()


class UploadForm(ItemFields):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Any PDF, image, text, Office document, audio or video. It is encrypted as it arrives."),
    )

    field_order = [
        "file",
        "kind",
        "title",
        "document_date",
        "language",
        "provenance",
        "provenance_note",
        "strip_metadata",
    ]


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Translated into"), choices=[(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES]
    )
    status = forms.ChoiceField(label=_("Status"), choices=TranslationStatus.choices)
    translator = forms.CharField(
        label=_("Translator"), max_length=200, required=False, help_text=_("Stored encrypted.")
    )
    text = forms.CharField(label=_("Translated text"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Stored encrypted. Used in dossiers when the translation is certified."))  # fmt: skip
    file = forms.FileField(label=_("Translated file (optional)"), required=False,
                           help_text=_("E.g. the sworn translator's stamped PDF. Encrypted as it arrives."))  # fmt: skip


class LinkForm(forms.Form):
    requirement = forms.ChoiceField(label=_("Requirement this item supports"), choices=())

    def __init__(self, *args: Any, requirements: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = requirements

    def target(self) -> tuple[str, str]:
        pathway_id, _sep, requirement_id = self.cleaned_data["requirement"].partition("|")
        return pathway_id, requirement_id


class CaseLinkForm(forms.Form):
    """On the requirements page: which item supports the requirement named in a hidden field."""

    item = forms.ChoiceField(label=_("Item"), choices=())
    requirement = forms.CharField(max_length=210, widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items

    def target(self) -> tuple[str, str]:
        pathway_id, _sep, requirement_id = self.cleaned_data["requirement"].partition("|")
        return pathway_id, requirement_id


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the text of this case's evidence"), max_length=200)


class ConfirmDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the file and its key are destroyed and cannot be recovered.")
    )
