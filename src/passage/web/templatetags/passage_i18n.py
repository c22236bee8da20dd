"""Django's ``i18n`` tags, with ``{% translate "a literal" %}`` looked up once per language.

Every template loads it by name (``{% load passage_i18n %}``) instead of Django's ``i18n``;
``makemessages`` and translators see the usual tags. A page such as the case page
carries sixty fixed labels; Django looks each one up in the catalogue, localises and escapes it
on every rendering. A literal message without filters, context, ``noop`` or ``as`` renders to
the same text for the same active language and autoescaping, as long as the catalogues do not
change — they are read once per process — so that text is kept on the node. Every other use of
the tag is Django's own node, unchanged.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, Variable
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class KeptTranslateNode(Node):
    """A ``TranslateNode`` of a literal message, rendered once per (language, autoescape)."""

    child_nodelists = ()

    def __init__(self, node: i18n.TranslateNode) -> None:
        self.node = node  # the parser sets this node's token and origin, as on any node
        self._rendered: dict[tuple[str | None, bool], str] = {}

    def render(self, context: Any) -> str:
        key = (get_language(), context.autoescape)
        text = self._rendered.get(key)
        if text is None:
            text = self._rendered[key] = self.node.render(context)
        return text


def _is_literal(node: i18n.TranslateNode) -> bool:
    expression = node.filter_expression
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and isinstance(expression.var, Variable)
        and expression.var.lookups is None
        and isinstance(expression.var.literal, str)
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: template.base.Parser, token: template.base.Token) -> Node:
    node = i18n.do_translate(parser, token)
    if isinstance(node, i18n.TranslateNode) and _is_literal(node):
        return KeptTranslateNode(node)
    return node
