"""The benchmark's scenarios, for one interpreter: a worker process.

Runs under Python 3 (contenders legacy, int, float, pyclass) and under
Python 2.7 (contender py2: real Python 2 ints), so it is written in the
language both share. The runner (run.py) talks to it over stdin/stdout, one
JSON object a line: {"scenario": ..., "contender": ..., "n": ...} in, a
result out. Results are nanoseconds per element, except for "memory" (bytes
per object) and "pool_stats" (nanoseconds per call).
"""

from __future__ import division, print_function

import gc
import json
import sys
import time

PY2 = sys.version_info[0] == 2
OFFSET = 1000  # above every small-int cache

if PY2:
    from itertools import izip as zip_  # noqa: F401 - Python 2 only
    range_ = xrange  # noqa: F821 - Python 2 only

    def clock_ns():
        return int(time.time() * 1e9)
else:
    zip_ = zip
    range_ = range
    clock_ns = time.perf_counter_ns


def contender_types(name):
    """(make, build) for a contender: make(x) makes one object from an int x;
    build(n) makes the list of n objects of values OFFSET.. the scenarios use."""
    if name == "legacy":
        import legacyint

        return legacyint.LegacyInt, lambda n: legacyint.range(OFFSET, OFFSET + n)
    if name == "int" or name == "py2":
        if PY2:
            return int, lambda n: range(OFFSET, OFFSET + n)  # a list, in Python 2
        return int, lambda n: list(range(OFFSET, OFFSET + n))
    if name == "float":
        return float, lambda n: [float(i) for i in range_(OFFSET, OFFSET + n)]
    if name == "pyclass":
        from pyclass_int import PyClassInt

        return PyClassInt, lambda n: [PyClassInt(i) for i in range_(OFFSET, OFFSET + n)]
    raise ValueError("unknown contender %r" % (name,))


def construct(name, n):
    """make(x) for each x of a prebuilt list of ints; each result is dropped at
    once, so the pool (or free list) is warm: one allocation and one
    deallocation per element."""
    make, _ = contender_types(name)
    xs = list(range_(OFFSET, OFFSET + n))
    t0 = clock_ns()
    for x in xs:
        make(x)
    return (clock_ns() - t0) / n


def bulk(name, n):
    """A list of n objects in one call: Python 2's range(n), legacyint.range(n),
    Python 3's list(range(n))."""
    _, build = contender_types(name)
    t0 = clock_ns()
    values = build(n)
    elapsed = clock_ns() - t0
    del values
    return elapsed / n


def lazy_range(name):
    """The lazy range a contender iterates: legacyint.xrange, Python 2's
    xrange, Python 3's range; None for contenders that have none."""
    if name == "legacy":
        import legacyint

        return legacyint.xrange
    if name in ("int", "py2"):
        return range_  # xrange under Python 2, range under Python 3
    return None


# The loops measured against Python 2.7, each written once for every interpreter: the loop
# runs in the function's own frame, over locals, with no attribute lookup
# inside it (the lazy range is bound before the clock starts), so that the
# interpreter's loop overhead is of the same kind on both sides. Values start
# at OFFSET, above every small-int cache, so that each one is a new object.


def list_xrange(name, n):
    """list(xrange(n)): one object per next() call, kept in the list."""
    lazy = lazy_range(name)
    if lazy is None:
        return None
    t0 = clock_ns()
    values = list(lazy(OFFSET, OFFSET + n))
    elapsed = clock_ns() - t0
    del values
    return elapsed / n


def iterate(name, n):
    """for x in xrange(n): pass -- each value freed when the next is bound."""
    lazy = lazy_range(name)
    if lazy is None:
        return None
    values = lazy(OFFSET, OFFSET + n)
    t0 = clock_ns()
    for x in values:
        pass
    elapsed = clock_ns() - t0
    return elapsed / n


def sum_(name, n):
    """sum(xrange(n)): the builtin sum over the lazy range."""
    lazy = lazy_range(name)
    if lazy is None:
        return None
    total = sum
    values = lazy(OFFSET, OFFSET + n)
    t0 = clock_ns()
    result = total(values)
    elapsed = clock_ns() - t0
    del result
    return elapsed / n


def alloc_free(name, n):
    """for i in xrange(n): y = i + 1 -- one object made and one freed per
    turn, by the add, on top of the iterator's own."""
    lazy = lazy_range(name)
    if lazy is None:
        return None
    values = lazy(OFFSET, OFFSET + n)
    t0 = clock_ns()
    for i in values:
        y = i + 1  # noqa: F841 - the allocation is the point
    elapsed = clock_ns() - t0
    return elapsed / n


def add(name, n):
    """[a + b for a, b in zip(xs, ys)] with both operands of the contender."""
    _, build = contender_types(name)
    xs, ys = build(n), build(n)
    t0 = clock_ns()
    sums = [a + b for a, b in zip_(xs, ys)]
    elapsed = clock_ns() - t0
    del sums
    return elapsed / n


def dealloc(name, n):
    """del of a list of n objects (the list's only reference)."""
    _, build = contender_types(name)
    values = build(n)
    t0 = clock_ns()
    del values
    return (clock_ns() - t0) / n


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def memory(name, n):
    """Resident bytes per object at n objects, the list itself excluded.
    Meaningful only in a fresh process (run.py starts one for it)."""
    _, build = contender_types(name)
    gc.collect()
    before = rss_bytes()
    values = build(n)
    after = rss_bytes()
    return (after - before - sys.getsizeof(values)) / n


def pool_stats(name, n):
    """legacyint.pool_stats() with n objects alive: nanoseconds per call."""
    if name != "legacy":
        return None
    import legacyint

    _, build = contender_types(name)
    values = build(n)
    calls = 20000
    stats = legacyint.pool_stats
    t0 = clock_ns()
    for _ in range_(calls):
        stats()
    elapsed = clock_ns() - t0
    del values
    return elapsed / calls


def clear(name, n):
    """Releasing the pool after del of n objects: legacyint.clear_free_list(),
    and, under Python 2.7, gc.collect(), which clears its int free list.
    Nanoseconds per freed object."""
    _, build = contender_types(name)
    if name == "legacy":
        import legacyint

        # Release what earlier scenarios left, so that only this one's
        # blocks are counted.
        legacyint.clear_free_list()
    gc.collect()
    values = build(n)
    del values
    if name == "legacy":
        t0 = clock_ns()
        legacyint.clear_free_list()
        return (clock_ns() - t0) / n
    if name == "py2":
        t0 = clock_ns()
        gc.collect()
        return (clock_ns() - t0) / n
    return None


SCENARIOS = {
    "construct": construct,
    "bulk": bulk,
    "list_xrange": list_xrange,
    "iterate": iterate,
    "sum": sum_,
    "alloc_free": alloc_free,
    "add": add,
    "dealloc": dealloc,
    "memory": memory,
    "pool_stats": pool_stats,
    "clear": clear,
}


def serve():
    """Answers one request a line until stdin closes."""
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        try:
            result = SCENARIOS[request["scenario"]](request["contender"], request["n"])
            reply = {"result": result}
        except ImportError as error:
            reply = {"result": None, "missing": str(error)}
        gc.collect()
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 4:  # one-shot: scenarios.py SCENARIO CONTENDER N
        print(json.dumps({"result": SCENARIOS[sys.argv[1]](sys.argv[2], int(sys.argv[3]))}))
    else:
        serve()
