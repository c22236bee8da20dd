"""gunicorn settings for Passage: each worker hardens itself after the fork."""

from __future__ import annotations

from typing import Any

from passage.vault import harden_process


def post_fork(server: Any, worker: Any) -> None:
    # No core dumps and no ptrace reading of worker memory, where the master key may be held.
    for measure in harden_process():
        server.log.info("worker %s: %s", worker.pid, measure)
