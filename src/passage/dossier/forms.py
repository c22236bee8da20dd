"""Forms of the dossier pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.dossier.wording import DOSSIER_LANGUAGES


class ChooseForm(forms.Form):
    """Step one: which pathway, in which language (a GET form: no sensitive values)."""

    pathway = forms.ChoiceField(label=_("Pathway"), choices=())
    language = forms.ChoiceField(
        label=_("Language of the dossier"), choices=(("", _("the destination's")), *DOSSIER_LANGUAGES), required=False
    )

    def __init__(self, *args: Any, pathways: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].choices = pathways


class GenerateForm(forms.Form):
    """Step two: the letter as it will be printed, the items to attach, the applicant's name."""

    pathway = forms.CharField(widget=forms.HiddenInput, max_length=80)
    language = forms.ChoiceField(widget=forms.HiddenInput, choices=DOSSIER_LANGUAGES)
    items = forms.MultipleChoiceField(label=_("Evidence to include (in this order, as numbered annexes)"), required=False,
                                      widget=forms.CheckboxSelectMultiple, choices=())  # fmt: skip
    letter = forms.CharField(label=_("Cover letter"), widget=forms.Textarea(attrs={"rows": 18}), max_length=20000,
                             help_text=_("{applicant} is replaced by the true name if included below, otherwise by the case code."))  # fmt: skip
    statement = forms.CharField(label=_("Statement for the summary (optional)"), required=False, max_length=20000,
                                widget=forms.Textarea(attrs={"rows": 6}))  # fmt: skip
    include_true_name = forms.BooleanField(
        label=_("Print the applicant's true name (recorded as a reveal)"), required=False
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items


class CoverTemplateForm(forms.Form):
    body = forms.CharField(label=_("Template"), widget=forms.Textarea(attrs={"rows": 24}), max_length=20000,
                           help_text=_("Placeholders: {embassy} {date} {pathway} {legal_basis} {applicant} {citizenship} {current_country} {annex_count} {lawyer} {case_code}"))  # fmt: skip
