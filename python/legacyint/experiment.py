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

import gc
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

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

#: Peak resident bytes per element of each kind's run, the list included:
#: (VmHWM - RSS at start) / N, measured at N = 10,000,000 on x86-64 Linux
#: with glibc, under CPython 3.11.7 and 2.7.18 (the stages of this module and
#: of ``_py2_stages.py``; the peak is the ``built`` stage, within 0.5%).
#: A Python 3 int or float is 32 bytes of pymalloc plus 8 of list; a pooled
#: object, like a Python 2 one, 24.4 plus malloc's chunk header share, plus 8
#: of list (with its growth's spare slots).
BYTES_PER_ELEMENT = {
    "int": 40.2,
    "float": 40.2,
    "legacy": 32.6,
    "legacy_float": 32.6,
    "py2_int": 32.7,
    "py2_float": 32.7,
}
#: Resident bytes of a fresh worker before it builds anything, from the same
#: measurement (Python 3.11 with legacyint and psutil imported; Python 2.7).
STARTUP_BYTES = {"py3": 15 * 2**20, "py2": 9 * 2**20}

#: Where the Python 2 side's stages live (a script, never imported by Python 3).
PY2_SCRIPT = pathlib.Path(__file__).resolve().with_name("_py2_stages.py")

Record = Dict[str, Any]


class Python2Error(RuntimeError):
    """No usable Python 2.7: none found, not a Python 2.7, no malloc_trim
    there, or its run failed. The message says which, and what to do."""


class ExperimentTooLarge(ValueError):
    """The run's estimated peak memory is more than the memory available
    now (:func:`check_memory`). ``n``, ``kind`` (the kind with the largest
    peak), ``needed`` and ``available`` (bytes) say by how much;
    ``run(..., force=True)`` runs it anyway."""

    def __init__(self, n: int, kind: str, needed: int, available: int) -> None:
        super().__init__(
            f"n={n:,} would need about {_size(needed)} at its peak ({TITLES[kind]}: "
            f"{BYTES_PER_ELEMENT[kind]} bytes per element), and {_size(available)} is available: "
            "use a smaller n, or force=True to run it anyway"
        )
        self.n, self.kind, self.needed, self.available = n, kind, needed, available


