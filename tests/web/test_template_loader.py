"""The template loader joins each template's fixed text: fewer nodes, the same output.

Every comparison is against the same source compiled by Django's own loader, without joining.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.template import Context, Engine, engines
from django.template.base import TextNode
from django.utils import translation

import passage
from passage.web.template_loader import KeptRunNode, join_fixed_text
from passage.web.templatetags.passage_i18n import KeptTranslateNode

I18N = {"passage_i18n": "passage.web.templatetags.passage_i18n"}

SOURCE = """{% load passage_i18n %}<h1>{% translate "Summary" %}</h1>{# a comment #}
<p>{% translate "a < b & c" %} {{ value }} {% translate "Details" %}</p>
{% comment %}gone{% endcomment %}{% if flag %}<b>{% translate "Notes" %}</b> <i>{% translate "Letters" %}</i>{% elif other %}x{% translate "Tasks and deadlines" %}y{% else %}<em>{% translate "Incidents" %}</em>{% endif %}
<ul>{% for item in items %}<li>{% translate "Due" %}: {{ item }}</li>{% empty %}<li>{% translate "none" %}</li>{% endfor %}</ul>
{% with name=value %}<span>{% translate "Facts" %}</span>{{ name }}{% endwith %}
{% blocktranslate count days=count %}{{ days }} day there{% plural %}{{ days }} days there{% endblocktranslate %}
{% translate value %}|{% translate "Summary"|upper %}|{% translate "Summary" as label %}{{ label }}"""

CONTEXTS = [
    {"value": "<script>", "flag": True, "items": ["a", "<b>"], "count": 1},
    {"value": "Details", "flag": False, "other": True, "items": [], "count": 5},
    {"flag": False, "other": False, "count": 0},
]


def _engines() -> tuple[Engine, Engine]:
    """(Django's plain compilation, ours) of the same sources."""
    libraries = engines["django"].engine.libraries  # type: ignore[attr-defined]
    plain = Engine(libraries=libraries, app_dirs=True)
    ours = Engine(
        libraries=libraries,
        loaders=[("passage.web.template_loader.Loader", ["django.template.loaders.app_directories.Loader"])],
    )
    return plain, ours


def _render(template: Any, values: dict[str, Any], language: str, autoescape: bool) -> str:
    with translation.override(language):
        return str(template.render(Context(values, autoescape=autoescape)))


def _count(nodelist: Any, kind: type) -> int:
    return len(nodelist.get_nodes_by_type(kind))


def test_fixed_runs_become_one_node_and_render_what_django_renders() -> None:
    plain = Engine(libraries=I18N).from_string(SOURCE)
    joined = Engine(libraries=I18N).from_string(SOURCE)
    before = len(list(joined.nodelist))
    join_fixed_text(joined.nodelist)
    assert len(list(joined.nodelist)) < before
    assert _count(joined.nodelist, KeptRunNode) >= 4  # top level, inside if, for, with
    for _round in range(2):  # the second round comes from what the runs kept
        for language in ("en", "ru"):
            for autoescape in (True, False):
                for values in CONTEXTS:
                    assert _render(joined, values, language, autoescape) == _render(plain, values, language, autoescape)
    with translation.override("ru"):
        assert "<h1>Сводка</h1>" in joined.render(Context(CONTEXTS[0]))
    # The variable between two labels is still escaped on each rendering.
    assert "&lt;script&gt;" in _render(joined, CONTEXTS[0], "en", True)


def _project_templates() -> list[str]:
    root = Path(passage.__file__).parent
    return sorted(
        str(path.relative_to(path.parents[len(path.relative_to(folder).parts) - 1]))
        for folder in root.glob("*/templates")
        for path in folder.rglob("*.html")
    )


@pytest.mark.parametrize("name", _project_templates())
def test_every_template_renders_the_same_joined(name: str) -> None:
    """Each of Passage's templates, with an empty context: at least every fixed part is compared."""
    plain_engine, our_engine = _engines()
    plain, ours = plain_engine.get_template(name), our_engine.get_template(name)
    for language in ("en", "ru"):
        try:
            expected: str | type[Exception] = _render(plain, {}, language, True)
        except Exception as error:  # a template that needs its context: both must fail alike
            expected = type(error)
        try:
            got: str | type[Exception] = _render(ours, {}, language, True)
        except Exception as error:
            got = type(error)
        assert got == expected


def test_the_case_page_has_far_fewer_fixed_nodes() -> None:
    plain_engine, our_engine = _engines()
    plain = plain_engine.get_template("cases/case_detail.html").nodelist
    ours = our_engine.get_template("cases/case_detail.html").nodelist
    assert (
        _count(ours, TextNode) + _count(ours, KeptTranslateNode)
        < (_count(plain, TextNode) + _count(plain, KeptTranslateNode)) // 3
    )


def test_the_office_uses_the_joining_loader() -> None:
    template = engines["django"].get_template("cases/case_detail.html").template  # type: ignore[attr-defined]
    assert template.passage_joined is True
    assert _count(template.nodelist, KeptRunNode) > 10


def _without_tokens(page: bytes) -> str:
    """The page with its CSRF tokens blanked: Django masks the token anew for every rendering."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', page.decode())


def test_the_office_pages_are_the_same_as_django_would_render_them(office: Any, as_lawyer: Any) -> None:
    """The case page with a note, a task, an incident and a letter, and the pages around it, in both languages."""
    from datetime import timedelta

    from django.test import override_settings

    from passage.cases import actions
    from passage.cases.models import Institution

    case = office.case
    today = actions.today()
    actions.add_note(office.lawyer, case, text="Called <b>him</b>\nsecond line", is_contact=True)
    actions.add_task(office.lawyer, case, title="Ask the embassy", due_on=today - timedelta(days=1))
    actions.add_incident(office.lawyer, case, kind="threat", occurred_on=today, country="KZ", description="A call")
    letter = actions.record_letter(
        office.lawyer, case, institution=Institution.objects.order_by("name").first(), direction="out",
        channel="email", sent_on=today - timedelta(days=40), subject="Visa", body="Dear Sir",
    )  # fmt: skip
    paths = ["/", f"/cases/{case.id}/", "/follow-ups/", f"/cases/{case.id}/plan/", f"/letters/{letter.id}/",
             f"/cases/{case.id}/facts/", "/cases/", "/statistics/"]  # fmt: skip
    plain = [{**settings, "APP_DIRS": True, "OPTIONS": {**settings["OPTIONS"], "loaders": None}}
             for settings in django_settings.TEMPLATES]  # fmt: skip

    def pages() -> dict[tuple[str, str], str]:
        seen = {}
        for language in ("en", "ru", "en"):  # each compiled template renders both languages, in turn
            as_lawyer.post("/i18n/setlang/", {"language": language})
            for path in paths:
                response = as_lawyer.get(path)
                assert response.status_code == 200, path
                seen[(language, path)] = _without_tokens(response.content)
        return seen

    joined = pages()
    with override_settings(TEMPLATES=plain):
        assert not getattr(engines["django"].get_template("web/base.html").template, "passage_joined", False)
        expected = pages()
    assert engines["django"].get_template("web/base.html").template.passage_joined  # type: ignore[attr-defined]
    for key, page in expected.items():
        assert joined[key] == page, key
    assert joined[("ru", f"/cases/{case.id}/")] != joined[("en", f"/cases/{case.id}/")]
    assert "Called &lt;b&gt;him&lt;/b&gt;<br>second line" in _without_tokens(
        as_lawyer.get(f"/cases/{case.id}/").content
    )
