from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Vault passphrase"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class SharesForm(forms.Form):
    shares = forms.CharField(
        label=_("Recovery shares"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One share per line: the words exactly as written down."),
    )

    def clean_shares(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["shares"].splitlines()]
        shares = [line for line in lines if line]
        if not shares:
            raise forms.ValidationError(_("Enter at least one share."))
        return shares


class ConfirmShredForm(forms.Form):
    code = forms.CharField(label=_("Type the case code to confirm"), max_length=40)
