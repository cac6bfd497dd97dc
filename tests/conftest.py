import gc
import os

import pytest
from hypothesis import settings

import legacyint

# One hypothesis profile for every test file, whichever of them run:
# examples enough to reach each strategy's sampled edges on every run, and
# no deadline (a shared machine's pauses are not the code's).
# LEGACYINT_HYPOTHESIS_EXAMPLES lowers it where a run must be short: under
# emulation (scripts/test-arm64's CI part), where each example is ~100x slower.
settings.register_profile(
    "legacyint", max_examples=int(os.environ.get("LEGACYINT_HYPOTHESIS_EXAMPLES", "300")), deadline=None
)
settings.load_profile("legacyint")


@pytest.fixture(autouse=True)
def no_automatic_collection():
    """A full collection clears the pools (Python 2.6+'s behaviour, on by
    default); one triggered by an allocation in the middle of a test would
    give back blocks the test is counting. Explicit gc.collect() still runs."""
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


def assert_pool_consistent():
    """The invariants every pool state must satisfy."""
    s = legacyint.pool_stats()
    assert s.capacity == s.blocks * s.objects_per_block
    assert s.in_use + s.free == s.capacity
    assert s.bytes_reserved == s.blocks * s.block_size
    assert s.blocks == s.blocks_allocated - s.blocks_released
    assert s.peak_blocks >= s.blocks
    assert s.small_ints == 262
    assert s.in_use >= s.small_ints
    return s


@pytest.fixture
def pool_consistent():
    """Checks the pool's invariants before and after the test."""
    assert_pool_consistent()
    yield
    assert_pool_consistent()
