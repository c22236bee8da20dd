"""Staff views of cases (thin: permission helper, domain action, template)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from passage.accounts.access import CASE_WORKERS, staff_view
from passage.cases.access import cases_for_user


@staff_view(*CASE_WORKERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {"cases": cases_for_user(request.user)})


@staff_view(*CASE_WORKERS)
def case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {"cases": cases_for_user(request.user)})


@staff_view(*CASE_WORKERS)
def overdue(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {"cases": cases_for_user(request.user)})


@staff_view(*CASE_WORKERS)
def institutions(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {"cases": cases_for_user(request.user)})


@staff_view(*CASE_WORKERS)
def stats(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {"cases": cases_for_user(request.user)})
