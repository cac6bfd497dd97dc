"""The experiment's vocabulary: its kinds, stages and record fields, and
the checks of its arguments (legacyint.experiment re-exports the public
names)."""

from __future__ import annotations

from typing import Any, Dict

#: Every kind, in the order of the table's columns and the plot's bars.
KINDS = ("int", "py2_int", "legacy", "float", "py2_float", "legacy_float")
#: The kinds that run under this Python 3.
PY3_KINDS = ("int", "legacy", "float", "legacy_float")
#: The kinds that run under a Python 2.7 interpreter.
PY2_KINDS = ("py2_int", "py2_float")
#: Which pool each kind's records report (``pool_stats(POOLS[kind])``); for
#: the Python 2 kinds, which of Python 2's free lists the values live in.
POOLS = {
    "int": "int",
    "legacy": "int",
    "float": "float",
    "legacy_float": "float",
    "py2_int": "int",
    "py2_float": "float",
}
#: Names for tables and legends.
TITLES = {
    "int": "int",
    "legacy": "LegacyInt",
    "float": "float",
    "legacy_float": "LegacyFloat",
    "py2_int": "Python 2.7 int",
    "py2_float": "Python 2.7 float",
}
LEGACY_KINDS = ("legacy", "legacy_float")
STAGES = ("start", "built", "deleted", "rebuilt", "gc_collect", "clear_free_list", "malloc_trim")
#: The stages a Python 2 run records: Python 2.7's full gc.collect() was its
#: clear_free_list, so that stage has no record of its own there.
PY2_STAGES = ("start", "built", "deleted", "rebuilt", "gc_collect", "malloc_trim")
#: The fields of every record, in order; the Python 2 kinds have ``None`` for
#: the pool counters (the fields from ``block_size`` on).
FIELDS = (
    "kind", "stage", "n", "rss", "uss", "elapsed", "container_bytes", "python", "executable",
    "gc_clears_pool", "pool", "block_size", "objects_per_block", "blocks", "capacity", "in_use",
    "free", "small_ints", "bytes_reserved", "allocations", "deallocations", "blocks_allocated",
    "blocks_released", "peak_blocks",
)
POOL_FIELDS = FIELDS[FIELDS.index("block_size"):]

#: The default size: big enough to see, small enough to finish in seconds.
DEFAULT_N = 2_000_000

#: Values start here so that no small-int cache serves them, as in the
#: original experiment (``i + 2**20``).
OFFSET = 2**20

Record = Dict[str, Any]


def _check(n: int, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a non-negative int, not {n!r}")


def _normalized(raw: Record, kind: str) -> Record:
    """A worker's record with every field of :data:`FIELDS`, in order: a
    Python 2 record's missing pool counters become ``None``."""
    if kind in PY2_KINDS:
        return {field: raw.get(field) for field in FIELDS}
    return raw
