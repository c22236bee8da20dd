"""Running Django management commands as ``passage COMMAND``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def run_command(arguments: Sequence[str]) -> int:
    """Run ``passage COMMAND ...`` through Django; returns the exit status.

    Configuration errors (a missing secret, a malformed variable) are one line, exit status 2.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.web.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        print(f"passage: configuration: {error}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["passage", *arguments])
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


def main() -> None:  # pragma: no cover - manage.py-style entry
    sys.exit(run_command(sys.argv[1:]))


if __name__ == "__main__":  # pragma: no cover
    main()
