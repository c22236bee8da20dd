"""The engine's compiled modules: which they are, how they are built, and never running stale ones.

The route search, both evaluators and the conditions they test are compiled to C extension
modules with mypyc (``make install`` runs ``python src/passage/routes/_native.py build``), which
runs the same source with fewer interpreter steps: bench/RESULTS.md compares the two.

Python imports an extension module before a source file of the same name, so a module edited
after the build would silently run its old compiled form. ``guard`` (run when ``passage.routes``
imports this module, before anything else) therefore compares every compiled module's source
with the digest recorded at build time; if one differs, an extension is missing, or
``PASSAGE_NATIVE=off`` is set, all of them are imported from source instead (they are compiled
as one group, so they go together) and one line on standard error says how to rebuild.
``status()`` says which form is running.

This module itself is never compiled, and when run as a script it imports nothing of Passage.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["MODULES", "guard", "status"]

# The modules compiled, as one group: the search, the evaluators and everything they call per
# state or per person. Loading, schema validation and output stay interpreted (run once).
MODULES = (
    "_compile",
    "_reduce",
    "_search",
    "batch",
    "conditions",
    "evaluator",
    "messages",
    "model",
    "planner",
    "profile",
)
GROUP = "passage_routes_native"  # the shared library is ``passage_routes_native__mypyc``
PACKAGE = "passage.routes"
HERE = Path(__file__).resolve().parent
STAMP = HERE / "_native.json"  # written by ``build``: the digest of each compiled source
SWITCH = "PASSAGE_NATIVE"  # "off": always run the sources

_status = "interpreted: not checked yet"


def status() -> str:
    """``compiled`` or ``interpreted: <why>``: the form of the engine this process runs."""
    return _status


def _digest(module: str) -> str:
    return hashlib.sha256((HERE / f"{module}.py").read_bytes()).hexdigest()


def _built() -> list[str]:
    """The modules with an extension beside their source, for this interpreter."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    names = set(os.listdir(HERE))
    return [module for module in MODULES if any(module + suffix in names for suffix in suffixes)]


class _Sources:
    """A finder that imports the compiled modules from their source files."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, module = fullname.rpartition(".")
        if package != PACKAGE or module not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, HERE / f"{module}.py")


def guard() -> str:
    """Import the sources instead of the extensions when those are stale or switched off."""
    global _status
    if any(isinstance(finder, _Sources) for finder in sys.meta_path):
        return _status
    built = _built()
    reason = ""
    if os.environ.get(SWITCH, "").lower() == "off":
        reason = f"{SWITCH}=off"
    elif not built:
        reason = "not built (make install builds it)"
    else:
        try:
            recorded = json.loads(STAMP.read_text(encoding="utf-8"))["sources"]
        except (OSError, ValueError, KeyError, TypeError):
            recorded = {}
        changed = [module for module in MODULES if recorded.get(module) != _digest(module)]
        missing = [module for module in MODULES if module not in built]
        if changed:
            reason = "sources changed since the build: " + ", ".join(changed)
        elif missing:
            reason = "incomplete build, missing: " + ", ".join(missing)
        if reason:
            print(
                f"passage: the compiled route engine cannot be used ({reason}); running its sources. "
                "Rebuild it with `make install`.",
                file=sys.stderr,
            )
    if reason and built:
        sys.meta_path.insert(0, _Sources())
    _status = f"interpreted: {reason}" if reason else "compiled"
    return _status


def _extensions() -> list[Path]:
    """Every file a build leaves: the modules' extensions and the group's shared library."""
    return [*HERE.glob("*.so"), *HERE.parents[1].glob(f"{GROUP}__mypyc*.so")]


def build() -> int:
    """Compile ``MODULES`` with mypyc next to their sources and record their digests."""
    if os.environ.get(SWITCH, "").lower() == "off":
        print(f"route engine: not compiled ({SWITCH}=off); the sources will run")
        return 0
    import tempfile

    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as error:
        print(f"route engine: cannot compile ({error.name} is missing); run `make install`", file=sys.stderr)
        return 1
    source_root = HERE.parents[1]
    for old in _extensions():
        old.unlink()  # a process that loaded it keeps its copy; new ones never see a half-written file
    STAMP.unlink(missing_ok=True)
    digests = {module: _digest(module) for module in MODULES}
    print(f"route engine: compiling {len(MODULES)} modules with mypyc (about a minute)…", flush=True)
    previous = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="passage-native-") as folder:
        os.chdir(source_root)  # module names follow the paths, and --inplace writes beside them
        try:
            extensions = mypycify(
                [f"passage/routes/{module}.py" for module in MODULES],
                opt_level="3",
                group_name=GROUP,
                target_dir=str(Path(folder) / "c"),
            )
            setup(
                name=GROUP,
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--inplace",
                    "--build-temp",
                    str(Path(folder) / "objects"),
                    "--build-lib",
                    str(Path(folder) / "lib"),
                ],
            )
        except (SystemExit, Exception) as error:  # mypyc and distutils report errors both ways
            for half in _extensions():
                half.unlink()
            print(
                f"route engine: compiling failed ({error}); fix the error above, "
                f"or set {SWITCH}=off to run the sources",
                file=sys.stderr,
            )
            return 1
        finally:
            os.chdir(previous)
    if digests != {module: _digest(module) for module in MODULES}:
        print("route engine: a source changed during the build; run it again", file=sys.stderr)
        return 1
    STAMP.write_text(json.dumps({"sources": digests}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"route engine: compiled ({len(_built())} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(build() if sys.argv[1:] == ["build"] else 2)
else:
    guard()
