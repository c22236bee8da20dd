"""The layout's header, rendered once per language and person and reused with each request's CSRF token.

The header (navigation, language switch, seal and log-out forms) cost a staff page seven URL
reversals, a dozen translations and a language list on every request: about 0.6 ms of the
0.8 ms the layout takes (bench host). Its HTML depends only on the ``_Viewer`` below, the
language and whether the vault is sealed, so it is rendered once per such key — with a marker
where each form's CSRF token goes — and the marker is replaced by this request's token.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from passage.web.kept import Kept

register = template.Library()

# Letters and digits only, like a real token: escaping leaves it as it is, and no username or
# translation can contain it (usernames are letters, digits and @.+-_).
_TOKEN_MARK = "csrf0token0of0this0request0goes0here0" + "0" * 26
_headers: Kept[str] = Kept(256)


class _Viewer(NamedTuple):
    """All the header may read of the person: nothing else can reach the kept HTML."""

    is_authenticated: bool
    is_verified: bool
    role: str
    username: str


def _viewer(user: Any) -> _Viewer:
    if not getattr(user, "is_authenticated", False):
        return _Viewer(False, False, "", "")
    verified = getattr(user, "is_verified", None)
    return _Viewer(True, bool(verified and verified()), str(user.role), user.get_username())


@register.simple_tag(takes_context=True)
def office_header(context: Any) -> SafeString:
    """The page's ``<header>``; the token comes from the request's CSRF context, as ``{% csrf_token %}``'s does."""
    token = str(context.get("csrf_token") or "")
    viewer = _viewer(context.get("user"))
    language = get_language()
    sealed = bool(context.get("vault_sealed"))
    if not token.isalnum():  # no token (or "NOTPROVIDED"): as {% csrf_token %}, no hidden input
        return _render(viewer, language, sealed, token="")
    key = (viewer, language, sealed)
    html = _headers.get(key)
    if html is None:
        html = _render(viewer, language, sealed, token=_TOKEN_MARK)
        _headers.put(key, html)
    return SafeString(html.replace(_TOKEN_MARK, token))


def _render(viewer: _Viewer, language: str, sealed: bool, *, token: str) -> SafeString:
    values = {"viewer": viewer, "vault_sealed": sealed, "LANGUAGE_CODE": language, "csrf_token": token}
    return SafeString(get_template("web/_header.html").render(values))
