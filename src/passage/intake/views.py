"""The anonymous portal's pages: plain forms, no JavaScript, a strict per-page CSP.

Views are thin: find the visit, call :mod:`passage.intake.portal`, render. Every view is
wrapped by :func:`portal_view`, which marks it public for the authorization matrix, applies
the portal's CSP, sets or clears the visit cookie, and turns limits into the "try later" page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.accounts.access import public_view
from passage.intake import codename as codenames
from passage.intake import portal
from passage.intake.keys import OfficeKeyUnavailable, office_public_key
from passage.intake.limits import FILES_PER_DRAFT, FILES_PER_MESSAGE, MESSAGE_MAX_CHARS, Busy, QuotaFull, check_quota
from passage.intake.models import Upload
from passage.intake.overview import build_overview
from passage.intake.questionnaire import (
    STEPS,
    initial_from,
    lang,
    next_step,
    position,
    previous_step,
    profile_of,
    step_named,
    to_answers,
)
from passage.intake.uploads import ALLOWED, SealingUploadHandler
from passage.intake.visits import Visit, attach_cookie, current_visit, end_visit, start_visit

PORTAL_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
LANG_COOKIE = "passage_portal_lang"
View = Callable[..., HttpResponse]


def portal_view(view: View) -> View:
    """Public, strict CSP, visit cookie handled, limits shown as the "try later" page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Busy as busy:
            response = busy_page(request, busy)
        except OfficeKeyUnavailable:
            response = render(request, "intake/unavailable.html", status=503)
        attach_cookie(request, response)
        # Same-origin referrers only: the form's own origin is what Django's CSRF check needs,
        # and nothing is ever sent to another site (there are no outside links at all).
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return public_view(csp(PORTAL_CSP)(wrapped))


def busy_page(request: HttpRequest, busy: Busy) -> HttpResponse:
    return render(
        request, "intake/busy.html", {"quota": isinstance(busy, QuotaFull), "reason": busy.reason}, status=503
    )


def _need_account(request: HttpRequest) -> Visit | None:
    """The visit, if it has a codename that the person has practised (or logged in with)."""
    visit = current_visit(request)
    if visit is None or visit.account is None or not visit.account.confirmed:
        return None
    return visit


def _not_ready(request: HttpRequest) -> HttpResponseRedirect:
    """Where to go instead: practise a fresh codename first, or start over."""
    visit = current_visit(request)
    if visit is not None and visit.account is not None:
        return redirect("intake:practice")
    return _to_start()


def _to_start() -> HttpResponseRedirect:
    return redirect(reverse("intake:start") + "?expired=1")


def _quota_full() -> bool:
    try:
        check_quota()
    except QuotaFull:
        return True
    return False


# -- start, language, leaving ---------------------------------------------------------------


@portal_view
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    visit = current_visit(request)
    context = {
        "expired": request.GET.get("expired") == "1",
        "has_account": visit is not None and visit.account is not None,
        "quota_full": _quota_full(),
    }
    return render(request, "intake/start.html", context)


