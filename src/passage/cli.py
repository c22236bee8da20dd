"""The ``passage`` command.

Engine commands (``plan``, ``explain``, ``kb check``) need no web app and start fast. Every other
command is the office's (``token``, ``audit``, ``vault``, ``serve``, ...) and runs through Django's
management machinery, so it shares the permission helpers and the audit log with the web app.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from passage.routes import (
    KnowledgeBase,
    Ranking,
    RoutesError,
    load_knowledge,
    load_profile,
    make_plan,
    plan_json,
)
from passage.routes.errors import KnowledgeError

ENGINE_COMMANDS = {"plan", "explain", "kb"}
EXIT_BAD_INPUT = 2
PACKAGE = Path(__file__).resolve().parent


def office_commands() -> dict[str, str]:
    """Passage's own office commands and their one-line help, read from the sources.

    Read, not imported: ``passage --help`` stays fast and works without a configured web app.
    """
    commands = {}
    for module in sorted(PACKAGE.glob("*/management/commands/*.py")):
        if module.name.startswith("_"):
            continue
        summary = ""
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "help" for t in node.targets):
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    summary = value.value
                break
        commands[module.stem] = summary
    return dict(sorted(commands.items()))


def _office_help() -> str:
    wrap = textwrap.TextWrapper(width=79, initial_indent="  ", subsequent_indent=" " * 22)
    lines = [wrap.fill(f"{name:<19} {summary}") for name, summary in office_commands().items()]
    return "\n".join(
        [
            "office commands (they read the web app's settings: PASSAGE_* variables or the demo's):",
            *lines,
            "",
            "passage COMMAND --help shows a command's options; Django's own commands (migrate,",
            "db_worker, ...) run the same way.",
        ]
    )


class _Parser(argparse.ArgumentParser):
    """The top-level parser: its help ends with the office commands, read only when help is shown."""

    def format_help(self) -> str:
        return f"{super().format_help()}\n{_office_help()}\n"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="passage", description="Plan lawful routes to protection and run the office's tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=argparse.ArgumentParser)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--kb", type=Path, default=None, metavar="DIR", help="knowledge base folder (default: the shipped one)"
        )
        command.add_argument("--lang", choices=("en", "ru"), default="en", help="language of labels and warnings")

    plan = sub.add_parser("plan", help="plan routes for a profile (YAML or JSON)")
    plan.add_argument("profile", type=Path, metavar="PROFILE")
    plan.add_argument("--json", action="store_true", help="print the JSON contract instead of tables")
    plan.add_argument("--order", default="risk,days,cost", help="ranking order, a permutation of risk,days,cost")
    plan.add_argument("--max-steps", type=int, default=5, help="longest route searched (steps)")
    common(plan)

    explain = sub.add_parser("explain", help="the full trace of one pathway for a profile")
    explain.add_argument("pathway", metavar="PATHWAY_ID")
    explain.add_argument("profile", type=Path, metavar="PROFILE")
    explain.add_argument("--json", action="store_true", help="print the pathway's JSON instead of text")
    common(explain)

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="SUBCOMMAND")
    check = kb_sub.add_parser("check", help="validate a knowledge base and report stale entries")
    check.add_argument("directory", type=Path, nargs="?", default=None, metavar="DIR")
    check.add_argument("--max-age-days", type=int, default=None, help="review age after which an entry is stale")
    check.add_argument("--today", default=None, help="judge dates against this day (YYYY-MM-DD)")
    return parser


def _fail(message: str) -> int:
    """One line on stderr (``FILE:LINE: message`` or ``FIELD: message``), exit status 2."""
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def _knowledge(directory: Path | None) -> KnowledgeBase:
    return load_knowledge(directory)


def _plan(args: argparse.Namespace) -> int:
    from passage.cli_text import print_plan

    knowledge = _knowledge(args.kb)
    profile = load_profile(args.profile, knowledge)
    order = tuple(part.strip() for part in args.order.split(","))
    try:
        ranking = Ranking(order=order, max_steps=args.max_steps)
    except ValueError as error:
        return _fail(f"--order: {error}")
    plan = make_plan(profile, knowledge, ranking)
    if args.json:
        json.dump(plan_json(plan, args.lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_plan(plan, args.lang)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from passage.cli_text import print_explanation
    from passage.routes import pathway_json
    from passage.routes.plan import make_plan as plan_for

    knowledge = _knowledge(args.kb)
    profile = load_profile(args.profile, knowledge)
    try:
        knowledge.pathway(args.pathway)
    except KeyError:
        known = ", ".join(p.id for p in knowledge.pathways)
        return _fail(f"PATHWAY_ID: unknown pathway '{args.pathway}' (known: {known})")
    plan = plan_for(profile, knowledge)
    result = next(r for r in plan.pathways if r.pathway.id == args.pathway)
    route = next((r for r in plan.routes if r.goal.id == args.pathway), None)
    if args.json:
        json.dump(pathway_json(result, args.lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_explanation(plan, result, route, args.lang)
    return 0


def _kb_check(args: argparse.Namespace) -> int:
    from passage.cli_text import print_kb_report

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            return _fail(f"--today: impossible date '{args.today}' (use YYYY-MM-DD)")
    try:
        knowledge = load_knowledge(args.directory, today=today)
    except KnowledgeError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        print(f"passage: {len(error.problems)} problem(s) in the knowledge base", file=sys.stderr)
        return EXIT_BAD_INPUT
    print_kb_report(knowledge, today or date.today(), args.max_age_days)  # noqa: DTZ011 - calendar date
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``passage`` command; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] not in ENGINE_COMMANDS and not arguments[0].startswith("-"):
        from passage.web.manage import run_command

        return run_command(arguments)
    parser = _parser()
    args = parser.parse_args(arguments)
    try:
        if args.command == "plan":
            return _plan(args)
        if args.command == "explain":
            return _explain(args)
        return _kb_check(args)
    except RoutesError as error:
        return _fail(str(error))
    except BrokenPipeError:  # e.g. `passage plan x | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
