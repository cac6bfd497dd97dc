"""The pool: stats record, clear_free_list, out-of-memory, who sees the blocks."""

import json
import subprocess
import sys
import textwrap
import tracemalloc

import pytest
from conftest import assert_pool_consistent

import legacyint
from legacyint import LegacyInt, PoolStats

FIELDS = (
    "block_size",
    "objects_per_block",
    "blocks",
    "capacity",
    "in_use",
    "free",
    "small_ints",
    "bytes_reserved",
    "allocations",
    "deallocations",
    "blocks_allocated",
    "blocks_released",
    "peak_blocks",
)


def test_pool_stats_is_an_immutable_record_of_ints():
    s = legacyint.pool_stats()
    assert isinstance(s, PoolStats)
    assert s._fields == FIELDS
    assert list(s._asdict()) == list(FIELDS)
    assert all(type(v) is int for v in s)
    with pytest.raises(AttributeError):
        s.blocks = 0
    assert json.loads(json.dumps(s._asdict())) == s._asdict()


def test_geometry_is_python_2s():
    s = legacyint.pool_stats()
    assert s.objects_per_block == (1000 - 8) // 24 == 41
    assert s.block_size == 8 + 41 * 24 == 992


def test_html_table_for_notebooks():
    html = legacyint.pool_stats()._repr_html_()
    assert html.startswith("<table>") and html.endswith("</table>")
    for field in FIELDS:
        assert f">{field}<" in html


def test_blocks_grow_every_41_objects(pool_consistent):
    legacyint.clear_free_list()
    start = legacyint.pool_stats()
    xs = [LegacyInt(10**6 + i) for i in range(start.free)]
    assert legacyint.pool_stats().blocks == start.blocks
    xs += [LegacyInt(10**6 + i) for i in range(41)]
    s = legacyint.pool_stats()
    assert s.blocks == start.blocks + 1
    assert s.blocks_allocated == start.blocks_allocated + 1
    assert s.peak_blocks >= s.blocks
    del xs


def test_del_keeps_blocks_and_clear_free_list_returns_them(pool_consistent):
    legacyint.clear_free_list()
    start = legacyint.pool_stats()
    xs = [LegacyInt(10**6 + i) for i in range(41 * 100)]
    built = legacyint.pool_stats()
    assert built.blocks >= start.blocks + 99
    del xs
    deleted = legacyint.pool_stats()
    assert deleted.blocks == built.blocks
    assert deleted.free == built.free + 41 * 100
    assert deleted.blocks_released == start.blocks_released

    live = legacyint.clear_free_list()
    cleared = legacyint.pool_stats()
    assert live == cleared.in_use
    assert cleared.blocks == start.blocks
    assert cleared.blocks_released - deleted.blocks_released == built.blocks - start.blocks


def test_clear_free_list_keeps_blocks_with_one_survivor(pool_consistent):
    legacyint.clear_free_list()
    start = legacyint.pool_stats()
    xs = [LegacyInt(10**6 + i) for i in range(41 * 10 + start.free)]
    # One survivor every 41 objects: fragmentation keeps every block alive.
    survivors = xs[::41]
    del xs
    assert legacyint.clear_free_list() == start.in_use + len(survivors)
    s = legacyint.pool_stats()
    assert s.blocks == start.blocks + 10
    assert [int(x) for x in survivors] == [10**6 + 41 * i for i in range(len(survivors))]
    occupancy = legacyint.block_occupancy()
    assert len(occupancy) == s.blocks and sum(occupancy) == s.in_use
    del survivors
    legacyint.clear_free_list()
    assert legacyint.pool_stats().blocks == start.blocks


