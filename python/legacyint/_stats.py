"""The pool's counters as an immutable record."""

from __future__ import annotations

from typing import List, NamedTuple, Tuple

from ._core import _pool_counters, _pool_snapshot


class PoolStats(NamedTuple):
    """A snapshot of the int pool, as returned by :func:`pool_stats`.

    ``in_use + free == capacity`` and ``capacity == blocks * objects_per_block``
    always hold. ``_asdict()`` gives a plain dict (for ``json`` or ``pandas``).

    >>> from legacyint import pool_stats
    >>> s = pool_stats()
    >>> (s.block_size, s.objects_per_block, s.small_ints)
    (992, 41, 262)
    >>> s.in_use + s.free == s.capacity
    True
    """

    #: Bytes asked of the allocator for each block (8-byte head + 41 * 24).
    block_size: int
    #: Objects carved from one block.
    objects_per_block: int
    #: Blocks the pool holds now.
    blocks: int
    #: ``blocks * objects_per_block``.
    capacity: int
    #: Slots holding a live LegacyInt, the small-int cache included.
    in_use: int
    #: Length of the free list.
    free: int
    #: Small-int cache entries created (262: -5..256; 0 for the float pool).
    small_ints: int
    #: ``blocks * block_size``: memory the pool holds, malloc's overhead aside.
    bytes_reserved: int
    #: Slots taken from the free list since import.
    allocations: int
    #: Slots put back on the free list since import.
    deallocations: int
    #: Blocks taken from malloc since import.
    blocks_allocated: int
    #: Blocks given back to malloc since import (only clear_free_list does).
    blocks_released: int
    #: The most blocks held at once since import.
    peak_blocks: int

    def _repr_html_(self) -> str:
        """An HTML table, so that a notebook cell shows the record as one."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th>"
            f"<td style='text-align:right'>{value:,}</td></tr>"
            for name, value in zip(self._fields, self)
        )
        return f"<table><caption>legacyint pool_stats()</caption>{rows}</table>"


def pool_stats(kind: str = "int") -> PoolStats:
    """Counters of the int pool (or, with ``kind="float"``, the float pool),
    read in O(1) whatever its size.

    >>> import legacyint
    >>> before = legacyint.pool_stats()
    >>> x = legacyint.LegacyInt(10**6)
    >>> legacyint.pool_stats().allocations - before.allocations
    1
    >>> legacyint.pool_stats()._asdict()["block_size"]
    992
    >>> legacyint.pool_stats("float").small_ints
    0
    """
    return PoolStats._make(_pool_counters(kind))


class PoolSnapshot(NamedTuple):
    """A pool's layout at one moment, slot by slot (:func:`pool_snapshot`)."""

    #: Slots in a block (41).
    objects_per_block: int
    #: One int per block held, oldest block first: bit ``i`` is set when
    #: slot ``i`` holds a live object.
    live: List[int]
    #: The free list from its head, as ``(block, slot)`` in the numbering of
    #: ``live``: the slots the next allocations will take, in order.
    free_list: List[Tuple[int, int]]
    #: Each block's address, in the order of ``live``: how one snapshot's
    #: blocks are found in a later one, after some went back to malloc.
    addresses: List[int]

    def is_live(self, block: int, slot: int) -> bool:
        """Whether slot ``slot`` of block ``block`` holds a live object."""
        return bool(self.live[block] >> slot & 1)


def pool_snapshot(kind: str = "int", links: int = 64) -> PoolSnapshot:
    """The pool's layout now: which slots of each block are live, and the
    first ``links`` slots of the free list, in the order the next
    allocations will take them. What :func:`legacyint.plot.plot_pool`
    draws. Costs one look at every slot, as :func:`block_occupancy` does.

    >>> import legacyint
    >>> snap = legacyint.pool_snapshot()
    >>> snap.is_live(0, 0), len(snap.live) == legacyint.pool_stats().blocks
    (True, True)
    >>> x = legacyint.LegacyInt(10**6)       # takes the free list's head...
    >>> head = snap.free_list[0]
    >>> legacyint.pool_snapshot().is_live(*head)
    True
    >>> del x                                # ...and gives it back, to the head
    >>> legacyint.pool_snapshot().free_list[0] == head
    True
    """
    live, free_list, addresses = _pool_snapshot(kind, links)
    return PoolSnapshot(pool_stats(kind).objects_per_block, live, free_list, addresses)
