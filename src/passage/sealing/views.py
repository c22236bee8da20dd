"""Unseal and seal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from passage.accounts.access import LAWYERS, public_view, staff_view
from passage.sealing import service
from passage.sealing.forms import PassphraseForm, SharesForm
from passage.vault import NotEnoughSharesError, VaultError, WrongSecretError


@public_view
@sensitive_post_parameters()
@sensitive_variables()
def unseal(request: HttpRequest) -> HttpResponse:
    """The unseal page: a passphrase, or k-of-n recovery shares."""
    if not service.vault_exists():
        return render(request, "sealing/unseal.html", {"vault_missing": True}, status=503)
    if not service.vault_is_sealed():
        return redirect("cases:dashboard")
    form = PassphraseForm()
    shares_form = SharesForm()
    status = 200
    if request.method == "POST":
        method = request.POST.get("method", "passphrase")
        try:
            if method == "shares":
                shares_form = SharesForm(request.POST)
                if shares_form.is_valid():
                    service.unseal_shares(shares_form.cleaned_data["shares"])
                    return redirect("cases:dashboard")
            else:
                form = PassphraseForm(request.POST)
                if form.is_valid():
                    service.unseal_passphrase(form.cleaned_data["passphrase"])
                    return redirect("cases:dashboard")
        except NotEnoughSharesError:
            shares_form.add_error(None, _("Not enough shares: more of them are needed to unseal."))
        except WrongSecretError:
            _form_for(method, form, shares_form).add_error(
                None, _("This does not unseal the vault. Check the passphrase or the shares and try again.")
            )
        except VaultError:
            # E.g. shares offered to a vault created without them, or the key service is down.
            _form_for(method, form, shares_form).add_error(
                None,
                _(
                    "The vault could not be opened this way. If it was created without recovery shares, "
                    "use the passphrase; otherwise check the server's key service."
                ),
            )
        status = 400
    return render(request, "sealing/unseal.html", {"form": form, "shares_form": shares_form}, status=status)


def _form_for(method: str, passphrase_form: PassphraseForm, shares_form: SharesForm) -> PassphraseForm | SharesForm:
    """The form the person just submitted (the other one is unbound and cannot carry errors)."""
    return shares_form if method == "shares" else passphrase_form


@staff_view(*LAWYERS)
@require_POST
def seal(request: HttpRequest) -> HttpResponse:
    """Seal now: drop the keys from memory in every process."""
    service.seal(actor=request.user)
    messages.info(request, _("The vault is sealed."))
    return redirect("sealing:unseal")
