"""Intake middleware: no network identity reaches the app; Russian unless the person chose English.

:func:`strip_identity` runs first in the chain. For every portal request (every request at all
in a ``PASSAGE_SERVE=intake`` process) it removes the client address, forwarding headers, the
user agent and the referrer from ``request.META`` before any other middleware, view, logger or
error report can see them. Nothing of the portal can then store or log them, by mistake or not.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

Handler = Callable[[HttpRequest], HttpResponse]

PORTAL_PREFIX = "/intake/"
LANG_COOKIE = "passage_portal_lang"
PORTAL_LANGUAGES = ("ru", "en")

# Everything in a WSGI environ that can name or fingerprint the visitor's network or browser.
IDENTITY_KEYS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "REMOTE_PORT",
    "REMOTE_USER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_VIA",
    "HTTP_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_FASTLY_CLIENT_IP",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
    "HTTP_USER_AGENT",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_REFERER",
)


def is_portal(request: HttpRequest) -> bool:
    return request.path_info.startswith(PORTAL_PREFIX)


def strip_identity(get_response: Handler) -> Handler:
    whole_process = settings.PASSAGE.serve == "intake"

    def middleware(request: HttpRequest) -> HttpResponse:
        if whole_process or is_portal(request):
            for key in IDENTITY_KEYS:
                request.META.pop(key, None)
        return get_response(request)

    return middleware


def portal_language(get_response: Handler) -> Handler:
    """Russian first: the person's own choice (a portal cookie), else Russian.

    The browser's Accept-Language is ignored on purpose: Tor Browser sends "en-US" to everyone
    so as not to stand out, which says nothing about the person.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if is_portal(request):
            chosen = request.COOKIES.get(LANG_COOKIE)
            language = chosen if chosen in PORTAL_LANGUAGES else "ru"
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware
