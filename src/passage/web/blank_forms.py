"""Blank forms rendered once: the same fields, choices, initial values and language give the same HTML.

The case page carries three empty forms (a note, a task, an incident) on every visit; rendering
their widgets through Django's form templates cost more than all of the page's queries. A blank
form's HTML depends only on what the key below holds — its class, prefix, fields, initial values,
every field's choices (a queryset's rows are read to build the key, as rendering would) and the
active language — so the HTML is kept and reused. A bound form, with the user's input and its
errors, is always rendered afresh. The CSRF token is outside the form's fields and never kept.
"""

from __future__ import annotations

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from passage.web.kept import Kept

__all__ = ["blank_form_html"]

_rendered: Kept[SafeString] = Kept(256)


def _key(form: forms.Form) -> tuple[object, ...]:
    """What the blank form's HTML depends on; a queryset's choices are read here, once.

    The choices read are given back to the field, so rendering the form after a miss reads the
    database no more than a hit does.
    """
    fields = []
    for name, field in form.fields.items():
        choices = None
        if isinstance(field, forms.ChoiceField):
            choices = tuple(choice for choice in field.choices)  # no len(): that would count the rows
            if isinstance(field, forms.ModelChoiceField):
                # Its rows were just read: keep them. (Plain choices are kept already, and setting
                # them again would normalise them all again.)
                field.choices = choices
        fields.append((name, form.get_initial_for_field(field, name), choices))
    return type(form), form.prefix, form.auto_id, get_language(), tuple(fields)


def blank_form_html(form: forms.Form) -> SafeString:
    """``form.as_div()``, from the kept HTML when an identical blank form was rendered before.

    Only for forms whose ``__init__`` changes nothing but choices, initial values and which fields
    exist: widget attributes set per instance are not part of the key.
    """
    if form.is_bound:
        return SafeString(form.as_div())
    key = _key(form)
    try:
        hash(key)
    except TypeError:  # an initial value such as a list: render it every time
        return SafeString(form.as_div())
    html = _rendered.get(key)
    if html is None:
        html = SafeString(form.as_div())
        _rendered.put(key, html)
    return html