def test_clear_free_list_with_only_the_cache_left_keeps_seven_blocks():
    code = textwrap.dedent(
        """
        import legacyint
        xs = [legacyint.LegacyInt(i) for i in range(10**6, 10**6 + 100000)]
        del xs
        live = legacyint.clear_free_list()
        s = legacyint.pool_stats()
        print(live, s.blocks, s.in_use, s.free)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["262", "7", "262", "25"]


def test_pool_survives_block_allocation_failure():
    """Out of memory gives MemoryError, and the pool stays consistent and usable."""
    legacyint.clear_free_list()
    start = legacyint.pool_stats()
    legacyint._core._set_block_limit(start.blocks + 2)
    try:
        xs = []
        with pytest.raises(MemoryError):
            for i in range(10**6):
                xs.append(LegacyInt(10**6 + i))
        s = assert_pool_consistent()
        assert s.blocks == start.blocks + 2 and s.free == 0
        assert len(xs) == start.free + 82
        # Errors in the middle of other work leave things consistent too.
        with pytest.raises(MemoryError):
            [LegacyInt(i) for i in range(10**6, 10**6 + 10)]
        assert LegacyInt(7) is LegacyInt(7)  # the cache needs no memory
        del xs[:10]
        reused = [LegacyInt(5 * 10**6 + i) for i in range(10)]
        assert [int(x) for x in reused] == list(range(5 * 10**6, 5 * 10**6 + 10))
    finally:
        legacyint._core._set_block_limit(None)
    del xs, reused
    assert LegacyInt(10**9) == 10**9
    legacyint.clear_free_list()
    assert assert_pool_consistent().blocks == start.blocks


def test_tracemalloc_sees_the_blocks():
    legacyint.clear_free_list()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        xs = [LegacyInt(10**6 + i) for i in range(41 * 200)]
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 200 blocks of 992 bytes through PyMem_Malloc, plus the list.
    assert after - before >= 200 * 992
    assert len(xs) == 41 * 200


def test_malloc_trim_returns_a_bool():
    assert legacyint.malloc_trim() in (True, False)


def test_debug_allocator_finds_no_family_mismatch():
    """python -X dev checks that every block is freed by its own allocator."""
    code = textwrap.dedent(
        """
        import gc, legacyint
        from legacyint import LegacyInt
        class Sub(LegacyInt): pass
        xs = [LegacyInt(i) for i in range(10**6, 10**6 + 50000)]
        ys = [Sub(i) for i in range(1000)]
        del xs[::2]
        legacyint.clear_free_list()
        del xs, ys
        gc.collect()
        legacyint.clear_free_list()
        zs = [LegacyInt(i) for i in range(10**6, 10**6 + 50000)]
        print(legacyint.pool_stats().in_use - 262)
        """
    )
    done = subprocess.run([sys.executable, "-X", "dev", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50000"]


@pytest.mark.parametrize("kind", ["int", "float"])
def test_pool_snapshot_agrees_with_the_counters_and_the_free_list_order(kind):
    """pool_snapshot(): live bits per block agree with block_occupancy, the
    whole free list has `free` distinct slots, none live, and the next
    allocations take its slots in its order (LIFO: the last freed first)."""
    import gc

    make = (lambda v: legacyint.LegacyInt(10**6 + v)) if kind == "int" else (lambda v: legacyint.LegacyFloat(v + 0.5))
    gc.disable()  # a collection would clear (and reorder) the free list midway
    try:
        held = [make(v) for v in range(41 * 5)]
        del held[::4]
        snap = legacyint.pool_snapshot(kind, links=10**6)
        stats = legacyint.pool_stats(kind)
        assert [bin(word).count("1") for word in snap.live] == legacyint.block_occupancy(kind)
        assert len(snap.free_list) == len(set(snap.free_list)) == stats.free
        assert not any(snap.is_live(b, s) for b, s in snap.free_list)
        assert snap.objects_per_block == 41
        taken = [make(v) for v in range(5)]
        after = legacyint.pool_snapshot(kind, links=10**6)
        assert all(after.is_live(b, s) for b, s in snap.free_list[:5])
        assert after.free_list == snap.free_list[5:]
        del taken
    finally:
        gc.enable()
