"""The Python 3 side's stages, measured in this interpreter: what a
worker (``python -m legacyint.experiment KIND N``) runs, and what
``run(..., fresh_process=False)`` runs here. (The Python 2 side's are
``_py2_stages.py``.)"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any, Callable, List, Optional, Tuple

from ._python2 import PY2_SCRIPT
from ._records import LEGACY_KINDS, OFFSET, POOL_FIELDS, POOLS, PY2_KINDS, Record, _check


def _builder(kind: str) -> Callable[[int], List[Any]]:
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


def _run_here(
    n: int,
    kind: str,
    progress: bool,
    gc_clears_pool: bool = True,
    emit: Optional[Callable[[Record], None]] = None,
) -> List[Record]:
    import psutil

    import legacyint

    previous = legacyint.set_gc_clears_pool(gc_clears_pool)
    try:
        return _stages(n, kind, progress, psutil.Process(), legacyint, emit)
    finally:
        legacyint.set_gc_clears_pool(previous)


def _stages(
    n: int,
    kind: str,
    progress: bool,
    process: Any,
    legacyint: Any,
    emit: Optional[Callable[[Record], None]] = None,
) -> List[Record]:
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
        # Python 3's own int and float have no pool: their records carry no
        # counters (None), as the Python 2 kinds' do, not the LegacyInt
        # pool's, which their run never touched.
        if kind in LEGACY_KINDS:
            record.update(legacyint.pool_stats(POOLS[kind])._asdict())
        else:
            record.update(dict.fromkeys(POOL_FIELDS))
        records.append(record)
        if emit is not None:
            emit(record)
        if progress:
            print(
                f"[{kind}] {stage:<16} rss {memory.rss / 2**20:9.1f} MiB  ({elapsed:.3f} s)",
                file=sys.stderr,
                flush=True,
            )

    def timed(action: Callable[[], Any]) -> Tuple[Any, float]:
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
    ``python -m legacyint.experiment KIND N [--progress] [--gc-keeps-pool]``.
    Prints one JSON record a line, as soon as each stage is measured, so that
    an interrupted run still hands over the stages it did; Ctrl-C ends it
    quietly with exit code 130."""
    kind, n = argv[0], int(argv[1])
    _check(n, kind)
    if kind in PY2_KINDS:
        raise SystemExit(f"{kind} runs under Python 2.7: python2.7 {PY2_SCRIPT} {kind} {n}")

    def emit(record: Record) -> None:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    try:
        _run_here(n, kind, "--progress" in argv[2:], "--gc-keeps-pool" not in argv[2:], emit)
    except KeyboardInterrupt:
        return 130
    return 0
