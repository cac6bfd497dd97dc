"""The leak experiment in a few lines, from a script (type-checked with mypy --strict).

    python examples/quickstart.py
"""

from __future__ import annotations

from typing import List

import legacyint
from legacyint import LegacyInt, experiment


def build(n: int) -> List[LegacyInt]:
    """Python 2's ``[i + 2**20 for i in xrange(n)]``: every element from the pool."""
    return legacyint.range(2**20, 2**20 + n)


def main() -> None:
    values = build(1_000_000)
    held = legacyint.pool_stats()
    del values
    freed = legacyint.pool_stats()
    print(f"after del: {freed.blocks:,} blocks still held, {freed.free:,} free slots")
    live = legacyint.clear_free_list()
    print(f"clear_free_list(): {held.blocks - legacyint.pool_stats().blocks:,} blocks back to malloc, {live} alive")
    total: LegacyInt | int = sum(legacyint.xrange(1000), LegacyInt(0))
    print(f"sum of xrange(1000) = {total!r}")
    print(experiment.format_table(experiment.run(200_000, "legacy")))


if __name__ == "__main__":
    main()