def _safe_next(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/intake/") or "//" in parts.path:
        return reverse("intake:start")
    return parts.path


@portal_view
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the portal between Russian and English (a cookie for /intake/ only)."""
    chosen = request.POST.get("language", "ru")
    response = HttpResponseRedirect(_safe_next(request.POST.get("next", "")))
    if chosen in {"ru", "en"}:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            path="/intake/",
            samesite="Strict",
            httponly=True,
            secure=settings.PASSAGE.secure_cookies,
        )
    return response


@portal_view
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget this browser's session, its unsent answers and unsent files, now."""
    visit = current_visit(request)
    if visit is not None:
        portal.discard_unsent(visit)
    end_visit(request)
    return render(request, "intake/left.html")


# -- codename -------------------------------------------------------------------------------


@portal_view
@require_POST
@sensitive_variables("codename")
def new_codename(request: HttpRequest) -> HttpResponse:
    """Create an account and show its codename: once, in this response, never stored."""
    visit = current_visit(request) or start_visit(request)
    if visit.account is not None:
        visit.clear_draft()  # a fresh codename starts a fresh questionnaire
    _account, codename = portal.create_account(visit)
    words = codename.split()
    return render(
        request,
        "intake/codename.html",
        {"words": words, "count": len(words), "bits": int(codenames.bits_of_entropy(len(words)))},
    )


@portal_view
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("codename")
@sensitive_variables("typed")
def practice(request: HttpRequest) -> HttpResponse:
    visit = current_visit(request)
    if visit is None or visit.account is None:
        return _to_start()
    error = ""
    hints: list[str] = []
    if request.method == "POST":
        typed = request.POST.get("codename", "")[:400]
        if portal.practise(visit, typed):
            return redirect("intake:step", name=STEPS[0].name)
        hints = codenames.unknown_words(typed)[:7]
        error = _("This is not your codename. Check each word against what you wrote down and try again.")
    return render(request, "intake/practice.html", {"error": error, "hints": hints}, status=400 if error else 200)


@portal_view
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("codename")
@sensitive_variables("typed")
def login(request: HttpRequest) -> HttpResponse:
    """Enter the codename to read the office's replies (opened in memory for this page only)."""
    if request.method == "GET":
        return render(request, "intake/login.html", {})
    typed = request.POST.get("codename", "")[:400]
    visit = current_visit(request)
    try:
        account, items = portal.log_in(typed, visit)
    except portal.CodenameRefused:
        hints = codenames.unknown_words(typed)[:7]
        return render(
            request,
            "intake/login.html",
            {"error": _("No account has this codename. Check each word and try again."), "hints": hints},
            status=400,
        )
    if visit is None:
        visit = start_visit(request)
    elif visit.account is not None and visit.account.pk != account.pk:
        portal.discard_unsent(visit)  # another codename's unsent draft must not follow this one
        visit.clear_draft()
    visit.bind(account)
    has_questionnaire = any(item.kind == "questionnaire" for item in items)
    return render(
        request,
        "intake/thread.html",
        {"items": items, "has_questionnaire": has_questionnaire, "max_chars": MESSAGE_MAX_CHARS, "kinds": _kinds()},
    )


# -- questionnaire --------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, name: str) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    current = step_named(name)
    if current is None:
        return redirect("intake:step", name=STEPS[0].name)
    draft = visit.draft()
    answers = draft.get("answers", {})
    if request.method == "POST":
        form = current.form(request.POST)
        if form.is_valid():
            cleaned = to_answers(form.cleaned_data)
            if "story" in cleaned:
                draft["story"] = cleaned.pop("story")
            answers.update(cleaned)
            draft["answers"] = answers
            visit.save_draft(draft)
            if request.POST.get("go") == "back":
                target = previous_step(name, answers)
                return redirect("intake:step", name=target) if target else redirect("intake:start")
            following = next_step(name, answers)
            return redirect("intake:step", name=following) if following else redirect("intake:files")
    else:
        initial = initial_from(answers, current.form)
        if current.name == "story":
            initial["story"] = draft.get("story", "")
        form = current.form(initial=initial)
    number, total = position(name, answers)
    back = previous_step(name, answers)
    return render(
        request,
        "intake/step.html",
        {"form": form, "step": current, "number": number, "total": total, "back": back},
        status=400 if form.errors else 200,
    )


def _kinds() -> str:
    return ", ".join(label for label, _extensions in ALLOWED.values())


def _handler(max_files: int) -> SealingUploadHandler:
    return SealingUploadHandler(
        office_public_key(), max_bytes=settings.PASSAGE.intake_upload_mb * 1024 * 1024, max_files=max_files
    )


def _body_too_large(request: HttpRequest, max_files: int) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_files * settings.PASSAGE.intake_upload_mb * 1024 * 1024 + 256 * 1024


def _rejections(handler: SealingUploadHandler) -> list[str]:
    texts = {
        "type": _("%(name)s: this type of file is not accepted, or its name does not match its content."),
        "size": _("%(name)s: the file is larger than %(mb)s MB."),
        "count": _("%(name)s: too many files at once."),
        "empty": _("%(name)s: the file is empty."),
    }
    return [
        texts[item.reason] % {"name": item.name, "mb": settings.PASSAGE.intake_upload_mb} for item in handler.rejected
    ]


@portal_view
@csrf_exempt  # the upload handler must be in place before the body is read; CSRF is checked inside
@require_http_methods(["GET", "POST"])
def files(request: HttpRequest) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    errors: list[str] = []
    stored = len(visit.draft().get("files", []))
    if request.method == "POST":
        if _body_too_large(request, FILES_PER_DRAFT):
            errors.append(
                _("These files are too large. Send at most %(mb)s MB per file.")
                % {"mb": settings.PASSAGE.intake_upload_mb}
            )
        else:
            check_quota()
            handler = _handler(max(0, FILES_PER_DRAFT - stored))
            request.upload_handlers = [handler]
            try:
                response = _files_post(request, visit, handler)
            finally:
                handler.discard_unkept()
            if response is not None:
                return response
            errors = _rejections(handler)
            if not errors:
                return redirect("intake:files")
    draft = visit.draft()
    context = {
        "files": draft.get("files", []),
        "errors": errors,
        "max_mb": settings.PASSAGE.intake_upload_mb,
        "kinds": _kinds(),
        "room": FILES_PER_DRAFT - len(draft.get("files", [])),
        "back": previous_step("files", draft.get("answers", {})) or STEPS[-1].name,
    }
    return render(request, "intake/files.html", context, status=400 if errors else 200)


@csrf_protect
def _files_post(request: HttpRequest, visit: Visit, handler: SealingUploadHandler) -> HttpResponse | None:
    request.POST  # noqa: B018 - parses the body through the sealing handler (after the CSRF check passed)
    public_key = handler.public_key
    for received in handler.received:
        portal.store_upload(visit, received, public_key)
        handler.keep(received.public_id)
    return None


@portal_view
@require_POST
def remove_file(request: HttpRequest) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    portal.remove_draft_upload(visit, request.POST.get("file", ""))
    return redirect("intake:files")


# -- overview and sending -------------------------------------------------------------------


@portal_view
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    draft = visit.draft()
    answers = draft.get("answers", {})
    profile = profile_of(answers)
    context = {
        "overview": build_overview(profile, lang()),
        "answered": bool(answers),
        "story_chars": len(draft.get("story", "")),
        "files": draft.get("files", []),
        "quota_full": _quota_full(),
    }
    return render(request, "intake/overview.html", context)


@portal_view
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    portal.submit_questionnaire(visit)
    return redirect("intake:sent")


@portal_view
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/sent.html", {})


# -- follow-up messages ---------------------------------------------------------------------


@portal_view
@csrf_exempt  # as for files: the sealing upload handler first, the CSRF check inside
@require_POST
def message(request: HttpRequest) -> HttpResponse:
    visit = _need_account(request)
    if visit is None:
        return _not_ready(request)
    if _body_too_large(request, FILES_PER_MESSAGE):
        return render(request, "intake/message_sent.html", {"errors": [_("These files are too large.")]}, status=400)
    check_quota()
    handler = _handler(FILES_PER_MESSAGE)
    request.upload_handlers = [handler]
    try:
        return _message_post(request, visit, handler)
    finally:
        handler.discard_unkept()


@csrf_protect
def _message_post(request: HttpRequest, visit: Visit, handler: SealingUploadHandler) -> HttpResponse:
    text = request.POST.get("text", "").strip()[:MESSAGE_MAX_CHARS]
    errors = _rejections(handler)
    if not text and not handler.received:
        errors.append(_("The message is empty."))
    if errors:
        return render(request, "intake/message_sent.html", {"errors": errors}, status=400)
    uploads: list[Upload] = []
    for received in handler.received:
        uploads.append(portal.store_upload(visit, received, handler.public_key, message=True))
        handler.keep(received.public_id)
    portal.send_message(visit, text, uploads)
    return render(request, "intake/message_sent.html", {"errors": [], "files": len(uploads)})


# -- errors ---------------------------------------------------------------------------------


@portal_view
def error_page(request: HttpRequest, status: int, *, expired: bool = False) -> HttpResponse:
    return render(request, "intake/error.html", {"status": status, "expired": expired}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 400)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing form token: on the portal, the plain "start again" page."""
    if request.path.startswith("/intake/"):
        return error_page(request, 403, expired=True)
    from passage.web.views import forbidden as staff_forbidden

    return staff_forbidden(request)


@portal_view
@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """The onion address's bare root leads to the portal."""
    return redirect("intake:start")
