"""Route planning on generated worlds, side by side with clingo solving the same instances.

For worlds of 50, 100 and 200 countries (``bench.worlds.spec_for_countries``) and people in them,
the planner (``find_routes`` to every pathway) and the ASP encoding of the same instance
(``bench.oracle``: ground once, one optimisation per pathway) must agree on which pathways can be
reached and on every optimal (risk, days, cost) before any time is compared. Our time per
instance is the fastest of three runs (the least disturbed by other processes); clingo's is one
run of grounding plus solving. Both are CPU times of this process (clingo solves in-process and
single-threaded), which other work on a busy machine disturbs far less than the wall clock.

- ``route_p95_ms``: p95 of our time on the 200-country instances.
- ``clingo_speedup``: clingo's total time ÷ ours on the same 200-country instances.

The planner runs compiled (mypyc, ``passage.routes._native``); the same 200-country instances are
also planned by its sources in a subprocess with ``PASSAGE_NATIVE=off``, so the section shows what
the compilation gives in the same run.

Run alone with ``python -m bench.routes_bench [--quick]``; ``run(quick)`` returns
``(headline, markdown)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench.common import machine, median, p95, progress, stderr, timed
from bench.oracle import planner_optimum, solve
from bench.worlds import generate_profile, generate_world, spec_for_countries
from passage.routes import KnowledgeBase, Profile, Route, find_routes
from passage.routes._native import SWITCH
from passage.routes._native import status as native_status

__all__ = ["run"]

SIZES = (50, 100, 200)


class Disagreement(AssertionError):
    """The planner and clingo found different optima: no timing is reported."""


def _instances(size: int, quick: bool) -> list[tuple[int, int, bool]]:
    """(world seed, person seed, also solve with clingo) for each instance of ``size`` countries.

    Quick runs time the planner on fewer worlds and give clingo (seconds per large instance) only
    the first person in each world; full runs give clingo every instance.
    """
    worlds, people = ((2, 2) if size < 200 else (4, 3)) if quick else (5, 4)
    return [
        (1000 * size + world, person, not quick or person == 0) for world in range(worlds) for person in range(people)
    ]


def run(quick: bool = True) -> tuple[dict[str, float], str]:
    results: dict[int, list[tuple[float, float | None, int, int]]] = {}
    with progress() as bar:
        for size in SIZES:
            instances = _instances(size, quick)
            task = bar.add_task(f"{size} countries: planner and clingo", total=len(instances))
            rows = results[size] = []
            for world_seed, person, with_clingo in instances:
                world = generate_world(world_seed, spec_for_countries(size))
                knowledge = world.knowledge
                profile = generate_profile(world, person)
                ours_s, routes = _plan(knowledge, profile)
                clingo_ms = None
                if with_clingo:
                    started = time.process_time()
                    oracle = solve(knowledge, profile)
                    clingo_ms = (time.process_time() - started) * 1000
                    expected = {pathway: best for pathway, best in oracle.optimum.items() if best is not None}
                    if planner_optimum(routes) != expected:
                        raise Disagreement(
                            f"world {world_seed}, person {person}: {planner_optimum(routes)} != {expected}"
                        )
                rows.append((ours_s * 1000, clingo_ms, len(routes), len(knowledge.pathways)))
                bar.advance(task)

    largest = results[SIZES[-1]]
    interpreted = _interpreted(SIZES[-1], quick) if native_status() == "compiled" else []
    headline = {
        "route_p95_ms": round(p95([row[0] for row in largest]), 2),
        "clingo_speedup": round(_speedup(largest), 1),
    }
    lines = [
        "## Routes: the planner against clingo on generated worlds",
        "",
        "Every instance: one generated world and one person; all pathways are goals. Optimal "
        "(risk, days, cost) per pathway checked equal between the planner and clingo before any "
        "time is compared. Times are CPU time of this process (both are single-threaded; on an idle "
        "machine they equal wall-clock time). Planner: fastest of 3 runs. clingo: ground + solve, one run"
        + (", on the first person of each world (quick run)." if quick else ", on every instance."),
        "",
        "| countries | instances (clingo) | steps / pathways | reached | planner p50 | planner p95 "
        "| clingo p50 | clingo p95 | clingo ÷ planner (total, same instances) | median per-instance ratio |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        rows = results[size]
        world = generate_world(_instances(size, quick)[0][0], spec_for_countries(size))
        ours = [row[0] for row in rows]
        pairs = [(row[0], row[1]) for row in rows if row[1] is not None]
        theirs = [clingo for _, clingo in pairs]
        reached = sum(row[2] for row in rows)
        goals = sum(row[3] for row in rows)
        lines.append(
            f"| {size} | {len(rows)} ({len(pairs)}) | {len(world.knowledge.steps)} / {len(world.knowledge.pathways)} "
            f"| {reached}/{goals} | {median(ours):.1f} ms | **{p95(ours):.1f} ms** | {median(theirs):.0f} ms "
            f"| {p95(theirs):.0f} ms | **{_speedup(rows):.1f}×** "
            f"| {median([clingo / planner for planner, clingo in pairs]):.1f}× |"
        )
    if interpreted:
        ours = [row[0] for row in largest]
        lines += [
            "",
            f"The planner runs compiled with mypyc (`passage.routes._native`). The same {SIZES[-1]}-country "
            f"instances planned by its sources in the same run (`{SWITCH}=off`, a subprocess): p50 "
            f"{median(interpreted):.1f} ms, p95 {p95(interpreted):.1f} ms — compiled is "
            f"**{p95(interpreted) / p95(ours):.2f}×** faster at p95 and "
            f"{sum(interpreted) / sum(ours):.2f}× in total.",
        ]
    else:
        lines += ["", f"The planner ran interpreted here ({native_status()})."]
    return headline, "\n".join(lines)


def _plan(knowledge: KnowledgeBase, profile: Profile) -> tuple[float, dict[str, Route]]:
    """Our fastest of three CPU times (seconds) for one instance, and the routes."""
    return timed(lambda: find_routes(knowledge, profile, knowledge.pathways), repeat=3, clock=time.process_time)


def _interpreted(size: int, quick: bool) -> list[float]:
    """The same instances planned by the engine's sources (``PASSAGE_NATIVE=off``), in a subprocess."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.routes_bench", "--interpreted", str(size), *(["--quick"] if quick else [])],
        env={**os.environ, SWITCH: "off"}, capture_output=True, text=True, check=True, timeout=1800,
    )  # fmt: skip
    return [float(value) for value in json.loads(done.stdout.strip().splitlines()[-1])]


def _interpreted_times(size: int, quick: bool) -> list[float]:
    """Runs in that subprocess: our time (ms) on each instance of ``size`` countries."""
    if native_status() == "compiled":
        raise RuntimeError(f"the interpreted anchor must run with {SWITCH}=off")
    times = []
    for world_seed, person, _ in _instances(size, quick):
        world = generate_world(world_seed, spec_for_countries(size))
        times.append(_plan(world.knowledge, generate_profile(world, person))[0] * 1000)
    return times


def _speedup(rows: list[tuple[float, float | None, int, int]]) -> float:
    """clingo's total time ÷ the planner's, over the instances both solved."""
    pairs = [(row[0], row[1]) for row in rows if row[1] is not None]
    return sum(clingo for _, clingo in pairs) / sum(planner for planner, _ in pairs)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--interpreted"]:
        print(json.dumps(_interpreted_times(int(argv[1]), quick="--quick" in argv)))
        return 0
    headline, section = run(quick="--quick" in argv)
    stderr.print(machine())
    print(section)
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
