"""Debian's Chromium for the browser tests, the same way everywhere.

`make test` installs the browser (scripts/install-system.sh); a missing browser is a broken
machine, so it fails the test instead of skipping it silently. Playwright never downloads one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium() -> str:
    """The path of Debian's Chromium; fails the test if it is not installed."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is missing: run scripts/install-system.sh as root (make test does)")
    return path
