"""Shared helpers for the benchmarks: timing, percentiles, progress bars, the machine."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from passage.routes._native import status as native_status

__all__ = ["machine", "median", "p95", "progress", "stderr", "timed", "track"]

T = TypeVar("T")

# Progress goes to stderr so that stdout's last line stays the JSON summary.
stderr = Console(stderr=True)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def p95(values: Sequence[float]) -> float:
    """The 95th percentile, nearest rank (the value 95 % of measurements do not exceed)."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)])


def timed(
    function: Callable[[], T], repeat: int = 1, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, T]:
    """The fastest of ``repeat`` runs of ``function`` by ``clock``, in seconds, and its result.

    The fastest run is the one least disturbed by other processes on the machine. With
    ``clock=time.process_time`` the time is this process's CPU time, which other processes on a
    busy machine disturb far less than the wall clock (the engine is single-threaded, so on an
    idle machine the two agree).
    """
    best = math.inf
    result: T
    for _ in range(repeat):
        started = clock()
        result = function()
        best = min(best, clock() - started)
    return best, result


@contextmanager
def progress() -> Iterator[Progress]:
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )
    with bar:
        yield bar


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr."""
    with progress() as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def machine() -> dict[str, str]:
    """CPU model, cores, Python, load, engine form: what a reader needs to compare numbers across runs."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "cpu": model,
        "cores": str(os.cpu_count() or "?"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": load,
        "engine": native_status(),
    }
