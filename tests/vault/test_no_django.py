"""``passage.vault`` imports nothing from Django nor from the rest of Passage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = r"""
import importlib, pkgutil, sys
import passage.vault
names = [m.name for m in pkgutil.walk_packages(passage.vault.__path__, "passage.vault.")]
for name in names:
    importlib.import_module(name)
django = sorted(n for n in sys.modules if n == "django" or n.startswith("django."))
others = sorted(
    n for n in sys.modules
    if n.startswith("passage.") and not n.startswith("passage.vault")
)
assert not django and not others, (django, others)
print("imported", len(names), "modules")
"""


def _poisoned(tmp_path: Path) -> dict[str, str]:
    package = tmp_path / "django"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('passage.vault must not import Django')\n")
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_vault_modules_import_without_django(tmp_path: Path) -> None:
    env = _poisoned(tmp_path)
    result = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout


def test_the_poisoned_django_really_is_found_first(tmp_path: Path) -> None:
    env = _poisoned(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import django"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "must not import Django" in result.stderr
