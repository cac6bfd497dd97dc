"""The leak experiment's stages under a real Python 2.7: a worker script.

``python -m legacyint --python2`` (and ``experiment.run(n, "py2_int",
python2=PATH)``) runs this file with a Python 2.7 interpreter::

    python2.7 _py2_stages.py --probe
    python2.7 _py2_stages.py py2_int N [--progress]

It is written in the language Python 2.7 and Python 3 share (the test suite
compiles it under Python 3 and runs it under 2.7) and imports nothing but the
standard library, so it is never imported as part of the package.

``--probe`` prints one JSON object: the interpreter's version, executable and
whether its C library has ``malloc_trim``. A run prints one JSON object a
line, one per stage, as soon as the stage is measured, with the fields of
the Python 3 records that exist under Python 2 (``kind``, ``stage``, ``n``,
``rss``, ``uss``, ``elapsed``, ``container_bytes``, ``python``,
``executable``, ``gc_clears_pool``, ``pool``); the pool counters of
``legacyint.pool_stats()`` have no Python 2 counterpart and are left to the
caller to set to null.

The stages are the Python 3 side's, with the same values (``i + 2**20`` and
``i * 0.5`` over ``xrange(n)``): ``start``, ``built``, ``deleted``,
``rebuilt``, ``gc_collect``, ``malloc_trim``. There is no
``clear_free_list`` stage: Python 2.7 has no separate call for it, its full
``gc.collect()`` already cleared the int and float free lists
(``PyInt_ClearFreeList``, ``PyFloat_ClearFreeList``), so that record is
absent, not invented.

RSS and USS come from psutil when this Python 2 has it, else from
``/proc/self/status`` (VmRSS) and ``/proc/self/smaps_rollup`` (USS: the
private pages); a figure that cannot be read is null.

Exit codes: 0 done, 3 no ``malloc_trim`` in the C library, 130 interrupted
(Ctrl-C: quietly, the stages done so far already written).
"""

from __future__ import division, print_function

import gc
import json
import os
import sys
import time

OFFSET = 2 ** 20
STAGES = ("start", "built", "deleted", "rebuilt", "gc_collect", "malloc_trim")
POOLS = {"py2_int": "int", "py2_float": "float"}
EXIT_NO_MALLOC_TRIM = 3
EXIT_INTERRUPTED = 130

if sys.version_info[0] == 2:
    range_ = xrange  # noqa: F821 - Python 2 only
else:
    range_ = range


def find_malloc_trim():
    """glibc's malloc_trim through ctypes, or None where the C library has none."""
    try:
        import ctypes
        import ctypes.util
    except ImportError:
        return None
    candidates = [None]
    name = ctypes.util.find_library("c")
    if name:
        candidates.append(name)
    for candidate in candidates:
        try:
            trim = getattr(ctypes.CDLL(candidate), "malloc_trim")
        except (OSError, AttributeError):
            continue
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
        return trim
    return None


def _proc_kib(path, keys):
    """The sum of the given ``Key:  N kB`` lines of a /proc file, in bytes,
    or None if the file or the keys are not there."""
    try:
        handle = open(path)
    except (IOError, OSError):
        return None
    total = 0
    found = False
    try:
        for line in handle:
            parts = line.split()
            if parts and parts[0].rstrip(":") in keys:
                total += int(parts[1]) * 1024
                found = True
    finally:
        handle.close()
    if not found:
        return None
    return total


def memory_reader():
    """A function returning (rss, uss) in bytes, now."""
    try:
        import psutil

        process = psutil.Process()

        def with_psutil():
            info = process.memory_full_info()
            return info.rss, getattr(info, "uss", None)

        with_psutil()
        return with_psutil
    except Exception:  # no psutil, or one that cannot read this process
        pass

    def from_proc():
        rss = _proc_kib("/proc/self/status", ("VmRSS",))
        uss = _proc_kib("/proc/self/smaps_rollup", ("Private_Clean", "Private_Dirty", "Private_Hugetlb"))
        return rss, uss

    return from_proc


def builder(kind):
    """The list the experiment builds, as the Python 3 side builds it."""
    if kind == "py2_int":
        return lambda n: [i + OFFSET for i in range_(n)]
    return lambda n: [i * 0.5 for i in range_(n)]


def probe():
    info = {
        "version": list(sys.version_info[:3]),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "malloc_trim": find_malloc_trim() is not None,
    }
    sys.stdout.write(json.dumps(info) + "\n")
    return 0


def run(kind, n, progress):
    trim = find_malloc_trim()
    if trim is None:
        sys.stderr.write("no malloc_trim in this C library (it is glibc's)\n")
        return EXIT_NO_MALLOC_TRIM
    read_memory = memory_reader()
    build = builder(kind)
    python = sys.version.split()[0]

    def measure(stage, elapsed, container=None):
        rss, uss = read_memory()
        record = {
            "kind": kind,
            "stage": stage,
            "n": n,
            "rss": rss,
            "uss": uss,
            "elapsed": elapsed,
            "container_bytes": sys.getsizeof(container) if container is not None else 0,
            "python": python,
            "executable": sys.executable,
            # Python 2.6+'s full collection always cleared the free lists.
            "gc_clears_pool": True,
            "pool": POOLS[kind],
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        if progress:
            rss_mb = "%9.1f" % (rss / 2 ** 20) if rss is not None else "        -"
            sys.stderr.write("[%s] %-16s rss %s MiB  (%.3f s)\n" % (kind, stage, rss_mb, elapsed))
            sys.stderr.flush()

    gc.collect()
    measure("start", 0.0)
    t0 = time.time()
    values = build(n)
    measure("built", time.time() - t0, values)
    t0 = time.time()
    del values
    measure("deleted", time.time() - t0)
    t0 = time.time()
    values = build(n)
    measure("rebuilt", time.time() - t0, values)
    t0 = time.time()
    del values
    gc.collect()
    measure("gc_collect", time.time() - t0)
    t0 = time.time()
    trim(0)
    measure("malloc_trim", time.time() - t0)
    return 0


def main(argv):
    if argv[:1] == ["--probe"]:
        return probe()
    if len(argv) < 2 or argv[0] not in POOLS:
        sys.stderr.write("usage: _py2_stages.py --probe | {py2_int,py2_float} N [--progress]\n")
        return 2
    try:
        return run(argv[0], int(argv[1]), "--progress" in argv[2:])
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
