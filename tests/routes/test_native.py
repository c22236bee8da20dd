"""The compiled route engine: it is what runs after ``make install``, it gives exactly what the
sources give, and a build older than its sources is never run.

``make test`` sets ``PASSAGE_REQUIRE_NATIVE=1``: there a missing build fails instead of skipping.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from passage.routes import _native

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = ROOT / "src"
ROUTES = SOURCE_ROOT / "passage" / "routes"
REQUIRED = os.environ.get("PASSAGE_REQUIRE_NATIVE") == "1"

needs_build = pytest.mark.skipif(
    _native.status() != "compiled" and not REQUIRED,
    reason=f"the route engine runs {_native.status()} here (make install compiles it)",
)

# Plans for every example persona and routes on two generated 100-country worlds, as JSON.
ENGINE_OUTPUT = """
import json, sys
from pathlib import Path
from bench.worlds import generate_profile, generate_world, spec_for_countries
from passage.routes import _native, find_routes, load_knowledge, load_profile, make_plan, plan_json
from passage.routes.evaluator import evaluate_all
kb = load_knowledge()
out = {"status": _native.status()}
for path in sorted(Path("examples/profiles").glob("*.yaml")):
    profile = load_profile(path, kb)
    out[path.name] = plan_json(make_plan(profile, kb))
    out[path.name + " traces"] = repr(evaluate_all(profile, kb))
for seed, person in ((100001, 0), (100003, 2)):
    world = generate_world(seed, spec_for_countries(100))
    routes = find_routes(world.knowledge, generate_profile(world, person), world.knowledge.pathways)
    out[f"world {seed}/{person}"] = repr(sorted(routes.items()))
json.dump(out, sys.stdout, sort_keys=True, default=str)
"""


def _run(code: str, *, path: Path | None = None, native: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != _native.SWITCH}
    env["PYTHONHASHSEED"] = "0"  # the reprs compared show frozensets, whose order follows the hash seed
    if native is not None:
        env[_native.SWITCH] = native
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), str(ROOT)])
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
    )


@needs_build
def test_after_the_build_every_hot_module_runs_compiled():
    assert _native.status() == "compiled"
    for module in _native.MODULES:
        loaded = importlib.import_module(f"passage.routes.{module}")
        assert loaded.__file__ is not None
        assert loaded.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), loaded.__file__


@needs_build
def test_compiled_and_interpreted_engines_give_identical_plans_traces_and_routes():
    import json

    compiled = json.loads(_run(ENGINE_OUTPUT).stdout)
    interpreted = json.loads(_run(ENGINE_OUTPUT, native="off").stdout)
    assert compiled.pop("status") == "compiled"
    assert interpreted.pop("status") == f"interpreted: {_native.SWITCH}=off"
    assert len(compiled) == 14
    assert compiled == interpreted


def _copy_of_the_engine(tmp_path: Path) -> Path:
    """``passage.routes`` with its build and the knowledge base, in a folder of its own."""
    package = tmp_path / "passage"
    package.mkdir()
    shutil.copy(SOURCE_ROOT / "passage" / "__init__.py", package)
    shutil.copytree(ROUTES, package / "routes", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOURCE_ROOT / "passage" / "knowledge", package / "knowledge")
    for shared in SOURCE_ROOT.glob(f"{_native.GROUP}__mypyc*"):
        shutil.copy(shared, tmp_path)
    return tmp_path


WHICH = """
import passage.routes._search as search
from passage.routes import _native, load_knowledge
load_knowledge()
print(_native.status())
print(search.__file__)
"""


@needs_build
def test_a_source_changed_after_the_build_runs_as_source_with_a_warning(tmp_path):
    copy = _copy_of_the_engine(tmp_path)
    fresh = _run(WHICH, path=copy)
    status, loaded = fresh.stdout.splitlines()
    assert status == "compiled"
    assert loaded.startswith(str(copy)) and not loaded.endswith(".py")
    assert fresh.stderr == ""

    model = copy / "passage" / "routes" / "model.py"
    model.write_text(model.read_text() + "\n# edited after the build\n")
    stale = _run(WHICH, path=copy)
    status, loaded = stale.stdout.splitlines()
    assert status == "interpreted: sources changed since the build: model"
    assert loaded == str(copy / "passage" / "routes" / "_search.py")  # the whole group, not just the edited one
    assert "cannot be used (sources changed since the build: model)" in stale.stderr
    assert "make install" in stale.stderr


@needs_build
def test_a_build_without_its_record_of_sources_is_not_trusted(tmp_path):
    copy = _copy_of_the_engine(tmp_path)
    (copy / "passage" / "routes" / "_native.json").unlink()
    status, loaded = _run(WHICH, path=copy).stdout.splitlines()
    assert status.startswith("interpreted: sources changed since the build: _compile, _reduce")
    assert loaded.endswith("_search.py")


@needs_build
def test_a_build_missing_a_module_is_not_used(tmp_path):
    copy = _copy_of_the_engine(tmp_path)
    for extension in (copy / "passage" / "routes").glob("evaluator.*.so"):
        extension.unlink()
    done = _run(WHICH, path=copy)
    status, loaded = done.stdout.splitlines()
    assert status == "interpreted: incomplete build, missing: evaluator"
    assert loaded.endswith("_search.py")
    assert "incomplete build, missing: evaluator" in done.stderr


def test_without_a_build_the_sources_run(tmp_path):
    copy = _copy_of_the_engine(tmp_path)
    for extension in copy.rglob("*.so"):
        extension.unlink()
    status, loaded = _run(WHICH, path=copy).stdout.splitlines()
    assert status == "interpreted: not built (make install builds it)"
    assert loaded == str(copy / "passage" / "routes" / "_search.py")
