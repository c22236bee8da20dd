"""Staff pages of the evidence locker (thin: permission helper, domain action, template).

Uploads stream through :class:`~passage.evidence.upload.EncryptingUploadHandler`: those views
are ``csrf_exempt`` so that the handler can be installed before anything reads the body, and
check the CSRF token themselves (``csrf_protect``) once it is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, can_download_evidence, staff_view
from passage.cases.access import get_case_for_user
from passage.cases.models import Case
from passage.evidence import actions, locker
from passage.evidence.access import get_item_for_user, get_link_for_user
from passage.evidence.forms import (
    LANGUAGE_NAMES,
    CaseLinkForm,
    ConfirmDeleteForm,
    ItemFields,
    LinkForm,
    SearchForm,
    UploadForm,
    kind_label,
)
from passage.evidence.intake import REFUSALS, IntakeRefusedError, SealedIngest
from passage.evidence.models import EvidenceItem, ItemStatus
from passage.evidence.requirements import PathwaySupport, record_held_kinds, support_for_case
from passage.evidence.search import search_case
from passage.evidence.upload import EncryptingUploadHandler, body_too_large

CUSTODY_ACTIONS = {
    "evidence_added": gettext_lazy("added to the locker (encrypted)"),
    "evidence_viewed": gettext_lazy("viewed (description, text, metadata)"),
    "evidence_downloaded": gettext_lazy("downloaded"),
    "evidence_verified": gettext_lazy("integrity checked: intact"),
    "evidence_tampered": gettext_lazy("TAMPERING DETECTED: integrity check failed"),
    "evidence_updated": gettext_lazy("description changed"),
    "evidence_deleted": gettext_lazy("deleted (file and key destroyed)"),
    "ocr_queued": gettext_lazy("text reading requested"),
    "ocr_done": gettext_lazy("text read"),
    "ocr_failed": gettext_lazy("text reading failed"),
    "translation_added": gettext_lazy("translation added"),
    "translation_updated": gettext_lazy("translation changed"),
    "translation_viewed": gettext_lazy("translation viewed"),
    "translation_downloaded": gettext_lazy("translated file downloaded"),
    "evidence_linked": gettext_lazy("linked to a requirement"),
    "evidence_unlinked": gettext_lazy("unlinked from a requirement"),
    "dossier_included": gettext_lazy("included in a dossier"),
    "metadata_stripped": gettext_lazy("metadata stripped from the dossier copy"),
}

METADATA_LABELS = {
    "Camera make": gettext_lazy("Camera make"), "Camera model": gettext_lazy("Camera model"), "Software": gettext_lazy("Software"),
    "Modified": gettext_lazy("Modified"), "Artist": gettext_lazy("Artist"), "Copyright": gettext_lazy("Copyright"),
    "Taken": gettext_lazy("Taken"), "Digitised": gettext_lazy("Digitised"), "Camera owner": gettext_lazy("Camera owner"),
    "Camera serial number": gettext_lazy("Camera serial number"), "Lens": gettext_lazy("Lens"), "Description": gettext_lazy("Description"),
    "Title": gettext_lazy("Title"), "Author": gettext_lazy("Author"), "GPS position": gettext_lazy("GPS position"),
    "GPS data": gettext_lazy("GPS data"), "Created with": gettext_lazy("Created with"), "Producer": gettext_lazy("Producer"),
    "Subject": gettext_lazy("Subject"), "Keywords": gettext_lazy("Keywords"), "Created": gettext_lazy("Created"),
    "XMP metadata": gettext_lazy("XMP metadata"), "Active content": gettext_lazy("Active content"),
    "Attachments": gettext_lazy("Attachments"), "Last modified by": gettext_lazy("Last modified by"), "Company": gettext_lazy("Company"),
}  # fmt: skip

FIELD_NAMES = ("kind", "title", "document_date", "language", "provenance", "provenance_note", "strip_metadata")


def _refusal_text(code: str) -> str:
    return IntakeRefusedError(code).message(settings.PASSAGE.max_upload_mb)


def parse_sealed_upload(
    request: HttpRequest,
    open_ingest: Callable[[], SealedIngest],
    checked: Callable[[EncryptingUploadHandler], HttpResponse],
    refused: Callable[[str, int], HttpResponse],
) -> HttpResponse:
    """Install the encrypting handler, parse the body, run ``checked`` (CSRF-protected).

    Whatever happens — a refusal, an invalid form, a CSRF failure, a dropped connection, an
    exception — an unpublished ``.part`` is deleted before this returns.
    """
    if body_too_large(request, locker.max_upload_bytes()):
        return refused("too_large", 413)
    locker.sweep(full=False)
    handler = EncryptingUploadHandler(request, open_ingest)
    request.upload_handlers = [handler]
    try:
        try:
            request.POST  # noqa: B018 - parses the body through the handler
            request.FILES  # noqa: B018
        except (UnreadablePostError, MultiPartParserError, OSError):
            handler.discard()
            return refused("interrupted", 400)
        return csrf_protect(lambda req: checked(handler))(request)
    finally:
        handler.discard()


def _case_page(
    request: HttpRequest, case: Case, form: UploadForm | None = None, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    items = list(actions.items_of_case(case, include_deleted=True))
    active = [item for item in items if item.is_active]
    titles = actions.item_titles(request.user, case, active)
    context = {
        "case": case,
        "rows": [{"item": item, "title": titles.get(item.id, ""), "kind": kind_label(item.kind)} for item in active],
        "deleted": [item for item in items if not item.is_active],
        "form": form or UploadForm(initial={"strip_metadata": True}),
        "search_form": SearchForm(),
        "refusal": refusal,
        "max_upload_mb": settings.PASSAGE.max_upload_mb,
        "can_download": can_download_evidence(request.user),
    }
    return render(request, "evidence/case.html", context, status=status)


@staff_view(*CASE_WORKERS)
@require_GET
def case_evidence(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _case_page(request, get_case_for_user(request.user, case_id))


@staff_view(*CASE_WORKERS)
@require_POST
@csrf_exempt
def upload(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)

    def refused(code: str, status: int) -> HttpResponse:
        return _case_page(request, case, refusal=_refusal_text(code), status=status)

    def checked(handler: EncryptingUploadHandler) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if handler.refusal:
            return _case_page(
                request, case, UploadForm(request.POST), refusal=_refusal_text(handler.refusal), status=400
            )
        if not form.is_valid():
            handler.discard()
            return _case_page(request, case, form, status=400)
        upload_file = form.cleaned_data["file"]
        fields = {name: form.cleaned_data[name] for name in FIELD_NAMES}
        try:
            item = actions.add_item(request.user, case, upload_file.ingest, filename=upload_file.name, **fields)
        except IntakeRefusedError as refusal:
            return _case_page(request, case, UploadForm(request.POST), refusal=_refusal_text(refusal.code), status=400)
        messages.success(
            request, _("%(label)s was added to the locker, encrypted. Its text is being read.") % {"label": item.label}
        )
        return redirect("evidence:item", item.id)

    return parse_sealed_upload(request, lambda: locker.open_ingest(case.id), checked, refused)


@staff_view(*LAWYERS)
@require_POST
def search(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    form = SearchForm(request.POST)
    hits = search_case(request.user, case, form.cleaned_data["q"]) if form.is_valid() else []
    titles = actions.item_titles(request.user, case, list({hit.item.id: hit.item for hit in hits}.values()))
    rows = [
        {
            "item": hit.item,
            "title": titles.get(hit.item.id, ""),
            "where": _where_label(hit.where),
            "snippets": hit.snippets,
        }
        for hit in hits
    ]
    return render(
        request,
        "evidence/search.html",
        {"case": case, "form": form, "hits": hits, "rows": rows, "searched": form.is_valid()},
    )


def _where_label(where: str) -> str:
    """Where a search hit was found (``title``, ``text`` or ``translation:<language>``), in the page's language."""
    kind, _sep, language = where.partition(":")
    if kind == "translation":
        return _("translation:%(language)s") % {"language": language}
    return {"title": _("title"), "text": _("text")}.get(kind, where)


