"""The int-leak experiment, in stages, with the memory figures of each.

Python 2's FAQ asked why ``L = range(50*1024*100); del L`` left Python "still
using more than 60 MB". This module replays that experiment under Python 3,
with LegacyInts from the pool (``kind="legacy"``) or plain Python 3 ints
(``kind="int"``), and with floats the same way (``"legacy_float"``, ``"float"``:
``i * 0.5`` in place of ``i + 2**20``), and measures every stage:

========================  ================================================
stage                     what happened just before the measurement
========================  ================================================
``start``                 nothing yet
``built``                 ``l = [i + 2**20 for i in xrange(n)]``
``deleted``               ``del l``
``rebuilt``               the list built again
``gc_collect``            ``del l`` and ``gc.collect()`` (which clears the pool's
                          free list, as in Python 2.6+, unless
                          ``gc_clears_pool=False``)
``clear_free_list``       :func:`legacyint.clear_free_list`
``malloc_trim``           :func:`legacyint.malloc_trim`
========================  ================================================

Each stage gives one record: a plain ``dict`` of ints, floats and strings
that ``json.dumps`` and ``pandas.DataFrame(records)`` take as they are.

>>> from legacyint import experiment
>>> records = experiment.run(n=10_000, kind="legacy")
>>> [r["stage"] for r in records]
['start', 'built', 'deleted', 'rebuilt', 'gc_collect', 'clear_free_list', 'malloc_trim']
>>> records[1]["in_use"] - records[0]["in_use"]
10000
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Sequence

KINDS = ("int", "legacy", "float", "legacy_float")
#: Which pool each kind's records report (``pool_stats(POOLS[kind])``).
POOLS = {"int": "int", "legacy": "int", "float": "float", "legacy_float": "float"}
#: Names for tables and legends.
TITLES = {"int": "int", "legacy": "LegacyInt", "float": "float", "legacy_float": "LegacyFloat"}
LEGACY_KINDS = ("legacy", "legacy_float")
STAGES = ("start", "built", "deleted", "rebuilt", "gc_collect", "clear_free_list", "malloc_trim")

#: The default size: big enough to see, small enough to finish in seconds.
DEFAULT_N = 2_000_000

#: Values start here so that no small-int cache serves them, as in the
#: original experiment (``i + 2**20``).
OFFSET = 2**20

Record = Dict[str, Any]


def run(
    n: int = DEFAULT_N,
    kind: str = "legacy",
    *,
    fresh_process: bool = True,
    progress: bool = False,
    gc_clears_pool: bool = True,
) -> List[Record]:
    """Run the experiment for ``n`` objects of ``kind``; one record per stage.

    ``kind`` is ``"legacy"`` (LegacyInts from the pool), ``"int"`` (Python 3
    ints), ``"legacy_float"`` (LegacyFloats from the float pool) or
    ``"float"`` (Python 3 floats). By default the run happens in a fresh
    interpreter (this one's executable), so that one run's pool does not
    pollute the next and RSS starts from a clean process;
    ``fresh_process=False`` runs it here.
    ``progress=True`` prints a line per stage on stderr, for long runs.
    ``gc_clears_pool=False`` runs it with Python 2.5's collector, which left
    the pool alone (see :func:`legacyint.set_gc_clears_pool`).

    Every record holds ``kind``, ``stage``, ``n``, ``rss`` and ``uss`` (bytes,
    from psutil), ``elapsed`` (seconds the stage's action took),
    ``container_bytes`` (``sys.getsizeof`` of the list, for the stages that
    hold one), ``python`` and ``executable`` (the interpreter that ran it),
    ``gc_clears_pool``, ``pool`` (which pool the counters are of: the int
    pool, or the float pool for the float kinds), and every field of
    :func:`legacyint.pool_stats` for that pool.

    >>> from legacyint import experiment
    >>> r = experiment.run(n=1000, kind="int", fresh_process=False)
    >>> r[0]["stage"], r[0]["kind"], r[0]["n"]
    ('start', 'int', 1000)
    """
    _check(n, kind)
    if not fresh_process:
        return _run_here(n, kind, progress, gc_clears_pool)
    command = [sys.executable, "-m", "legacyint.experiment", kind, str(n)]
    if progress:
        command.append("--progress")
    if not gc_clears_pool:
        command.append("--gc-keeps-pool")
    # stderr is left to the caller's terminal: it carries the progress lines
    # and, if the run fails, the traceback.
    done = subprocess.run(command, stdout=subprocess.PIPE, check=False, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"experiment subprocess {command} failed with exit code {done.returncode}")
    return json.loads(done.stdout)


def format_table(records: Sequence[Record]) -> str:
    """The side-by-side table: stage, RSS of each kind, and the pool's state.

    >>> from legacyint import experiment
    >>> print(experiment.format_table(experiment.run(1000, "legacy")).splitlines()[0])
    stage               LegacyInt RSS MB      blocks          free
    """
    by_kind: Dict[str, Dict[str, Record]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], {})[record["stage"]] = record
    kinds = [k for k in KINDS if k in by_kind]
    pooled = [k for k in LEGACY_KINDS if k in by_kind]
    header = f"{'stage':<16}" + "".join(f"{TITLES[k] + ' RSS MB':>20}" for k in kinds)
    for kind in pooled:
        prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
        header += f"{prefix + 'blocks':>{12 + len(prefix)}}{prefix + 'free':>{14 + len(prefix)}}"
    lines = [header]
    for stage in STAGES:
        line = f"{stage:<16}"
        for kind in kinds:
            record = by_kind[kind].get(stage)
            line += f"{record['rss'] / 2**20:>20.1f}" if record else f"{'-':>20}"
        for kind in pooled:
            prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
            pool = by_kind[kind].get(stage)
            if pool:
                line += f"{pool['blocks']:>{12 + len(prefix)},}{pool['free']:>{14 + len(prefix)},}"
        lines.append(line)
    return "\n".join(lines)


def _check(n: int, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a non-negative int, not {n!r}")


def _builder(kind: str) -> Callable[[int], list]:
    """The original experiment's list: ``[i + 2**20 for i in xrange(n)]``,
    or ``[i * 0.5 for i in xrange(n)]`` for floats.

    With ``legacyint.xrange`` each ``i`` is a LegacyInt, and each sum a
    LegacyInt (each product a LegacyFloat), all from the pools, as under
    Python 2; with the builtin ``range`` they are Python 3 ints and floats.
    """
    from legacyint import LegacyFloat, xrange

    if kind == "legacy":
        return lambda n: [i + OFFSET for i in xrange(n)]
    if kind == "legacy_float":
        half = LegacyFloat(0.5)
        return lambda n: [i * half for i in xrange(n)]
    if kind == "float":
        return lambda n: [i * 0.5 for i in range(n)]
    return lambda n: [i + OFFSET for i in range(n)]


def _run_here(n: int, kind: str, progress: bool, gc_clears_pool: bool = True) -> List[Record]:
    import psutil

    import legacyint

    previous = legacyint.set_gc_clears_pool(gc_clears_pool)
    try:
        return _stages(n, kind, progress, psutil.Process(), legacyint)
    finally:
        legacyint.set_gc_clears_pool(previous)


def _stages(n: int, kind: str, progress: bool, process: Any, legacyint: Any) -> List[Record]:
    build = _builder(kind)
    records: List[Record] = []

    def measure(stage: str, elapsed: float, container: Any = None) -> None:
        memory = process.memory_full_info()
        record: Record = {
            "kind": kind,
            "stage": stage,
            "n": n,
            "rss": memory.rss,
            "uss": memory.uss,
            "elapsed": elapsed,
            "container_bytes": sys.getsizeof(container) if container is not None else 0,
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "gc_clears_pool": legacyint.gc_clears_pool(),
            "pool": POOLS[kind],
        }
        record.update(legacyint.pool_stats(POOLS[kind])._asdict())
        records.append(record)
        if progress:
            print(
                f"[{kind}] {stage:<16} rss {memory.rss / 2**20:9.1f} MB  ({elapsed:.3f} s)",
                file=sys.stderr,
                flush=True,
            )

    def timed(action: Callable[[], Any]) -> tuple:
        t0 = time.perf_counter()
        result = action()
        return result, time.perf_counter() - t0

    gc.collect()
    measure("start", 0.0)
    values, elapsed = timed(lambda: build(n))
    measure("built", elapsed, values)
    t0 = time.perf_counter()
    del values
    measure("deleted", time.perf_counter() - t0)
    values, elapsed = timed(lambda: build(n))
    measure("rebuilt", elapsed, values)
    t0 = time.perf_counter()
    del values
    gc.collect()
    measure("gc_collect", time.perf_counter() - t0)
    _, elapsed = timed(lambda: legacyint.clear_free_list(POOLS[kind]))
    measure("clear_free_list", elapsed)
    _, elapsed = timed(legacyint.malloc_trim)
    measure("malloc_trim", elapsed)
    return records


def _worker(argv: List[str]) -> int:
    """Entry of the fresh process:
    ``python -m legacyint.experiment KIND N [--progress] [--gc-keeps-pool]``."""
    kind, n = argv[0], int(argv[1])
    _check(n, kind)
    records = _run_here(n, kind, "--progress" in argv[2:], "--gc-keeps-pool" not in argv[2:])
    json.dump(records, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
