"""Helpers for asserting what code does to the pool, in tests.

The ``legacyint_pool`` pytest fixture hands out a :class:`PoolProbe`; it can
also be made directly.

>>> import legacyint
>>> from legacyint.testing import PoolProbe
>>> probe = PoolProbe()
>>> with probe.watch() as delta:
...     watched = legacyint.LegacyInt(10**6)
>>> delta["allocations"], delta["in_use"]
(1, 1)
"""

from __future__ import annotations

import contextlib
from typing import Dict, Iterator, Optional

from . import _core
from ._stats import PoolStats, pool_stats

Delta = Dict[str, int]

# Fields that describe the geometry, not a change.
_FIXED = ("block_size", "objects_per_block")


class PoolProbe:
    """Snapshots of the pool and assertions on how they differ."""

    def snapshot(self) -> PoolStats:
        """The pool's counters now (:func:`legacyint.pool_stats`)."""
        return pool_stats()

    def delta(self, before: PoolStats, after: Optional[PoolStats] = None) -> Delta:
        """``after - before`` (``after`` defaults to now), field by field.

        >>> from legacyint.testing import PoolProbe
        >>> probe = PoolProbe()
        >>> s = probe.snapshot()
        >>> probe.delta(s)["allocations"]
        0
        """
        after = after if after is not None else pool_stats()
        return {f: getattr(after, f) - getattr(before, f) for f in PoolStats._fields if f not in _FIXED}

    @contextlib.contextmanager
    def watch(self) -> Iterator[Delta]:
        """A context manager: ``with probe.watch() as delta:`` gives a dict
        that holds, once the ``with`` body has run, what the body changed
        (:meth:`delta`)."""
        before = pool_stats()
        delta: Delta = {}
        yield delta
        delta.update(self.delta(before))

    @contextlib.contextmanager
    def no_new_blocks(self) -> Iterator[Delta]:
        """A context manager that asserts that its ``with`` body took no
        new block of the pool from malloc.

        >>> import legacyint
        >>> from legacyint.testing import PoolProbe
        >>> with PoolProbe().no_new_blocks():
        ...     x = legacyint.LegacyInt(7)
        """
        with self.watch() as delta:
            yield delta
        if delta["blocks_allocated"]:
            raise AssertionError(f"expected no new block, {delta['blocks_allocated']} were allocated: {delta}")

    @contextlib.contextmanager
    def allocates(self, objects: int) -> Iterator[Delta]:
        """A context manager that asserts that its ``with`` body took
        exactly ``objects`` slots from the pool.

        >>> import legacyint
        >>> from legacyint.testing import PoolProbe
        >>> with PoolProbe().allocates(2):
        ...     a, b = legacyint.LegacyInt(1000), legacyint.LegacyInt(2000)
        """
        with self.watch() as delta:
            yield delta
        if delta["allocations"] != objects:
            raise AssertionError(f"expected {objects} allocations, got {delta['allocations']}: {delta}")

    @contextlib.contextmanager
    def leaves_nothing_alive(self) -> Iterator[Delta]:
        """A context manager that asserts that every pooled object its
        ``with`` body made was freed in it.

        >>> import legacyint
        >>> from legacyint.testing import PoolProbe
        >>> with PoolProbe().leaves_nothing_alive():
        ...     total = int(sum(legacyint.xrange(10**6, 10**6 + 100)))
        >>> total
        100004950
        """
        with self.watch() as delta:
            yield delta
        if delta["in_use"]:
            raise AssertionError(f"{delta['in_use']} objects still alive: {delta}")

    def clear(self) -> int:
        """Gives empty blocks back (:func:`legacyint.clear_free_list`)."""
        return _core.clear_free_list()


__all__ = ["Delta", "PoolProbe"]