def _support_rows(request: HttpRequest, support: list[PathwaySupport], titles: dict[Any, str]) -> list[dict[str, Any]]:
    lang = "ru" if (request.LANGUAGE_CODE or "en").startswith("ru") else "en"
    entries = []
    for entry in support:
        requirements_rows = []
        for req in entry.requirements:
            requirements_rows.append({
                "id": req.requirement_id, "label": getattr(req.label, lang), "status": req.status,
                "kinds": [kind_label(kind) for kind in req.kinds], "missing": [kind_label(kind) for kind in req.missing_kinds],
                "supports": [{"id": s.item.id, "label": s.item.label, "title": titles.get(s.item.id, ""),
                              "link_id": s.link.pk if s.link else None} for s in req.supports],
            })  # fmt: skip
        entries.append({
            "id": entry.pathway_id, "name": getattr(entry.name, lang), "country": entry.country, "status": entry.status,
            "supported": entry.supported_count, "missing": [kind_label(kind) for kind in entry.missing_kinds],
            "requirements": requirements_rows,
        })  # fmt: skip
    return entries


@staff_view(*CASE_WORKERS)
@require_GET
def requirements(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    _plan, support = support_for_case(request.user, case)
    items = list(actions.items_of_case(case))
    rows = _support_rows(request, support, actions.item_titles(request.user, case, items))
    context = {
        "case": case,
        "groups": [
            {
                "title": _("Pathways open or within reach"),
                "open": True,
                "entries": [r for r in rows if r["status"] in ("open", "missing")],
            },
            {
                "title": _("Blocked or circular pathways"),
                "open": False,
                "entries": [r for r in rows if r["status"] not in ("open", "missing")],
            },
        ],
        "item_choices": [(str(item.id), item.label) for item in items],
        "can_link": can_download_evidence(request.user),
    }
    return render(request, "evidence/requirements.html", context)


@staff_view(*LAWYERS)
@require_POST
def record_kinds(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    added = record_held_kinds(request.user, case)
    if added:
        messages.success(
            request,
            _("The case's facts now list this evidence as held: %(kinds)s.")
            % {"kinds": ", ".join(kind_label(k) for k in added)},
        )
    else:
        messages.info(request, _("The case's facts already list every kind of evidence in the locker."))
    return redirect("evidence:requirements", case.id)


@staff_view(*LAWYERS)
@require_POST
def case_link(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    items = list(actions.items_of_case(case))
    form = CaseLinkForm(request.POST, items=[(str(item.id), item.label) for item in items])
    if form.is_valid():
        item = get_item_for_user(request.user, form.cleaned_data["item"])
        pathway_id, requirement_id = form.target()
        try:
            actions.link_requirement(request.user, item, pathway_id, requirement_id)
            messages.success(request, _("%(label)s is linked to the requirement.") % {"label": item.label})
        except (KeyError, actions.EvidenceGoneError):
            messages.error(request, _("That requirement or item does not exist."))
    return redirect("evidence:requirements", case.id)


# -- one item ------------------------------------------------------------------------------------


def _requirement_choices(request: HttpRequest, item: EvidenceItem) -> list[tuple[str, Any]]:
    _plan, support = support_for_case(request.user, item.case)
    lang = "ru" if (request.LANGUAGE_CODE or "en").startswith("ru") else "en"
    groups: list[tuple[str, Any]] = []
    for entry in support:
        if entry.status not in ("open", "missing"):
            continue
        options = [(f"{entry.pathway_id}|{req.requirement_id}", getattr(req.label, lang)) for req in entry.requirements]
        groups.append((getattr(entry.name, lang), options))
    return groups


def _item_page(
    request: HttpRequest, item: EvidenceItem, *, edit_form: ItemFields | None = None, status: int = 200
) -> HttpResponse:
    text = actions.item_text(request.user, item)
    lawyer = can_download_evidence(request.user)
    initial = {"kind": item.kind, "title": text.title, "document_date": item.document_date, "language": item.language,
               "provenance": item.provenance, "provenance_note": text.provenance_note, "strip_metadata": item.strip_metadata}  # fmt: skip
    context = {
        "item": item,
        "case": item.case,
        "text": text,
        "metadata": [(METADATA_LABELS.get(label, label), value) for label, value in text.metadata],
        "kind": kind_label(item.kind),
        "language": LANGUAGE_NAMES.get(item.language, item.language),
        "translations": list(item.translations.all()),
        "links": list(item.links.all()),
        "can_download": lawyer,
        "edit_form": edit_form or (ItemFields(initial=initial) if lawyer and item.is_active else None),
        "link_form": LinkForm(requirements=_requirement_choices(request, item)) if lawyer and item.is_active else None,
    }
    return render(request, "evidence/item.html", context, status=status)


@staff_view(*CASE_WORKERS)
@require_GET
def item_detail(request: HttpRequest, item_id: Any) -> HttpResponse:
    return _item_page(request, get_item_for_user(request.user, item_id))


def tampered_page(request: HttpRequest, item: EvidenceItem) -> HttpResponse:
    return render(request, "evidence/tampered.html", {"item": item, "case": item.case}, status=409)


@staff_view(*LAWYERS)
@require_GET
def item_download(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    try:
        found = actions.download(request.user, item)
    except actions.TamperedError:
        return tampered_page(request, item)
    except actions.EvidenceGoneError:
        messages.error(request, _("This item was deleted; its file no longer exists."))
        return redirect("evidence:item", item.id)
    response = StreamingHttpResponse(found.chunks, content_type=found.media_type)
    response["Content-Length"] = str(found.size)
    # Always a download, never rendered by the browser (HTML or SVG evidence must not run here).
    response["Content-Disposition"] = f'attachment; filename="{item.label}{_extension(found.media_type)}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _extension(media_type: str) -> str:
    return {
        "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/tiff": ".tif",
        "image/webp": ".webp", "image/heic": ".heic", "image/bmp": ".bmp", "text/plain": ".txt", "text/html": ".html.txt",
        "application/rtf": ".rtf", "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/wav": ".wav",
        "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/3gpp": ".3gp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
        "application/vnd.oasis.opendocument.text": ".odt",
    }.get(media_type, ".bin")  # fmt: skip


@staff_view(*CASE_WORKERS)
@require_GET
def item_history(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    rows = [
        {"event": event, "label": str(CUSTODY_ACTIONS.get(event.action, event.action)), "alarm": event.action == "evidence_tampered",
         "detail": "; ".join(f"{key}: {value}" for key, value in sorted(event.detail.items())) if event.detail else ""}
        for event in actions.custody(item)
    ]  # fmt: skip
    return render(
        request, "evidence/history.html", {"item": item, "case": item.case, "rows": rows, "kind": kind_label(item.kind)}
    )


@staff_view(*LAWYERS)
@require_POST
def item_edit(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    form = ItemFields(request.POST)
    if not item.is_active:
        return redirect("evidence:item", item.id)
    if not form.is_valid():
        return _item_page(request, item, edit_form=form, status=400)
    actions.update_item(request.user, item, **{name: form.cleaned_data[name] for name in FIELD_NAMES})
    messages.success(request, _("The description was saved."))
    return redirect("evidence:item", item.id)


@staff_view(*LAWYERS)
@require_POST
def item_ocr(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    actions.request_ocr(request.user, item)
    messages.info(request, _("The text will be read again in the background; reload this page in a moment."))
    return redirect("evidence:item", item.id)


@staff_view(*LAWYERS)
@require_POST
def item_verify(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    if item.status != ItemStatus.ACTIVE:
        return redirect("evidence:item", item.id)
    if not actions.verify_item(request.user, item):
        return tampered_page(request, item)
    messages.success(request, _("Integrity check passed: the file decrypts, authenticates and matches its SHA-256."))
    return redirect("evidence:item", item.id)


@staff_view(*LAWYERS)
@require_POST
def item_link(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    form = LinkForm(request.POST, requirements=_requirement_choices(request, item))
    if form.is_valid():
        pathway_id, requirement_id = form.target()
        try:
            actions.link_requirement(request.user, item, pathway_id, requirement_id)
            messages.success(request, _("%(label)s is linked to the requirement.") % {"label": item.label})
        except (KeyError, actions.EvidenceGoneError):
            messages.error(request, _("That requirement or item does not exist."))
    else:
        messages.error(request, _("Choose a requirement."))
    return redirect("evidence:item", item.id)


@staff_view(*LAWYERS)
@require_POST
def link_delete(request: HttpRequest, link_id: int) -> HttpResponse:
    link = get_link_for_user(request.user, link_id)
    item = link.item
    actions.unlink_requirement(request.user, link)
    messages.success(request, _("The link was removed."))
    if request.POST.get("back") == "requirements":
        return redirect("evidence:requirements", item.case_id)
    return redirect("evidence:item", item.id)


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = get_item_for_user(request.user, item_id)
    form = ConfirmDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actions.delete_item(request.user, item)
        messages.success(
            request,
            _("%(label)s was deleted: its file and key are destroyed. Its history remains.") % {"label": item.label},
        )
        return redirect("evidence:case", item.case_id)
    return render(request, "evidence/delete.html", {"item": item, "case": item.case, "form": form, "kind": kind_label(item.kind)},
                  status=400 if form.errors else 200)  # fmt: skip


__all__ = [
    "REFUSALS",
    "case_evidence",
    "case_link",
    "item_delete",
    "item_detail",
    "item_download",
    "item_edit",
    "item_history",
    "item_link",
    "item_ocr",
    "item_verify",
    "link_delete",
    "parse_sealed_upload",
    "record_kinds",
    "requirements",
    "search",
    "upload",
]
