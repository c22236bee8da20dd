"""API endpoints: thin, like the web views. Token and scope checks in :mod:`passage.api.auth`,
objects through the ``get_<thing>_for_user`` helpers, changes and decryption through
:mod:`passage.cases.actions` (which audits every read of sensitive text and every change)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from passage.accounts.access import CASE_WORKERS, can_reveal_true_names, public_view
from passage.accounts.models import Role
from passage.api import render
from passage.api.auth import ApiError, api_endpoint, error_response, ok, query_choice, query_int, read_json
from passage.api.models import Scope
from passage.api.openapi import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, document
from passage.audit.chain import record
from passage.cases import actions
from passage.cases.access import (
    cases_for_user,
    get_case_for_user,
    get_letter_for_user,
    get_task_for_user,
    letters_for_user,
    tasks_for_user,
)
from passage.cases.models import Case, Institution, ReplyStatus
from passage.routes import Profile, ProfileError, plan_json

ANSWERS = (ReplyStatus.ANSWERED, ReplyStatus.REFUSED, ReplyStatus.NOT_RESPONSIBLE)


@public_view
@csrf_exempt  # it changes nothing; other methods get the API's JSON 405, not the CSRF page
def schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document: describes the API, holds no case data."""
    if request.method != "GET":
        response = error_response(ApiError(405, "use GET on this URL"))
        response["Allow"] = "GET"
        return response
    return ok(document())


# -- clients -------------------------------------------------------------------------------------


@api_endpoint(*CASE_WORKERS, scope=Scope.CASES_READ)
def list_clients(request: HttpRequest, user: Any) -> HttpResponse:
    limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = query_int(request, "offset", 0, 0, MAX_OFFSET)
    visible = cases_for_user(user).order_by("code")
    page = list(visible[offset : offset + limit])
    # The summary holds no encrypted field, but where people are is sensitive: note who listed.
    record(user, "list", target_type="cases.case", detail={"api": True, "count": len(page), "offset": offset})
    results = [render.client_summary(case) for case in page]
    return ok({"count": visible.count(), "limit": limit, "offset": offset, "results": results})


@api_endpoint(*CASE_WORKERS, scope=Scope.CASES_WRITE)
def create_client(request: HttpRequest, user: Any) -> HttpResponse:
    data = read_json(request, "ClientCreate")
    true_name = data.get("true_name", "")
    if true_name.strip() and not can_reveal_true_names(user):
        raise ApiError(403, "only lawyers and admins may record a true name", field="true_name")
    facts = _without_unknowns(data.get("facts", {}))
    evidence = data.get("evidence", [])
    try:
        case = actions.create_case(
            user,
            true_name=true_name,
            aliases=data.get("aliases", []),
            contacts=data.get("contacts", ""),
            narrative=data.get("narrative", ""),
            facts=facts,
            evidence=evidence,
            # A volunteer works only on assigned cases: the case they open is theirs.
            assigned=[user] if user.role == Role.VOLUNTEER else [],
        )
    except ProfileError as error:
        raise _facts_error(error, facts, evidence) from None
    return ok(render.client_summary(case), 201, location=f"/api/v1/clients/{case.id}")


