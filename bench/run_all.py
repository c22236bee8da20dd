"""Run every benchmark; ``make bench`` rewrites bench/RESULTS.md, ``make bench-quick`` does not.

Each benchmark is a module in ``BENCHMARKS`` with ``run(quick: bool) -> (headline, markdown)``:
``headline`` maps DESIGN.md's summary keys (``plan_p50_ms``, ...) to numbers, ``markdown`` is its
section of RESULTS.md, and every measurement in it is compared with an anchor measured in the
same run. To add a benchmark, write such a module and add its name here.

The last line printed is one JSON object with every headline key (a benchmark that fails is
reported on stderr and in RESULTS.md, and its keys are left out).

    python -m bench.run_all [--quick] [--only engine_bench,routes_bench] [--write]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.common import machine, stderr

__all__ = ["BENCHMARKS", "main"]

BENCHMARKS: tuple[str, ...] = (
    "bench.engine_bench",  # kb_load_ms, plan_p50_ms
    "bench.routes_bench",  # route_p95_ms, clingo_speedup
    "bench.batch_bench",  # batch_evals_per_s
    "bench.evidence_bench",  # ingest_vs_copy, ingest_peak_mb, ocr_s_per_page, dossier_s
    "bench.intake_bench",  # intake_max_page_kb
    "bench.office_bench",  # dashboard_p95_ratio, unseal_s
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _header(quick: bool, about: dict[str, str], started: datetime) -> list[str]:
    return [
        "# Benchmark results",
        "",
        f"Written by `make {'bench-quick' if quick else 'bench'}` on {started:%Y-%m-%d %H:%M} UTC.",
        "",
        f"- CPU: {about['cpu']} ({about['cores']} cores)",
        f"- Python {about['python']} on {about['platform']}",
        f"- Route engine: {about['engine']} (mypyc; `passage.routes._native`)",
        f"- Load average at start (1, 5, 15 min): {about['load']} — other work on the machine slows "
        "every figure; ratios against anchors measured in the same run are the steadier numbers.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the reduced set (under a minute for the engine)")
    parser.add_argument("--only", default="", help="comma-separated module names (without 'bench.')")
    parser.add_argument("--write", action="store_true", help="rewrite RESULTS.md (the default without --quick)")
    options = parser.parse_args(argv)
    chosen = [name for name in BENCHMARKS if not options.only or name.split(".")[-1] in options.only.split(",")]
    started = datetime.now(UTC)
    about = machine()
    headline: dict[str, float] = {}
    sections: list[str] = []
    summary: list[str] = ["| benchmark | seconds | keys |", "|---|---:|---|"]
    for name in chosen:
        stderr.print(f"[bold]{name}[/bold]")
        began = time.perf_counter()
        try:
            module = importlib.import_module(name)
            keys, section = module.run(quick=options.quick)
        except Exception as error:
            stderr.print(f"[red]{name} failed:[/red] {error!r}")
            stderr.print(traceback.format_exc())
            sections.append(f"## {name}\n\nFailed in this run: `{error!r}`")
            summary.append(f"| {name} | {time.perf_counter() - began:.1f} | failed |")
            continue
        seconds = time.perf_counter() - began
        headline.update(keys)
        sections.append(section)
        summary.append(f"| {name} | {seconds:.1f} | {', '.join(f'`{key}`' for key in keys)} |")
        stderr.print(f"  {json.dumps(keys)} in {seconds:.1f} s")
    if options.write or not options.quick:
        table = ["| key | value |", "|---|---:|", *(f"| `{key}` | {value} |" for key, value in headline.items())]
        text = [*_header(options.quick, about, started), "## Summary", "", *table, "", *summary, ""]
        for section in sections:
            text += [section, ""]
        RESULTS.write_text("\n".join(text))
        stderr.print(f"wrote {RESULTS}")
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