def _size(size: float) -> str:
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.0f} MiB"


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run`: the worker interpreter has been stopped;
    ``records`` holds the stages it had measured by then."""

    def __init__(self, records: List[Record]) -> None:
        super().__init__(f"interrupted after {len(records)} stages")
        self.records = records


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


def find_python2(explicit: Optional[str] = None) -> Optional[str]:
    """The path of a working Python 2.7, or ``None`` if there is none.

    With ``explicit`` (a path or a command name), that one, checked (see
    :func:`check_python2`). Otherwise the first that answers as Python 2.7
    of: ``python2.7`` and ``python2`` on ``PATH``, then pyenv's
    ``$PYENV_ROOT/versions/2.7*/bin/python2.7`` (newest first;
    ``PYENV_ROOT`` defaults to ``~/.pyenv``). A pyenv shim that has no 2.7
    selected fails to run and is passed over.

    >>> from legacyint import experiment
    >>> path = experiment.find_python2()
    >>> path is None or "python2" in path
    True
    """
    if explicit is not None:
        return check_python2(explicit)
    for candidate in _python2_candidates():
        try:
            check_python2(candidate)
        except Python2Error:
            continue
        return candidate
    return None


def check_python2(path: str) -> str:
    """``path`` (or the command of that name on ``PATH``) if it is a Python
    2.7 whose C library has ``malloc_trim``; else :class:`Python2Error`,
    with a message that says what is wrong and what to do.

    >>> from legacyint import experiment
    >>> import sys
    >>> experiment.check_python2(sys.executable)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    legacyint.experiment.Python2Error: ... is Python 3..., not Python 2.7: ...
    """
    resolved = path if os.sep in path else (shutil.which(path) or path)
    try:
        done = subprocess.run(
            [resolved, str(PY2_SCRIPT), "--probe"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise Python2Error(f"cannot run {path} ({error}): give --python2 the path of a python2.7 interpreter") from None
    try:
        info = json.loads(done.stdout.strip().splitlines()[-1])
        version = tuple(info["version"])
    except (ValueError, IndexError, KeyError, TypeError):
        # Whatever the program printed is its own business (ls's usage, a
        # shell's complaint): the user needs to know only that it is not one.
        raise Python2Error(
            f"{path} is not a Python 2.7 interpreter (it did not run the Python 2 stages' probe): "
            "give --python2 the path of a python2.7 interpreter"
        ) from None
    if version[:2] != (2, 7):
        raise Python2Error(
            f"{path} is Python {info.get('python', '.'.join(map(str, version)))}, not Python 2.7: "
            "give --python2 the path of a python2.7 interpreter (pyenv install 2.7.18 makes one)"
        )
    if not info.get("malloc_trim"):
        raise Python2Error(
            f"{path}'s C library has no malloc_trim (a glibc function), so the last stage cannot run there: "
            "run the Python 2 side on Linux with glibc, or leave --python2 out"
        )
    return resolved


def estimate_peak_bytes(n: int, kinds: Iterable[str]) -> int:
    """The peak resident memory, in bytes, of running ``kinds`` at ``n``.

    The kinds run one after the other, each in its own interpreter, so the
    peak is the largest of one kind's: its interpreter's start-up size plus
    ``n`` times :data:`BYTES_PER_ELEMENT` (measured peaks, see there).

    >>> from legacyint import experiment
    >>> round(experiment.estimate_peak_bytes(10_000_000, ["legacy", "int"]) / 2**20)
    398
    """
    peaks = [
        STARTUP_BYTES["py2" if kind in PY2_KINDS else "py3"] + n * BYTES_PER_ELEMENT[kind]
        for kind in kinds
    ]
    return int(max(peaks, default=0))


def check_memory(n: int, kinds: Iterable[str]) -> None:
    """Raises :class:`ExperimentTooLarge` if running ``kinds`` at ``n``
    would need more memory at its peak (:func:`estimate_peak_bytes`) than
    is available now (psutil's ``virtual_memory().available``).

    >>> from legacyint import experiment
    >>> experiment.check_memory(1000, ["legacy", "int"])  # a few MiB: fine
    >>> try:
    ...     experiment.check_memory(10**15, ["legacy"])
    ... except experiment.ExperimentTooLarge as e:
    ...     print(e.kind, e.needed > e.available)
    legacy True
    """
    kinds = list(kinds)
    needed = estimate_peak_bytes(n, kinds)
    available = _available_memory()
    if needed > available:
        worst = max(kinds, key=lambda k: BYTES_PER_ELEMENT[k])
        raise ExperimentTooLarge(n, worst, needed, available)


def _available_memory() -> int:
    """Bytes of memory available to a new process now (psutil)."""
    import psutil

    return int(psutil.virtual_memory().available)


def format_table(records: Sequence[Record]) -> str:
    """The side-by-side table: stage, RSS of each kind, and the pool's state.

    One column of resident megabytes per kind (Python 3 int, Python 2.7 int,
    LegacyInt, then the floats), then the pooled kinds' ``blocks`` and
    ``free``. A stage a kind has no record of (Python 2.7's
    ``clear_free_list``, or one an interrupted run did not reach) shows ``-``;
    a stage no kind reached is left out.

    >>> from legacyint import experiment
    >>> print(experiment.format_table(experiment.run(1000, "legacy")).splitlines()[0])
    stage               LegacyInt RSS MB      blocks          free
    """
    by_kind: Dict[str, Dict[str, Record]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], {})[record["stage"]] = record
    kinds = [k for k in KINDS if k in by_kind]
    pooled = [k for k in LEGACY_KINDS if k in by_kind]
    titles = {k: TITLES[k] + " RSS MB" for k in kinds}
    widths = {k: max(20, len(titles[k]) + 3) for k in kinds}
    header = f"{'stage':<16}" + "".join(f"{titles[k]:>{widths[k]}}" for k in kinds)
    for kind in pooled:
        prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
        header += f"{prefix + 'blocks':>{12 + len(prefix)}}{prefix + 'free':>{14 + len(prefix)}}"
    lines = [header]
    for stage in STAGES:
        if not any(stage in by_kind[k] for k in kinds):
            continue
        line = f"{stage:<16}"
        for kind in kinds:
            rss = by_kind[kind].get(stage, {}).get("rss")
            line += f"{rss / 2**20:>{widths[kind]}.1f}" if rss is not None else f"{'-':>{widths[kind]}}"
        for kind in pooled:
            prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
            pool = by_kind[kind].get(stage)
            if pool:
                line += f"{pool['blocks']:>{12 + len(prefix)},}{pool['free']:>{14 + len(prefix)},}"
            else:
                line += f"{'-':>{12 + len(prefix)}}{'-':>{14 + len(prefix)}}"
        lines.append(line)
    return "\n".join(lines)


def _check(n: int, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a non-negative int, not {n!r}")


def _python2_candidates() -> List[str]:
    """Where :func:`find_python2` looks, in order."""
    candidates = [found for found in (shutil.which("python2.7"), shutil.which("python2")) if found]
    root = pathlib.Path(os.environ.get("PYENV_ROOT") or pathlib.Path.home() / ".pyenv")

    def version(path: pathlib.Path) -> List[int]:
        name = path.parent.parent.name
        return [int(part) if part.isdigit() else -1 for part in name.split(".")]

    installed = sorted(root.glob("versions/2.7*/bin/python2.7"), key=version, reverse=True)
    return candidates + [str(path) for path in installed]


def _no_python2_message() -> str:
    root = os.environ.get("PYENV_ROOT") or "~/.pyenv"
    return (
        f"no Python 2.7 found (looked for python2.7 and python2 on PATH and in {root}/versions/2.7*): "
        "install one (pyenv install 2.7.18) or give its path, --python2 /path/to/python2.7"
    )


def _normalized(raw: Record, kind: str) -> Record:
    """A worker's record with every field of :data:`FIELDS`, in order: a
    Python 2 record's missing pool counters become ``None``."""
    if kind in PY2_KINDS:
        return {field: raw.get(field) for field in FIELDS}
    return raw


def _stop(process: "subprocess.Popen[str]") -> None:
    """Ends a worker: SIGTERM, then SIGKILL if it has not gone in 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_worker(command: List[str], kind: str, progress: bool) -> List[Record]:
    """Runs a worker, which prints one JSON record a line as each stage is
    measured. Its progress lines go on to our stderr as they come; anything
    else it says on stderr is kept for the error message if it fails (and
    passed on if it does not)."""
    python2 = kind in PY2_KINDS
    records: List[Record] = []
    kept: List[str] = []
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None and process.stderr is not None
    stderr = process.stderr

    def relay() -> None:
        for line in stderr:
            if line.startswith(f"[{kind}] "):
                if progress:
                    sys.stderr.write(line)
                    sys.stderr.flush()
            else:
                kept.append(line)

    relay_thread = threading.Thread(target=relay, name=f"legacyint-{kind}-stderr", daemon=True)
    relay_thread.start()
    # The records are read off the pipe by a thread of their own, so that a
    # Ctrl-C, which lands in this thread, can never fall between reading a
    # record and keeping it: every line the worker wrote is in `lines`.
    lines: List[str] = []
    stdout = process.stdout

    def read_records() -> None:
        for line in stdout:
            if line.strip():
                lines.append(line)

    reader = threading.Thread(target=read_records, name=f"legacyint-{kind}-stdout", daemon=True)
    reader.start()

    def record(line: str) -> Record:
        try:
            return _normalized(json.loads(line), kind)
        except ValueError:
            error = Python2Error if python2 else RuntimeError
            raise error(
                f"the {'Python 2 ' if python2 else ''}worker `{' '.join(command)}` printed something that is not "
                f"a record: {line.strip()[:200]!r} (is something in its start-up writing to stdout?)"
            ) from None

    try:
        while reader.is_alive() or len(records) < len(lines):
            reader.join(timeout=0.1)
            while len(records) < len(lines):  # a line that is no record stops the run at once
                records.append(record(lines[len(records)]))
        process.wait()
    except KeyboardInterrupt:
        _stop(process)
        # The worker is gone; what it wrote before is still to be read, but
        # not for long: a wrapper's child could hold the pipe open.
        reader.join(timeout=2)
        done: List[Record] = []
        for line in list(lines):
            try:
                done.append(record(line))
            except (Python2Error, RuntimeError):
                break
        raise ExperimentInterrupted(done) from None
    except BaseException:
        _stop(process)
        raise
    finally:
        relay_thread.join(timeout=5)
        if not reader.is_alive():
            stdout.close()
        if not relay_thread.is_alive():
            stderr.close()
    returncode = process.returncode
    if returncode in (130, -signal.SIGINT):  # the worker had Ctrl-C too
        raise ExperimentInterrupted(records)
    said = "".join(kept).rstrip()
    if returncode == 0:
        if said:
            print(said, file=sys.stderr)
        return records
    shown = "; its stderr:\n" + said if said else " and said nothing on stderr"
    if python2:
        raise Python2Error(
            f"the Python 2 run failed (exit code {returncode}; run `{' '.join(command)}` to see it again)" + shown
        )
    raise RuntimeError(f"experiment subprocess {command} failed with exit code {returncode}" + shown)


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
                f"[{kind}] {stage:<16} rss {memory.rss / 2**20:9.1f} MB  ({elapsed:.3f} s)",
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


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
