"""The ``passage`` command: tables, the JSON contract, and one clear line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest

from tests.routes.conftest import EXAMPLES, FIXTURES

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "src" / "passage" / "routes" / "plan.schema.json").read_text()
)


def passage(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "passage.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_plan_json_matches_the_contract_exactly():
    result = passage("plan", str(EXAMPLES / "kz-deserter.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema_rs.validate(SCHEMA, data)
    assert data["profile"] == "kz-deserter"
    assert data["as_of"] == "2026-11-20"
    assert data["knowledge"]["stale"]


def test_plan_json_in_russian():
    result = passage("plan", str(EXAMPLES / "kz-deserter.yaml"), "--json", "--lang", "ru")
    data = json.loads(result.stdout)
    jsonschema_rs.validate(SCHEMA, data)
    names = {p["id"]: p["name"] for p in data["pathways"]}
    assert names["ch-humanitarian-visa"].startswith("Швейцария")
    assert any("ловушка" in w for w in data["warnings"])


def test_plan_prints_readable_tables():
    result = passage("plan", str(EXAMPLES / "ge-activist.yaml"))
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Pathways" in text and "Routes" in text
    assert "Germany — admission" in text


def test_explain_prints_the_full_trace():
    result = passage("explain", "us-usrap-p1", str(EXAMPLES / "kz-deserter.yaml"))
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # rich wraps lines to the terminal width
    assert "Referral to USRAP by a U.S. Embassy" in text
    assert "vicious circle" in text  # the reported practice (Spiegel, 2023)


def test_explain_json_is_one_pathway_of_the_contract():
    result = passage("explain", "ch-humanitarian-visa", str(EXAMPLES / "kz-deserter.yaml"), "--json")
    data = json.loads(result.stdout)
    jsonschema_rs.validate({**SCHEMA["$defs"]["pathway"], "$defs": SCHEMA["$defs"]}, data)
    assert data["status"] == "blocked"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("facts:\n  citizenship: RU\n  favourite_colour: blue\n", ":3: unknown fact 'favourite_colour'"),
        ("facts:\n  wanted_interstate: sometimes\n", ":2: fact 'wanted_interstate' must be yes/no"),
        ("facts:\n  arrived_on: 2026-02-30\n", ":2: impossible or malformed date '2026-02-30'"),
        ("facts:\n  citizenship: [RU\n", ": YAML syntax error"),
        (
            "as_of: 2026-11-20\nfacts:\n  arrived_on: 2026-12-01\n",
            ":3: arrived_on 2026-12-01 is after as_of 2026-11-20",
        ),
        ("- just\n- a list\n", ":1: a profile must be a mapping"),
    ],
)
def test_a_bad_profile_gets_one_line_and_exit_2(tmp_path, content, expected):
    profile = tmp_path / "bad.yaml"
    profile.write_text(content)
    result = passage("plan", str(profile))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(profile)) and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_a_missing_profile_is_one_line(tmp_path):
    result = passage("plan", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}: file not found"


def test_an_unknown_pathway_is_one_line():
    result = passage("explain", "nowhere", str(EXAMPLES / "kz-deserter.yaml"))
    assert result.returncode == 2
    assert result.stderr.startswith("PATHWAY_ID: unknown pathway 'nowhere'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_kb_check_passes_the_shipped_base_and_lists_stale_entries():
    result = passage("kb", "check")
    assert result.returncode == 0, result.stderr
    assert "Knowledge base is valid" in result.stdout
    assert "stale:" in result.stdout and "de-22-2-aufenthg" in result.stdout


def test_kb_check_reports_every_problem_with_file_and_line(tmp_path):
    import shutil

    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "mini", target)
    path = target / "kb.yaml"
    path.write_text(
        path.read_text()
        .replace("fact: magic, eq: true,", "fact: magik, eq: true,")
        .replace('date: "2023-06"', 'date: "2099-06"')
    )
    result = passage("kb", "check", str(target))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("kb/kb.yaml:") and "unknown fact 'magik'" in line for line in lines)
    assert any("date 2099-06 is in the future" in line for line in lines)
    assert lines[-1] == "passage: 2 problem(s) in the knowledge base"
    assert "Traceback" not in result.stderr


def test_a_bad_knowledge_base_for_plan_is_one_line(tmp_path):
    import shutil

    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "mini", target)
    path = target / "kb.yaml"
    path.write_text(path.read_text().replace("fact: magic, eq: true,", "fact: magik, eq: true,"))
    result = passage("plan", str(FIXTURES / "deserter.yaml"), "--kb", str(target))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unknown fact 'magik'" in result.stderr


def test_help_lists_every_office_command_with_its_summary():
    """`passage --help` shows the office commands too, read from their sources, not a copy."""
    result = passage("--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps long summaries
    package = Path(__file__).resolve().parents[2] / "src" / "passage"
    modules = sorted(p.stem for p in package.glob("*/management/commands/*.py") if not p.name.startswith("_"))
    assert {"vault", "audit", "token", "replan"} <= set(modules)
    for name in modules:
        assert f" {name} " in text, name
    assert "Vault tools: init, unseal, seal, status, rotate, shred CASE_ID." in text
    assert "Audit log tools: verify the hash chain." in text


def test_office_commands_have_a_summary():
    from passage.cli import office_commands

    summaries = office_commands()
    assert summaries, "no office commands found"
    assert all(summaries.values()), [name for name, summary in summaries.items() if not summary]
