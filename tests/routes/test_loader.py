"""Loading and validating knowledge bases: every problem is reported as ``file:line: message``."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from passage.routes import KnowledgeError, load_knowledge
from tests.routes.conftest import FIXTURES

TODAY = date(2026, 11, 24)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the mini knowledge base with one text replaced."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "mini", target)
    path = target / "kb.yaml"
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))
    return target


def _problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory, today=TODAY)
    return [str(problem) for problem in caught.value.problems]


def _line_of(directory: Path, needle: str) -> int:
    for number, line in enumerate((directory / "kb.yaml").read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_it_loads_the_fixture_and_compiles_grants_into_steps(mini):
    assert [p.id for p in mini.pathways] == ["ds-visa", "ds-asylum", "ds-resettle", "ds-humvisa", "ds-dead"]
    grant = next(step for step in mini.steps if step.id == "ds-visa.apply")
    assert grant.effects == {"visa_ds": True}
    assert grant.wait_days == 30
    assert ("TB", "DS") in mini.missions
    assert mini.version.startswith("mini+")


def test_it_reports_an_unknown_fact_with_file_and_line(tmp_path):
    kb = _broken(tmp_path, "fact: magic, eq: true, label: {en: Magic", "fact: magik, eq: true, label: {en: Magic")
    problems = _problems(kb)
    line = _line_of(kb, "fact: magik")
    assert problems == [f"kb/kb.yaml:{line}: unknown fact 'magik'"]


def test_it_reports_a_dangling_source(tmp_path):
    kb = _broken(
        tmp_path,
        "{id: dsd-magic, fact: magic, eq: true, label: {en: Magic, ru: Магия}, sources: [s1]",
        "{id: dsd-magic, fact: magic, eq: true, label: {en: Magic, ru: Магия}, sources: [s9]",
    )
    problems = _problems(kb)
    assert len(problems) == 1
    assert problems[0].startswith(f"kb/kb.yaml:{_line_of(kb, 'sources: [s9]')}:")
    assert "unknown source 's9'" in problems[0]


def test_it_refuses_a_requirement_without_a_source(tmp_path):
    kb = _broken(
        tmp_path,
        "label: {en: Magic, ru: Магия}, sources: [s1], confidence: unverified}",
        "label: {en: Magic, ru: Магия}, sources: [], confidence: unverified}",
    )
    (problem,) = _problems(kb)
    assert "requirement 'dsd-magic'" in problem
    assert "has no source" in problem
    assert problem.startswith(f"kb/kb.yaml:{_line_of(kb, 'dsd-magic')}:")


def test_it_refuses_a_source_dated_in_the_future(tmp_path):
    kb = _broken(tmp_path, 'date: "2023-06"', 'date: "2027-01"')
    (problem,) = _problems(kb)
    assert problem == f"kb/kb.yaml:{_line_of(kb, '2027-01')}: date 2027-01 is in the future"


def test_it_refuses_last_verified_in_the_future(tmp_path):
    kb = _broken(
        tmp_path, 'legal_basis: "Art. 5 DS Act"', 'legal_basis: "Art. 5 DS Act"\n    last_verified: 2030-01-01'
    )
    (problem,) = _problems(kb)
    assert "'ds-dead': last_verified 2030-01-01 is in the future" in problem


def test_it_reports_duplicate_ids_with_the_first_place(tmp_path):
    kb = _broken(tmp_path, "- id: ds-dead\n", "- id: ds-visa\n")
    problems = _problems(kb)
    first = _line_of(kb, "- id: ds-visa")
    assert any(f"duplicate id 'ds-visa' (first at kb/kb.yaml:{first})" in p for p in problems)


def test_it_reports_yaml_syntax_errors_with_a_line(tmp_path):
    kb = _broken(tmp_path, "  - id: ds-dead\n", "  - id: ds-dead\n   broken: [\n")
    (problem,) = _problems(kb)
    assert problem.startswith("kb/kb.yaml:")
    assert "YAML syntax error" in problem


def test_it_reports_an_impossible_date(tmp_path):
    kb = _broken(tmp_path, 'date: "2024-01-01"', 'date: "2024-02-30"')
    (problem,) = _problems(kb)
    assert "impossible date '2024-02-30'" in problem


def test_it_reports_unknown_fields(tmp_path):
    kb = _broken(tmp_path, "    kind: residence\n", "    kind: residence\n    colour: blue\n")
    (problem,) = _problems(kb)
    assert problem == f"kb/kb.yaml:{_line_of(kb, 'colour: blue')}: pathways.4.colour: unknown field 'colour'"


def test_it_reports_a_wrong_value_type_for_a_fact(tmp_path):
    kb = _broken(tmp_path, "{id: dsd-magic, fact: magic, eq: true,", "{id: dsd-magic, fact: magic, eq: maybe,")
    (problem,) = _problems(kb)
    assert "fact 'magic' must be yes/no" in problem


def test_it_reports_an_unknown_evidence_kind(tmp_path):
    kb = _broken(tmp_path, "evidence: [papers]", "evidence: [paperz]")
    (problem,) = _problems(kb)
    assert "unknown evidence kind 'paperz'" in problem


def test_it_reports_a_step_to_an_unknown_country(tmp_path):
    kb = _broken(tmp_path, "from: TA, to: TB, mode: air", "from: TA, to: XX, mode: air")
    (problem,) = _problems(kb)
    assert problem.endswith("unknown country 'XX'")


def test_it_collects_every_problem_in_one_run(tmp_path):
    kb = _broken(tmp_path, "{id: dsd-magic, fact: magic,", "{id: dsd-magic, fact: magik,")
    path = kb / "kb.yaml"
    path.write_text(path.read_text().replace('date: "2023-06"', 'date: "2099-06"'))
    assert len(_problems(kb)) == 2


def test_it_reports_every_unchecked_entry_as_stale(mini):
    stale = mini.stale(TODAY)
    assert "ds-visa" in stale and "dsv-mission" in stale and "fly-ta-tb" in stale
    assert len(stale) == len(mini.reviewable)


def test_it_reports_old_checks_as_stale_but_not_recent_ones(tmp_path):
    kb = _broken(
        tmp_path, 'legal_basis: "Art. 5 DS Act"', 'legal_basis: "Art. 5 DS Act"\n    last_verified: 2026-10-01'
    )
    kb2 = _broken(
        tmp_path / "2", 'legal_basis: "Art. 4 DS Act"', 'legal_basis: "Art. 4 DS Act"\n    last_verified: 2025-01-01'
    )
    recent = load_knowledge(kb, today=TODAY)
    old = load_knowledge(kb2, today=TODAY)
    assert "ds-dead" not in recent.stale(TODAY)
    assert "ds-humvisa" in old.stale(TODAY)
    assert "ds-humvisa" not in old.stale(TODAY, max_age_days=1000)


def test_the_shipped_knowledge_base_is_valid_and_entirely_unverified_by_people(shipped):
    assert {"DE", "FR", "CH", "US", "KZ", "KG", "AM", "GE", "TR", "RS", "MN", "AR", "AE", "IL"} <= set(
        shipped.countries
    )
    ids = {p.id for p in shipped.pathways}
    assert {
        "de-22-2-aufenthg",
        "de-asylum",
        "fr-visa-asile",
        "fr-asylum",
        "ch-humanitarian-visa",
        "us-usrap-p1",
        "us-asylum",
    } <= ids
    # Nothing in FACTS.md was checked live by a person, and the plan must say so.
    assert len(shipped.stale(TODAY)) == len(shipped.reviewable)


def test_every_shipped_claim_cites_a_known_source(shipped):
    for pathway in shipped.pathways:
        assert pathway.sources
        for requirement in pathway.leaves:
            assert requirement.sources, requirement.id
            assert requirement.citation
    for step in shipped.steps:
        assert step.sources, step.id


def test_every_shipped_source_url_appears_in_the_fact_base(shipped):
    # docs/FACTS.md is the copy of the team's fact base the knowledge base was written from.
    text = (Path(__file__).resolve().parents[2] / "docs" / "FACTS.md").read_text()
    missing = [s.id for s in shipped.sources.values() if s.url not in text]
    assert missing == []
