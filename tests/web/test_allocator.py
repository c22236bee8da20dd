"""Upload-sized blocks are reused from the heap once Django has started, not mapped afresh each time."""

from __future__ import annotations

import resource

from passage.web.allocator import keep_large_blocks_in_heap


def _faults_for_megabyte_blocks(rounds: int) -> int:
    """Page faults for ``rounds`` of eight 1 MiB blocks alive at once, then all freed (as in an upload)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        blocks = [bytes(1 << 20) for _ in range(8)]  # allocated and zero-filled: every page touched
        del blocks
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_the_thresholds_are_set_on_glibc() -> None:
    assert keep_large_blocks_in_heap() is True


def test_a_megabyte_block_freed_is_reused_without_page_faults() -> None:
    # Django's start (this test process included) has set the thresholds. Without them, glibc
    # returns freed blocks to the system and faults their pages in again: about 4,800 page
    # faults for 20 rounds on this machine's Debian glibc, none with them.
    _faults_for_megabyte_blocks(2)  # the heap grows once
    assert _faults_for_megabyte_blocks(20) < 2000
