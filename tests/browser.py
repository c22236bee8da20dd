"""Debian's Chromium for the browser tests, the same way everywhere.

`make test` installs the browser (scripts/install-system.sh); a missing browser is a broken
machine, so it fails the test instead of skipping it silently. Playwright never downloads one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

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


def follow(page: Any, target: Any) -> None:
    """Clicks a link or a submit button and waits until the page it opens has loaded.

    A plain click only waits for the navigation to start: under load ``content()`` read right
    after it can still see the old page, or an empty one. ``target`` is a selector or a locator.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
