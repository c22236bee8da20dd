"""Pages for an item's translations (lawyers and admins: they show content)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from passage.accounts.access import LAWYERS, staff_view
from passage.evidence import translations
from passage.evidence.access import get_item_for_user, get_translation_for_user
from passage.evidence.actions import EvidenceGoneError, TamperedError
from passage.evidence.forms import TranslationForm, kind_label
from passage.evidence.intake import IntakeRefusedError
from passage.evidence.models import EvidenceItem, Translation
from passage.evidence.upload import EncryptingUploadHandler
from passage.evidence.views import _extension, _refusal_text, parse_sealed_upload, tampered_page


def _form_page(request: HttpRequest, item: EvidenceItem, form: TranslationForm, translation: Translation | None = None,
               *, refusal: str = "", status: int = 200) -> HttpResponse:  # fmt: skip
    context = {"item": item, "case": item.case, "form": form, "translation": translation, "refusal": refusal,
               "kind": kind_label(item.kind)}  # fmt: skip
    return render(request, "evidence/translation.html", context, status=status)


def _save(request: HttpRequest, item: EvidenceItem, translation: Translation | None) -> HttpResponse:
    def refused(code: str, status: int) -> HttpResponse:
        return _form_page(request, item, TranslationForm(), translation, refusal=_refusal_text(code), status=status)

    def checked(handler: EncryptingUploadHandler) -> HttpResponse:
        form = TranslationForm(request.POST, request.FILES)
        if handler.refusal and handler.refusal != "no_file":
            return _form_page(request, item, form, translation, refusal=_refusal_text(handler.refusal), status=400)
        if not form.is_valid():
            handler.discard()
            return _form_page(request, item, form, translation, status=400)
        data = form.cleaned_data
        if translation is not None and data["language"] != translation.language:
            handler.discard()
            form.add_error(
                "language", _("The language of an existing translation cannot change; add a new translation instead.")
            )
            return _form_page(request, item, form, translation, status=400)
        upload = data.get("file")
        try:
            translations.save_translation(
                request.user, item, language=data["language"], status=data["status"], translator=data["translator"],
                text=data["text"], ingest=upload.ingest if upload else None,
            )  # fmt: skip
        except IntakeRefusedError as refusal:
            return _form_page(request, item, form, translation, refusal=_refusal_text(refusal.code), status=400)
        messages.success(request, _("The translation was saved, encrypted."))
        return redirect("evidence:item", item.id)

    return parse_sealed_upload(request, lambda: translations.open_translation_ingest(item), checked, refused)


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
@csrf_exempt
def translation_new(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    if not item.is_active:
        return redirect("evidence:item", item.id)
    if request.method == "POST":
        return _save(request, item, None)
    return _form_page(request, item, TranslationForm(initial={"language": "en", "status": "needed"}))


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
@csrf_exempt
def translation_edit(request: HttpRequest, translation_id: Any) -> HttpResponse:
    translation = get_translation_for_user(request.user, translation_id)
    item = translation.item
    if not item.is_active:
        return redirect("evidence:item", item.id)
    if request.method == "POST":
        return _save(request, item, translation)
    text = translations.read_translation(request.user, translation)
    initial = {
        "language": translation.language,
        "status": translation.status,
        "translator": text.translator,
        "text": text.text,
    }
    return _form_page(request, item, TranslationForm(initial=initial), translation)


@staff_view(*LAWYERS)
@require_GET
def translation_download(request: HttpRequest, translation_id: Any) -> HttpResponse:
    translation = get_translation_for_user(request.user, translation_id)
    try:
        data, media_type = translations.translation_file(request.user, translation)
    except TamperedError:
        return tampered_page(request, translation.item)
    except EvidenceGoneError:
        return redirect("evidence:item", translation.item_id)
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{translation.item.label}-{translation.language}{_extension(media_type)}"'
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
