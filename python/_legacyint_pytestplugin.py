"""legacyint's pytest plugin: the ``legacyint_pool`` fixture.

Registered through the ``pytest11`` entry point. This module imports nothing
of legacyint: the extension is loaded only when a test asks for the fixture,
so that having legacyint installed costs other projects' test runs nothing.
"""

import pytest


@pytest.fixture
def legacyint_pool():
    """A :class:`legacyint.testing.PoolProbe` for snapshots and deltas of the
    int pool; the pool's free list is cleared after the test, so that tests
    do not see each other's blocks.

    Example::

        def test_reuse(legacyint_pool):
            xs = legacyint.range(10**6, 10**6 + 1000); del xs
            with legacyint_pool.no_new_blocks():
                ys = legacyint.range(10**6, 10**6 + 1000)
    """
    from legacyint.testing import PoolProbe

    probe = PoolProbe()
    try:
        yield probe
    finally:
        probe.clear()