@api_endpoint(*CASE_WORKERS, scope=Scope.CASES_READ)
def get_client(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    return ok(render.client_detail(case, actions.read_case(user, case)))


@api_endpoint(*CASE_WORKERS, scope=Scope.CASES_WRITE)
def replace_facts(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    data = read_json(request, "FactsReplace")
    facts = _without_unknowns(data["facts"])
    evidence = data["evidence"] if "evidence" in data else sorted(_stored_profile(case).evidence)
    return _save_facts(user, case, facts, evidence)


@api_endpoint(*CASE_WORKERS, scope=Scope.CASES_WRITE)
def update_facts(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    data = read_json(request, "FactsPatch")
    stored = _stored_profile(case)
    facts = {name: render.plain(value) for name, value in stored.facts.items()}
    for name, value in data.get("facts", {}).items():
        if value is None:
            facts.pop(name, None)
        else:
            facts[name] = value
    evidence = data["evidence"] if "evidence" in data else sorted(stored.evidence)
    return _save_facts(user, case, facts, evidence)


def _save_facts(user: Any, case: Case, facts: dict[str, Any], evidence: Sequence[str]) -> HttpResponse:
    try:
        actions.update_facts(user, case, facts, evidence)
    except ProfileError as error:
        raise _facts_error(error, facts, evidence) from None
    return ok(render.client_summary(case))


def _without_unknowns(facts: Mapping[str, Any]) -> dict[str, Any]:
    """null means "unknown", which the engine expresses by leaving the fact out."""
    return {name: value for name, value in facts.items() if value is not None}


def _stored_profile(case: Case) -> Profile:
    try:
        return actions.case_profile(case)
    except ProfileError as error:
        raise ApiError(
            409, f"the facts on record no longer fit the knowledge base ({error.message}); replace them with PUT"
        ) from None


def _facts_error(error: ProfileError, facts: Mapping[str, Any], evidence: Sequence[str]) -> ApiError:
    """The engine's one-line message, with the fact or evidence item at fault as ``field``.

    The engine names a position in its input, not a field, so each fact is re-checked alone to
    find the culprit (cheap: checking builds no plan).
    """
    field = "facts"
    for name, value in facts.items():
        try:
            actions.validate_facts({name: value})
        except ProfileError:
            field = f"facts.{name}"
            break
    else:
        for index, kind in enumerate(evidence):
            try:
                actions.validate_facts({}, [kind])
            except ProfileError:
                field = f"evidence[{index}]"
                break
    return ApiError(400, error.message, field=field)


@api_endpoint(*CASE_WORKERS, scope=Scope.PLAN_READ)
def get_plan(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    lang = query_choice(request, "lang", ("en", "ru"), "en")
    case = get_case_for_user(user, client_id)
    try:
        plan = actions.case_plan(user, case)
    except ProfileError as error:
        raise ApiError(409, f"the facts on record no longer fit the knowledge base ({error.message})") from None
    return ok(plan_json(plan, lang))


# -- letters -------------------------------------------------------------------------------------


@api_endpoint(*CASE_WORKERS, scope=Scope.LETTERS_READ)
def list_letters(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    letters = list(
        letters_for_user(user)
        .filter(case=case)
        .select_related("case", "institution")
        .order_by("-date", "-created_at", "id")
    )
    subjects = actions.letter_subjects(user, letters)
    results = [render.letter(letter, subject=subjects[letter.id]) for letter in letters]
    return ok({"count": len(results), "results": results})


@api_endpoint(*CASE_WORKERS, scope=Scope.LETTERS_WRITE)
def create_letter(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    data = read_json(request, "LetterCreate")
    institution = Institution.objects.filter(pk=data["institution"]).first()
    if institution is None:
        raise ApiError(400, "unknown institution (see GET /api/v1/institutions)", field="institution")
    sent_on = date.fromisoformat(data["date"])
    reply_status = data.get("reply_status", ReplyStatus.AWAITING)
    answered_on = _answered_on(data, reply_status, sent_on)
    letter = actions.record_letter(
        user,
        case,
        institution=institution,
        direction=data.get("direction", "out"),
        channel=data.get("channel", "email"),
        sent_on=sent_on,
        subject=data["subject"],
        body=data.get("body", ""),
        reply_status=reply_status,
        answered_on=answered_on,
    )
    return ok(render.letter(letter), 201, location=f"/api/v1/letters/{letter.id}")


@api_endpoint(*CASE_WORKERS, scope=Scope.LETTERS_READ)
def get_letter(request: HttpRequest, user: Any, letter_id: str) -> HttpResponse:
    letter = get_letter_for_user(user, letter_id)
    subject, body = actions.read_letter(user, letter)
    return ok(render.letter(letter, subject=subject, body=body))


@api_endpoint(*CASE_WORKERS, scope=Scope.LETTERS_WRITE)
def update_letter(request: HttpRequest, user: Any, letter_id: str) -> HttpResponse:
    letter = get_letter_for_user(user, letter_id)
    data = read_json(request, "LetterUpdate")
    status = data["reply_status"]
    actions.set_reply_status(user, letter, status, _answered_on(data, status, letter.date))
    return ok(render.letter(letter))


def _answered_on(data: Mapping[str, Any], reply_status: str, sent_on: date) -> date | None:
    raw = data.get("answered_on")
    if raw is None:
        return None
    if reply_status not in ANSWERS:
        raise ApiError(400, f"answered_on goes only with reply_status {', '.join(ANSWERS)}", field="answered_on")
    answered_on = date.fromisoformat(raw)
    if answered_on < sent_on:
        raise ApiError(400, f"answered_on {answered_on} is before the letter's date {sent_on}", field="answered_on")
    return answered_on


@api_endpoint(*CASE_WORKERS, scope=Scope.LETTERS_READ)
def list_institutions(request: HttpRequest, user: Any) -> HttpResponse:
    results = [render.institution(item) for item in Institution.objects.order_by("name", "id")]
    return ok({"count": len(results), "results": results})


# -- tasks ---------------------------------------------------------------------------------------


@api_endpoint(*CASE_WORKERS, scope=Scope.TASKS_READ)
def list_tasks(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    tasks = list(
        tasks_for_user(user).filter(case=case).select_related("case", "assigned_to").order_by("done", "due_on", "id")
    )
    titles = actions.task_titles(user, tasks)
    results = [render.task(task, title=titles[task.id]) for task in tasks]
    return ok({"count": len(results), "results": results})


@api_endpoint(*CASE_WORKERS, scope=Scope.TASKS_WRITE)
def create_task(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    data = read_json(request, "TaskCreate")
    task = actions.add_task(
        user, case, title=data["title"], due_on=date.fromisoformat(data["due_on"]), kind=data.get("kind", "task")
    )
    return ok(render.task(task), 201, location=f"/api/v1/tasks/{task.id}")


@api_endpoint(*CASE_WORKERS, scope=Scope.TASKS_WRITE)
def update_task(request: HttpRequest, user: Any, task_id: str) -> HttpResponse:
    task = get_task_for_user(user, task_id)
    data = read_json(request, "TaskUpdate")
    actions.complete_task(user, task, done=data["done"])
    return ok(render.task(task))
