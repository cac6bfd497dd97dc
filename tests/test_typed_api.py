"""The public API as a user's typed code sees it; checked with mypy --strict
(./scripts/test) as well as run."""

from __future__ import annotations

from typing import Dict, List

import legacyint
from legacyint import LegacyInt, PoolStats, experiment
from legacyint.testing import PoolProbe


def test_constructors_and_results_are_typed() -> None:
    x: LegacyInt = LegacyInt("ff", base=16)
    y: LegacyInt | int = x + 1
    z: float = x / 2
    as_int: int = int(x)
    values: List[LegacyInt] = legacyint.range(3)
    lazy: legacyint.xrange = legacyint.xrange(0, 10, 2)
    # mypy --strict treats LegacyInt == int as a non-overlapping comparison
    # (they are unrelated classes), so typed code compares int() values.
    assert (int(x), int(y), z, as_int, [int(v) for v in values], len(lazy)) == (255, 256, 127.5, 255, [0, 1, 2], 5)


def test_pool_functions_are_typed() -> None:
    stats: PoolStats = legacyint.pool_stats()
    as_dict: Dict[str, int] = dict(stats._asdict())
    live: int = legacyint.clear_free_list()
    occupancy: List[int] = legacyint.block_occupancy()
    trimmed: bool = legacyint.malloc_trim()
    previous: bool = legacyint.set_gc_clears_pool(True)
    assert as_dict["objects_per_block"] == 41 and live >= 262 and occupancy and trimmed in (True, False)
    assert previous in (True, False)


def test_experiment_and_probe_are_typed() -> None:
    records: List[experiment.Record] = experiment.run(1000, "legacy")
    table: str = experiment.format_table(records)
    probe = PoolProbe()
    with probe.allocates(1) as delta:
        LegacyInt(10**6)
    assert "blocks" in table and delta["allocations"] == 1
