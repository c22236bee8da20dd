"""Re-evaluating a whole caseload against the shipped knowledge base, with traces.

An office re-evaluates every client when the knowledge base changes. Generated caseloads of 1k,
10k and 100k people (``bench.worlds.caseload``: the shipped example personas, each fact changed,
forgotten or learned with probability 0.15) go through ``BatchEvaluator.evaluate``, which gives
the same :class:`PathwayResult` (status, every requirement's status, evidence, explanations) as
``evaluate_pathway``. Anchor: the straightforward loop, ``evaluate_all`` per profile, timed on a
sample of the same caseload in the same run (the sample's results are checked identical first).

- ``batch_evals_per_s``: profile × pathway evaluations per second on the largest caseload.
- ``batch_vs_loop``: that rate ÷ the loop's.

A caseload of uniformly random people (every fact drawn independently from the vocabulary) is
the worst case for sharing work and is reported alongside.

Run alone with ``python -m bench.batch_bench [--quick]``; ``run(quick)`` returns
``(headline, markdown)``.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import machine, stderr, timed, track
from bench.worlds import caseload, random_profile
from passage.routes import KnowledgeBase, Profile, evaluate_all, load_knowledge, load_profile
from passage.routes.batch import BatchEvaluator

__all__ = ["run"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "profiles"


def _measure(knowledge: KnowledgeBase, people: list[Profile], sample: int) -> dict[str, float]:
    evaluator = BatchEvaluator(knowledge)
    started, started_cpu = time.perf_counter(), time.process_time()
    batch = evaluator.evaluate(people)
    batch_s, batch_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    chosen = people[:: max(1, len(people) // sample)][:sample]
    # The loop has no state to warm up, so its fastest of two runs is its fair time.
    started_cpu = time.process_time()
    loop_s, loop = timed(lambda: [evaluate_all(person, knowledge) for person in chosen], repeat=2)
    loop_cpu = (time.process_time() - started_cpu) / 2
    by_id = {person.id: index for index, person in enumerate(people)}
    for person, expected in zip(chosen, loop, strict=True):
        if batch[by_id[person.id]] != expected:
            raise AssertionError(f"batch result differs from evaluate_all for {person.id}")
    pathways = len(knowledge.pathways)
    stats = evaluator.stats
    return {
        "people": len(people),
        "batch_s": batch_s,
        "batch_rate": len(people) * pathways / batch_cpu,
        "batch_wall_rate": len(people) * pathways / batch_s,
        "loop_rate": len(chosen) * pathways / loop_cpu,
        "loop_wall_rate": len(chosen) * pathways / loop_s,
        "sample": len(chosen),
        "situations": stats.fixpoints,
        "explanations": stats.explanations,
        "results": stats.pathway_results,
    }


def run(quick: bool = True) -> tuple[dict[str, float], str]:
    knowledge = load_knowledge()
    personas = [load_profile(path, knowledge) for path in sorted(EXAMPLES.glob("*.yaml"))]
    as_of = max((persona.as_of for persona in personas), default=date(2026, 11, 20))
    sample = 200 if quick else 2000
    rows = []
    for size in track((1_000, 10_000, 100_000), "caseloads"):
        people = caseload(knowledge, personas, size, seed=size, as_of=as_of)
        rows.append(("caseload", _measure(knowledge, people, sample)))
    uniform = 1_000 if quick else 10_000
    people = [random_profile(knowledge, seed, as_of=as_of) for seed in range(uniform)]
    rows.append(("uniformly random", _measure(knowledge, people, sample)))

    largest = rows[-2][1]
    headline = {
        "batch_evals_per_s": round(largest["batch_rate"]),
        "batch_vs_loop": round(largest["batch_rate"] / largest["loop_rate"], 1),
    }
    pathways = len(knowledge.pathways)
    lines = [
        "## Batch: re-evaluating a caseload against the shipped knowledge base",
        "",
        f"{pathways} pathways per person; every evaluation with its full trace (identical to "
        "`evaluate_pathway`, checked on the anchor's sample). Anchor: `evaluate_all` per profile on "
        "a sample of the same people, same run. Rates are per CPU second of this single-threaded "
        "process (on an idle machine, per second); the wall-clock rate is shown beside it.",
        "",
        "| people | kind | batch time (wall) | **evaluations/s** | wall-clock evaluations/s "
        "| loop evaluations/s (sample) | ratio | fixpoints computed | explanations computed | distinct results |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, row in rows:
        lines.append(
            f"| {row['people']:,} | {kind} | {row['batch_s']:.2f} s | **{row['batch_rate']:,.0f}** "
            f"| {row['batch_wall_rate']:,.0f} "
            f"| {row['loop_rate']:,.0f} ({row['sample']:,}) | {row['batch_rate'] / row['loop_rate']:.1f}× "
            f"| {row['situations']:,} | {row['explanations']:,} | {row['results']:,} |"
        )
    lines += [
        "",
        "Fixpoints computed: relaxed reachability worked out rather than replayed (people who share where they are and "
        "what their steps' preconditions say share one). Explanations: dead ends, circles and traps "
        "worked out rather than replayed from an earlier person's answers.",
    ]
    return headline, "\n".join(lines)


def main(argv: list[str]) -> int:
    headline, section = run(quick="--quick" in argv)
    stderr.print(machine())
    print(section)
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
