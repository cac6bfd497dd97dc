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

With a Python 2.7 interpreter (``python2=PATH``, or one that
:func:`find_python2` finds), the kinds ``"py2_int"`` and ``"py2_float"`` run
the same stages, with the same values, in real Python 2.7 (the script
``legacyint/_py2_stages.py``). Their records have the same fields; the pool
counters of :func:`legacyint.pool_stats`, which Python 2 did not have, are
``None`` (null in JSON, empty in CSV), and there is no ``clear_free_list``
record: Python 2.7 had no such call apart from its full ``gc.collect()``,
which had already cleared the free lists in the ``gc_collect`` stage.

>>> from legacyint import experiment
>>> records = experiment.run(n=10_000, kind="legacy")
>>> [r["stage"] for r in records]
['start', 'built', 'deleted', 'rebuilt', 'gc_collect', 'clear_free_list', 'malloc_trim']
>>> records[1]["in_use"] - records[0]["in_use"]
10000
"""

from __future__ import annotations

import sys
from typing import List, Optional

from ._memory_estimate import (
    BYTES_PER_ELEMENT,
    STARTUP_BYTES,
    ExperimentTooLarge,
    check_memory,
    estimate_peak_bytes,
)
from ._python2 import PY2_SCRIPT, Python2Error, _no_python2_message, check_python2, find_python2
from ._records import (
    DEFAULT_N,
    FIELDS,
    KINDS,
    LEGACY_KINDS,
    OFFSET,
    POOL_FIELDS,
    POOLS,
    PY2_KINDS,
    PY2_STAGES,
    PY3_KINDS,
    STAGES,
    TITLES,
    Record,
    _check,
)
from ._stages import _run_here, _worker
from ._table import format_table
from ._workers import ExperimentInterrupted, _run_worker

__all__ = [
    "BYTES_PER_ELEMENT",
    "DEFAULT_N",
    "FIELDS",
    "KINDS",
    "LEGACY_KINDS",
    "OFFSET",
    "POOL_FIELDS",
    "POOLS",
    "PY2_KINDS",
    "PY2_SCRIPT",
    "PY2_STAGES",
    "PY3_KINDS",
    "STAGES",
    "STARTUP_BYTES",
    "TITLES",
    "ExperimentInterrupted",
    "ExperimentTooLarge",
    "Python2Error",
    "Record",
    "check_memory",
    "check_python2",
    "estimate_peak_bytes",
    "find_python2",
    "format_table",
    "run",
]

# The public classes say where users find them, in tracebacks and pickles.
for _public in (ExperimentInterrupted, ExperimentTooLarge, Python2Error):
    _public.__module__ = __name__


def run(
    n: int = DEFAULT_N,
    kind: str = "legacy",
    *,
    fresh_process: bool = True,
    progress: bool = False,
    gc_clears_pool: bool = True,
    python2: Optional[str] = None,
    force: bool = False,
) -> List[Record]:
    """Run the experiment for ``n`` objects of ``kind``; one record per stage.

    ``kind`` is ``"legacy"`` (LegacyInts from the pool), ``"int"`` (Python 3
    ints), ``"legacy_float"`` (LegacyFloats from the float pool),
    ``"float"`` (Python 3 floats), or ``"py2_int"`` / ``"py2_float"``: real
    Python 2.7 ints or floats, in the interpreter ``python2`` names (a path
    or a command; found with :func:`find_python2` when ``None``).
    By default the run happens in a fresh
    interpreter (this one's executable), so that one run's pool does not
    pollute the next and RSS starts from a clean process;
    ``fresh_process=False`` runs it here (not for the Python 2 kinds).
    ``progress=True`` prints a line per stage on stderr, for long runs.
    ``gc_clears_pool=False`` runs it with Python 2.5's collector, which left
    the pool alone (see :func:`legacyint.set_gc_clears_pool`); Python 2.7
    itself always cleared its free lists in a full collection, so the
    Python 2 kinds ignore it. A run whose estimated peak memory is more
    than the memory available now raises :class:`ExperimentTooLarge` before
    it starts (:func:`check_memory`); ``force=True`` runs it anyway.

    Every record holds ``kind``, ``stage``, ``n``, ``rss`` and ``uss`` (bytes,
    from psutil; under Python 2 without psutil, from ``/proc/self``),
    ``elapsed`` (seconds the stage's action took),
    ``container_bytes`` (``sys.getsizeof`` of the list, for the stages that
    hold one), ``python`` and ``executable`` (the interpreter that ran it),
    ``gc_clears_pool``, ``pool`` (which pool the counters are of: the int
    pool, or the float pool for the float kinds), and every field of
    :func:`legacyint.pool_stats` for that pool (``None`` for the kinds with
    no pool: Python 3's own int and float, and the Python 2 kinds, which
    have no such counters; the Python 2 kinds also have no
    ``clear_free_list`` record, see :data:`PY2_STAGES`).

    Ctrl-C stops the worker interpreter and raises
    :class:`ExperimentInterrupted` (a ``KeyboardInterrupt``) holding the
    records measured so far. A worker that fails raises ``RuntimeError``
    (:class:`Python2Error` for the Python 2 kinds) with its stderr.

    >>> from legacyint import experiment
    >>> r = experiment.run(n=1000, kind="int", fresh_process=False)
    >>> r[0]["stage"], r[0]["kind"], r[0]["n"]
    ('start', 'int', 1000)
    >>> python2 = experiment.find_python2()
    >>> if python2:  # the same in real Python 2.7, where there is one
    ...     r = experiment.run(n=1000, kind="py2_int", python2=python2)
    ...     assert [x["stage"] for x in r] == list(experiment.PY2_STAGES)
    ...     assert r[0]["python"].startswith("2.7.") and r[0]["blocks"] is None
    """
    _check(n, kind)
    if not force:
        check_memory(n, [kind])
    if kind in PY2_KINDS:
        if not fresh_process:
            raise ValueError(f"{kind!r} runs in a Python 2.7 interpreter: fresh_process=False is for the Python 3 kinds")
        interpreter = check_python2(python2) if python2 is not None else find_python2()
        if interpreter is None:
            raise Python2Error(_no_python2_message())
        command = [interpreter, str(PY2_SCRIPT), kind, str(n)]
    else:
        if not fresh_process:
            return _run_here(n, kind, progress, gc_clears_pool)
        command = [sys.executable, "-m", "legacyint.experiment", kind, str(n)]
        if not gc_clears_pool:
            command.append("--gc-keeps-pool")
    if progress:
        command.append("--progress")
    return _run_worker(command, kind, progress)


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
