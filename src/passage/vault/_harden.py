"""Best-effort hardening of a process that holds the master key in memory."""

from __future__ import annotations

import ctypes
import resource
import sys

_PR_SET_DUMPABLE = 4


def harden_process() -> list[str]:
    """Turn off core dumps and mark the process non-dumpable (Linux).

    A non-dumpable process cannot be ptrace-attached or have ``/proc/PID/mem`` read by other
    processes of the same user (root still can). Call it in the key daemon (done by
    ``python -m passage.vault.keyd``) and in each web or task worker after fork.

    Returns:
        Short descriptions of the measures that took effect (for a startup log line).
    """
    done: list[str] = []
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.append("core dumps disabled")
    except (ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("process not dumpable")
        except (OSError, AttributeError):
            pass
    return done
