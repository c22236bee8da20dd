"""Large buffers kept in the heap and reused, rather than mapped afresh for every upload chunk.

glibc's malloc hands out blocks above its mmap threshold as fresh anonymous mappings and unmaps
them when they are freed. An upload streams through blocks of about a megabyte — the multipart
parser's reads and joins, each encrypted chunk — so every chunk paid a page fault per 4 KiB it
touched, and on this virtual machine page faults are dear: a 100 MB evidence upload ran at
0.45 of a plain copy's speed, and at 0.65–0.9 with the thresholds below (same host, same hour).

Fixed thresholds keep blocks under 4 MiB in the heap, where freed ones are reused, and let a
process keep up to 32 MiB of freed memory before returning it to the system. Set once per
process when Django starts (every gunicorn worker, the task worker, commands). Freed blocks keep
their old bytes until reused, as any heap memory does; an unsealed process holds the keys in
memory anyway, and what matters after a seizure — the disk — is unchanged.
"""

from __future__ import annotations

import ctypes

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_large_blocks_in_heap"]

# mallopt parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 4 << 20
TRIM_THRESHOLD = 32 << 20


def keep_large_blocks_in_heap() -> bool:
    """Set glibc's malloc thresholds; False where the C library cannot (not glibc), changing nothing."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 on success; musl's stub answers 0 and does nothing.
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
