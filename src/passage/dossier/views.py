"""Dossier pages: list and build per case, download, cover-letter templates (lawyers and admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.accounts.access import LAWYERS, staff_view
from passage.cases import actions as case_actions
from passage.cases.access import get_case_for_user
from passage.cases.models import Case
from passage.dossier import actions
from passage.dossier.access import get_dossier_for_user
from passage.dossier.forms import ChooseForm, CoverTemplateForm, GenerateForm
from passage.dossier.render import DossierBuildError
from passage.dossier.wording import DOSSIER_LANGUAGES, default_language
from passage.evidence.actions import item_titles, items_of_case
from passage.evidence.forms import kind_label
from passage.evidence.sealer import TamperedError


def _lang(request: HttpRequest) -> str:
    return "ru" if (getattr(request, "LANGUAGE_CODE", "en") or "en").startswith("ru") else "en"


def _pathway_choices(request: HttpRequest) -> list[tuple[str, str]]:
    lang = _lang(request)
    kb = case_actions.knowledge()
    return [(pathway.id, f"{getattr(pathway.name, lang)} ({pathway.country})") for pathway in kb.pathways]


def _list_page(request: HttpRequest, case: Case, status: int = 200) -> HttpResponse:
    choose = ChooseForm(initial={"pathway": case.best_route_goal}, pathways=_pathway_choices(request))
    names = dict(_pathway_choices(request))
    rows = [
        {"dossier": dossier, "pathway": names.get(dossier.pathway_id, dossier.pathway_id)}
        for dossier in actions.dossiers_of_case(case)
    ]
    return render(request, "dossier/case.html", {"case": case, "rows": rows, "choose": choose}, status=status)


@staff_view(*LAWYERS)
@require_GET
def case_dossiers(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _list_page(request, get_case_for_user(request.user, case_id))


def _item_choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    items = list(items_of_case(case))
    titles = item_titles(request.user, case, items)
    return [
        (str(item.id), f"{item.label} — {kind_label(item.kind)}{': ' + titles[item.id] if titles.get(item.id) else ''}")
        for item in items
    ]


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    kb = case_actions.knowledge()
    if request.method == "POST":
        form = GenerateForm(request.POST, items=_item_choices(request, case))
        if form.is_valid():
            data = form.cleaned_data
            try:
                kb.pathway(data["pathway"])
                dossier = actions.generate(
                    request.user, case, pathway_id=data["pathway"], language=data["language"], item_ids=data["items"],
                    letter=data["letter"], statement=data["statement"], include_true_name=data["include_true_name"],
                )  # fmt: skip
            except KeyError:
                raise Http404 from None
            except TamperedError:
                messages.error(
                    request,
                    _("An included file failed its integrity check (see its chain of custody). No dossier was made."),
                )
                return redirect("evidence:case", case.id)
            except DossierBuildError as error:
                messages.error(request, _("The dossier could not be built: %(reason)s") % {"reason": error})
                return redirect("dossier:case", case.id)
            messages.success(
                request,
                _("The dossier was built (%(pages)s pages) and stored encrypted.") % {"pages": dossier.page_count},
            )
            return redirect("dossier:case", case.id)
        return render(request, "dossier/new.html", {"case": case, "form": form, "pathway": None}, status=400)
    choose = ChooseForm(request.GET, pathways=_pathway_choices(request))
    if not choose.is_valid():
        return _list_page(request, case, status=400)
    pathway = kb.pathway(choose.cleaned_data["pathway"])
    language = choose.cleaned_data["language"] or default_language(pathway.country)
    selected = [str(item_id) for item_id in actions.default_items(case, pathway.id)]
    form = GenerateForm(
        initial={"pathway": pathway.id, "language": language, "items": selected,
                 "letter": actions.letter_draft(request.user, case, pathway.id, language, len(selected))},
        items=_item_choices(request, case),
    )  # fmt: skip
    context = {
        "case": case,
        "form": form,
        "pathway": getattr(pathway.name, _lang(request)),
        "language": dict(DOSSIER_LANGUAGES)[language],
    }
    return render(request, "dossier/new.html", context)


@staff_view(*LAWYERS)
@require_GET
def download(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, dossier_id)
    try:
        found = actions.open_dossier(request.user, dossier)
    except TamperedError:
        return render(request, "dossier/tampered.html", {"case": dossier.case, "dossier": dossier}, status=409)
    response = StreamingHttpResponse(found.chunks, content_type="application/pdf")
    response["Content-Length"] = str(found.size)
    response["Content-Disposition"] = (
        f'attachment; filename="dossier-{dossier.case.code}-{dossier.created_at:%Y%m%d-%H%M}.pdf"'
    )
    return response


@staff_view(*LAWYERS)
@require_POST
def delete(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, dossier_id)
    actions.delete_dossier(request.user, dossier)
    messages.success(request, _("The dossier was deleted: its file and key are destroyed."))
    return redirect("dossier:case", dossier.case_id)


@staff_view(*LAWYERS)
@require_GET
def letters(request: HttpRequest) -> HttpResponse:
    from passage.dossier.models import CoverLetterTemplate

    custom = set(CoverLetterTemplate.objects.values_list("language", flat=True))
    return render(
        request,
        "dossier/letters.html",
        {"languages": [(code, name, code in custom) for code, name in DOSSIER_LANGUAGES]},
    )


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def letter_edit(request: HttpRequest, language: str) -> HttpResponse:
    names = dict(DOSSIER_LANGUAGES)
    if language not in names:
        raise Http404
    if request.method == "POST":
        if request.POST.get("reset"):
            actions.save_cover_template(request.user, language, None)
            messages.success(request, _("The shipped template is used again."))
            return redirect("dossier:letters")
        form = CoverTemplateForm(request.POST)
        if form.is_valid():
            actions.save_cover_template(request.user, language, form.cleaned_data["body"])
            messages.success(request, _("The office's template was saved."))
            return redirect("dossier:letters")
    else:
        form = CoverTemplateForm(initial={"body": actions.cover_template(language)})
    return render(request, "dossier/letter_edit.html", {"form": form, "language": names[language], "code": language},
                  status=400 if form.errors else 200)  # fmt: skip
