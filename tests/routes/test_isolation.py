"""``passage.routes`` imports nothing from Django or from the rest of Passage."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROUTES = Path(__file__).resolve().parents[2] / "src" / "passage" / "routes"


def test_importing_the_engine_loads_no_django_and_no_other_passage_module():
    code = (
        "import sys, passage.routes\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')"
        " or (m.startswith('passage.') and not m.startswith('passage.routes')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_no_engine_module_names_django_or_another_passage_package():
    for path in ROUTES.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("django"), f"{path.name} imports {name}"
                assert not name.startswith("passage.") or name.startswith("passage.routes"), (
                    f"{path.name} imports {name}"
                )
