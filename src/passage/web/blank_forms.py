"""Blank forms rendered once: the same class, prefix, initial values, inputs and language give the same HTML.

The case page carries three empty forms (a note, a task, an incident) on every visit; rendering
their widgets through Django's form templates cost more than all of the page's queries, and
building the forms to find out whether they changed cost a third of that again. A blank form's
HTML depends only on what the key below holds — its class, prefix, initial values, the inputs its
constructor takes and the active language; the translations and the knowledge base are read once
per process — so the HTML is kept, and on later visits the form is not built at all. An input
must say everything the form shows from it: people as (id, name) pairs, never ids alone. A form
with the user's input and its errors is always rendered afresh. The CSRF token is outside the
form's fields and never kept.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from passage.web.kept import Kept

__all__ = ["blank_form_html", "form_html"]

_rendered: Kept[SafeString] = Kept(256)


def blank_form_html(
    form_class: type[forms.Form],
    /,
    *,
    prefix: str,
    initial: Mapping[str, Hashable] | None = None,
    **inputs: Hashable,
) -> SafeString:
    """``form_class(prefix=..., initial=..., **inputs).as_div()``, kept per everything it depends on.

    Only for forms whose HTML depends on nothing but these arguments and the language (see the
    module's notes). Raises ``TypeError`` for an input that cannot be a key (a list, a queryset).
    """
    key = (
        form_class,
        prefix,
        tuple(sorted((initial or {}).items())),
        tuple(sorted(inputs.items())),
        get_language(),
    )
    html = _rendered.get(key)
    if html is None:
        html = form_html(form_class(prefix=prefix, initial=initial, **inputs))
        _rendered.put(key, html)
    return html


def form_html(form: forms.Form) -> SafeString:
    """The form rendered now (a bound form, with the user's input and errors)."""
    html: Any = form.as_div()
    return SafeString(html)
