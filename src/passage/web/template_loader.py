"""Django's cached template loader, which also joins each template's fixed text once it is compiled.

A template is a tree of nodes, and Django renders every node on every page: the case page has
about 390, of which some 280 are plain text, fixed labels (a literal ``{% translate %}``, kept per
language by ``passage_i18n``) and ``{% load %}``/``{% comment %}`` tags. Their output depends on
nothing but the active language and autoescaping. After compiling a template, this loader
replaces each run of two or more such neighbours with one node that renders the run once per
(language, autoescape) and keeps the text: the case page and its layout then hold some 130 fixed
pieces instead of 280, with the same output (tested against the templates as Django compiles them).

Only nodes known to be fixed are joined; everything else — variables, ``{% if %}``, loops,
``{% csrf_token %}``, ``{% blocktranslate %}`` — is left as it was, and the runs inside their own
node lists are joined in turn.
"""

from __future__ import annotations

import threading
from typing import Any

from django.template import Template
from django.template.base import Node, NodeList, TextNode
from django.template.defaulttags import CommentNode, IfNode, LoadNode
from django.template.loaders import cached
from django.utils.translation import get_language

from passage.web.templatetags.passage_i18n import KeptTranslateNode

__all__ = ["KeptRunNode", "Loader", "join_fixed_text"]

# Nodes whose output is a function of the active language and autoescaping alone.
_FIXED = (TextNode, KeptTranslateNode, CommentNode, LoadNode)
_joining = threading.Lock()


class KeptRunNode(Node):
    """Adjacent fixed nodes, rendered together once per (language, autoescape)."""

    child_nodelists = ()

    def __init__(self, run: list[Node]) -> None:
        self.run = run
        self.token = run[0].token
        self.origin = run[0].origin
        self._rendered: dict[tuple[str | None, bool], str] = {}

    def render(self, context: Any) -> str:
        key = (get_language(), context.autoescape)
        text = self._rendered.get(key)
        if text is None:
            text = self._rendered[key] = "".join(str(node.render_annotated(context)) for node in self.run)
        return text


def join_fixed_text(nodelist: NodeList) -> None:
    """Join the fixed runs of ``nodelist`` and of every node list below it, in place."""
    joined: list[Node] = []
    run: list[Node] = []
    for node in nodelist:
        if isinstance(node, _FIXED):
            run.append(node)
            continue
        _close(run, joined)
        run = []
        for child in _child_nodelists(node):
            join_fixed_text(child)
        joined.append(node)
    _close(run, joined)
    nodelist[:] = joined


def _close(run: list[Node], joined: list[Node]) -> None:
    if len(run) == 1:
        joined.append(run[0])
    elif run:
        joined.append(KeptRunNode(run) if any(not isinstance(node, TextNode) for node in run) else _text(run))


def _text(run: list[Node]) -> TextNode:
    text = TextNode("".join(node.s for node in run if isinstance(node, TextNode)))
    text.token, text.origin = run[0].token, run[0].origin
    return text


def _child_nodelists(node: Node) -> list[NodeList]:
    if isinstance(node, IfNode):  # its ``nodelist`` is a new list on each access
        return [nodelist for _condition, nodelist in node.conditions_nodelists]
    found = []
    for attribute in node.child_nodelists:
        child = getattr(node, attribute, None)
        if isinstance(child, NodeList):
            found.append(child)
    return found


class Loader(cached.Loader):
    """``django.template.loaders.cached.Loader`` whose templates have their fixed text joined."""

    def get_template(self, template_name: str, skip: Any = None) -> Template:
        template: Template = super().get_template(template_name, skip)
        if not getattr(template, "passage_joined", False):
            with _joining:  # once per template, even with two threads loading it at once
                if not getattr(template, "passage_joined", False):
                    join_fixed_text(template.nodelist)
                    template.passage_joined = True  # type: ignore[attr-defined]
        return template
