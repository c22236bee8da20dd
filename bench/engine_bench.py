"""The route engine on the shipped knowledge base: loading it, and one person's full evaluation.

All times are this process's CPU time, which other work on a busy machine disturbs far less than
the wall clock (the engine is single-threaded, so on an idle machine the two agree).

- ``kb_load_ms``: load and validate the shipped knowledge base (``load_knowledge()``: YAML with
  line numbers, schema, cross-references, condition compilation), median of several loads.
  Anchor: parsing the same YAML files with PyYAML's C loader and nothing else.
- ``plan_p50_ms``: one profile against every pathway with the full trace
  (``evaluate_all``: every requirement's status, obtainability, evidence, and the explanation of
  every dead end, circle and trap), median over the shipped example profiles. Anchor: loading
  and checking the same profile from its YAML file. The full plan with routes (``make_plan``)
  is shown for context.

Run alone with ``python -m bench.engine_bench [--quick]``; ``run(quick)`` returns
``(headline, markdown)``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from bench.common import machine, median, p95, stderr, timed, track
from passage.routes import DEFAULT_KNOWLEDGE_DIR, evaluate_all, load_knowledge, load_profile, make_plan, pathway_json

__all__ = ["run"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "profiles"


def _parse_yaml_only() -> int:
    count = 0
    for path in sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        count += 1
    return count


def run(quick: bool = True) -> tuple[dict[str, float], str]:
    loads = 5 if quick else 20
    evaluations = 100 if quick else 500

    cpu = time.process_time
    load_ms = [timed(load_knowledge, clock=cpu)[0] * 1000 for _ in track(range(loads), "load knowledge base", loads)]
    yaml_ms = [timed(_parse_yaml_only, clock=cpu)[0] * 1000 for _ in range(loads)]
    knowledge = load_knowledge()
    files = _parse_yaml_only()

    rows = []
    every: list[float] = []
    for path in track(sorted(EXAMPLES.glob("*.yaml")), "evaluate example profiles"):
        profile = load_profile(path, knowledge)
        evaluate_ms = [
            timed(lambda p=profile: evaluate_all(p, knowledge), clock=cpu)[0] * 1000 for _ in range(evaluations)
        ]
        json_ms = [
            timed(lambda p=profile: [pathway_json(r) for r in evaluate_all(p, knowledge)], clock=cpu)[0] * 1000
            for _ in range(evaluations // 5)
        ]
        profile_ms = [
            timed(lambda p=path: load_profile(p, knowledge), clock=cpu)[0] * 1000 for _ in range(evaluations // 5)
        ]
        plan_ms = [
            timed(lambda p=profile: make_plan(p, knowledge), clock=cpu)[0] * 1000
            for _ in range(max(3, evaluations // 20))
        ]
        every += evaluate_ms
        rows.append(
            (path.stem, median(evaluate_ms), p95(evaluate_ms), median(json_ms), median(profile_ms), median(plan_ms))
        )

    plan_p50 = median(every)
    profile_p50 = median([row[4] for row in rows])
    headline = {"kb_load_ms": round(median(load_ms), 2), "plan_p50_ms": round(plan_p50, 3)}
    lines = [
        "## Engine: knowledge base and one person's evaluation",
        "",
        f"Shipped knowledge base: {len(knowledge.pathways)} pathways, {len(knowledge.steps)} steps, "
        f"{len(knowledge.countries)} countries, {len(knowledge.facts)} facts, {files} YAML files. "
        "Times are CPU time of this process (single-threaded: on an idle machine, wall-clock time).",
        "",
        "| measure | median | p95 | anchor (same run) | ratio |",
        "|---|---:|---:|---|---:|",
        f"| load + validate (`load_knowledge`), {loads} loads | **{median(load_ms):.1f} ms** | {p95(load_ms):.1f} ms "
        f"| YAML parse only (C loader): {median(yaml_ms):.1f} ms | {median(load_ms) / median(yaml_ms):.1f}× |",
        f"| one profile × every pathway, full trace (`evaluate_all`), {evaluations} runs per profile "
        f"| **{plan_p50:.3f} ms** | {p95(every):.3f} ms | load + check the profile YAML: {profile_p50:.3f} ms "
        f"| {plan_p50 / profile_p50:.1f}× |",
        "",
        "Per example profile (medians, ms):",
        "",
        "| profile | `evaluate_all` | p95 | + JSON of every pathway | profile load (anchor) | `make_plan` (with routes) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {name} | {e:.3f} | {e95:.3f} | {j:.3f} | {pl:.3f} | {mp:.2f} |" for name, e, e95, j, pl, mp in rows]
    return headline, "\n".join(lines)


def main(argv: list[str]) -> int:
    headline, section = run(quick="--quick" in argv)
    stderr.print(machine())
    print(section)
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
