"""Running a parser or an external tool on evidence: stdin in, stdout out, hard limits.

Plaintext only ever travels through pipes (never a temporary file); the child runs with a
memory cap (``RLIMIT_AS``), a CPU-time cap, a wall-clock timeout, no core dumps, one OpenMP
thread (Tesseract is 4–5× slower with more on two cores), and its stderr discarded (parsers
quote the files they choke on). Output is capped too.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence

__all__ = ["SandboxError", "run_limited", "run_python_module"]


class SandboxError(Exception):
    """The child failed, ran out of time or memory, or wrote too much; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _limits(memory_mb: int, cpu_seconds: int) -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _environment() -> dict[str, str]:
    keep = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX") if name in os.environ}
    return {**keep, "OMP_THREAD_LIMIT": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


def run_limited(
    argv: Sequence[str],
    feed: bytes | Iterable[bytes],
    *,
    timeout: float,
    memory_mb: int = 1024,
    cpu_seconds: int | None = None,
    max_output: int = 256 << 20,
) -> bytes:
    """Run ``argv`` with ``feed`` on its stdin; return its stdout.

    Args:
        argv: the command (a fixed program and options; never user text).
        feed: bytes, or an iterable of chunks written as they come (decrypted evidence).
        timeout: wall-clock seconds before the child is killed.
        memory_mb: address-space limit of the child.
        cpu_seconds: CPU-time limit (default: the timeout).
        max_output: more stdout than this kills the child.

    Raises:
        SandboxError: ``timeout``, ``failed`` (non-zero exit or killed by a limit), ``too_much_output``.
    """
    cpu = int(cpu_seconds if cpu_seconds is not None else max(1, timeout))
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        env=_environment(),
        preexec_fn=lambda: _limits(memory_mb, cpu),  # only setrlimit runs in the child
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError):
            process.kill()

    def write() -> None:
        stdin = process.stdin
        if stdin is None:  # pragma: no cover - stdin is a pipe
            return
        try:
            if isinstance(feed, bytes | bytearray | memoryview):
                stdin.write(feed)
            else:
                for chunk in feed:
                    stdin.write(chunk)
        except (BrokenPipeError, ValueError, OSError):
            pass  # the child stopped reading (finished early, failed or was killed)
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    timer = threading.Timer(timeout, kill)
    feed_error: list[BaseException] = []

    def guarded_write() -> None:
        try:
            write()
        except BaseException as error:  # e.g. TamperedError from the decrypting feed
            feed_error.append(error)
            kill()

    writer = threading.Thread(target=guarded_write, name="sandbox-feed", daemon=True)
    timer.start()
    writer.start()
    output = bytearray()
    too_much = False
    try:
        stdout = process.stdout
        while stdout is not None:
            block = stdout.read(1 << 16)
            if not block:
                break
            output += block
            if len(output) > max_output:
                too_much = True
                kill()
                break
        process.wait()
    finally:
        timer.cancel()
        writer.join(timeout=5)
        with contextlib.suppress(OSError):
            if process.stdout is not None:
                process.stdout.close()
        if process.poll() is None:
            process.kill()
            process.wait()
    if feed_error:
        raise feed_error[0]
    if too_much:
        raise SandboxError("too_much_output")
    if timed_out.is_set():
        raise SandboxError("timeout")
    if process.returncode != 0:
        raise SandboxError("failed")
    return bytes(output)


def run_python_module(module: str, args: Sequence[str], feed: bytes | Iterable[bytes], **limits: int | float) -> bytes:
    """Run ``python -m module args`` of this interpreter under :func:`run_limited`."""
    return run_limited([sys.executable, "-I", "-m", module, *args], feed, **limits)  # type: ignore[arg-type]
