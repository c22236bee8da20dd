"""``make run`` until the office app exists: plan routes for every demo persona and print them."""

from __future__ import annotations

from pathlib import Path

from passage.cli_text import print_plan
from passage.routes import load_knowledge, load_profile, make_plan

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


def main() -> None:
    knowledge = load_knowledge()
    for path in sorted(PROFILES.glob("*.yaml")):
        print_plan(make_plan(load_profile(path, knowledge), knowledge))
        print()


if __name__ == "__main__":
    main()
