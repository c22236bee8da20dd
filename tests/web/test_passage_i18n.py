"""``{% load passage_i18n %}`` gives Django's i18n tags; a literal ``{% translate %}`` is kept per
language and autoescaping, and renders exactly what Django's own node renders; every template
loads it rather than Django's library."""

from __future__ import annotations

from django.template import Context, engines
from django.templatetags import i18n as django_i18n
from django.utils import translation

from passage.web.templatetags.passage_i18n import KeptTranslateNode

SOURCE = (
    '{% load passage_i18n %}{% translate "Summary" %}|{% translate "a < b & c" %}|{% translate "Summary" noop %}|'
    '{% translate "Summary" as label %}[{{ label }}]|{% translate "Summary" context "heading" %}|'
    '{% translate word %}|{% translate "Summary"|upper %}|{% blocktranslate %}Summary{% endblocktranslate %}'
)


def _nodes(template: object) -> list[object]:
    return list(template.template.nodelist)  # type: ignore[attr-defined]


def _django_rendering(language: str, autoescape: bool = True) -> str:
    """The same source through Django's own i18n library, for comparison."""
    template = engines["django"].from_string(SOURCE.replace("passage_i18n", "i18n")).template  # type: ignore[attr-defined]
    with translation.override(language):
        return str(template.render(Context({"word": "Details"}, autoescape=autoescape)))


def test_only_literal_translations_are_kept() -> None:
    template = engines["django"].from_string(SOURCE)
    kept = [node for node in _nodes(template) if isinstance(node, KeptTranslateNode)]
    plain = [node for node in _nodes(template) if type(node) is django_i18n.TranslateNode]
    assert len(kept) == 2  # "Summary" and "a < b & c"; noop, as, context, a variable and a filter are not
    assert len(plain) == 5


def test_it_renders_what_django_renders_in_each_language_and_escaping() -> None:
    template = engines["django"].from_string(SOURCE).template  # type: ignore[attr-defined]
    for _round in range(2):  # the second round comes from what was kept
        for language in ("en", "ru"):
            for autoescape in (True, False):
                with translation.override(language):
                    ours = template.render(Context({"word": "Details"}, autoescape=autoescape))
                assert ours == _django_rendering(language, autoescape)
    with translation.override("ru"):
        russian = template.render(Context({"word": "Details"}))
    with translation.override("en"):
        english = template.render(Context({"word": "Details"}))
    # A literal is the template author's text: Django does not escape it, in either language.
    assert russian.startswith("Сводка|a < b & c|") and english.startswith("Summary|a < b & c|")


def test_every_template_loads_the_kept_translations() -> None:
    from pathlib import Path

    import passage

    root = Path(passage.__file__).parent
    templates = [path for path in root.rglob("templates/**/*.html") if "{%" in path.read_text(encoding="utf-8")]
    assert templates
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert "{% load i18n" not in text, path
        if "{% translate" in text or "{% blocktranslate" in text:
            assert "passage_i18n" in text, path
