"""The app's URLs plus ``/bench/bare/``: the anchor view the office pages are compared with.

The bare view goes through the same middleware as every staff page (session, second factor,
sealed gate, CSP, audit-free) and renders a small template: the cost of Django and the stack
with almost nothing of Passage's own work.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from passage.accounts.access import CASE_WORKERS, staff_view
from passage.web.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

BARE = engines["django"].from_string(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head>'
    "<body><main><h1>Hello {{ request.user.get_username }}</h1><p>{{ now|date:'Y-m-d' }}</p></main></body></html>"
)


@staff_view(*CASE_WORKERS)
def bare(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    return HttpResponse(BARE.render({"now": timezone.now()}, request))


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *urlpatterns]
