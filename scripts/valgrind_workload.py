"""What scripts/check-memory runs under valgrind: every path that touches the
pools' memory (ints and floats), at a size valgrind can afford, ending with LegacyInts still
alive at exit (module globals, a reference cycle, an atexit handler)."""

import atexit
import gc
import pickle

import legacyint
from legacyint import LegacyFloat, LegacyInt


class Sub(LegacyInt):
    pass


def workload():
    xs = [LegacyInt(i) for i in range(10**6, 10**6 + 5000)]
    ys = [x * 3 - 7 for x in xs] + [x // 3 for x in xs] + [divmod(x, 7) for x in xs[:500]]
    zs = [LegacyInt(2**62) * 4, -LegacyInt(-(2**63)), xs[0] / 3, xs[1] ** 2]
    subs = [Sub(i) for i in range(2000)]
    for s in subs[:100]:
        s.note = [s]
    assert pickle.loads(pickle.dumps(subs[5])) == 5
    lazy = list(legacyint.xrange(10**6, 10**6 + 3000))
    eager = legacyint.range(10**6, 10**6 + 3000)
    del xs[::2], ys, zs, subs
    legacyint.clear_free_list()  # blocks half full stay, empty ones go
    del xs, lazy
    gc.collect()  # the gc hook clears the free list again
    for bad in ("x", None, 2**64, float("nan")):
        try:
            LegacyInt(bad)
        except (ValueError, TypeError, OverflowError):
            pass
    legacyint._core._set_block_limit(legacyint.pool_stats().blocks)
    try:
        [LegacyInt(i) for i in range(10**6, 10**6 + 10**5)]
    except MemoryError:
        pass
    finally:
        legacyint._core._set_block_limit(None)
    s = legacyint.pool_stats()
    assert s.in_use + s.free == s.capacity
    fs = [LegacyFloat(i) * 0.5 for i in range(5000)] + [LegacyInt(i) * LegacyFloat(1.5) for i in range(2000)]
    gs = [f / 3 - 1 for f in fs] + [divmod(f, 7.0) for f in fs[:300]] + [LegacyFloat(x) for x in ("nan", "-0.0", "1e-310")]
    assert pickle.loads(pickle.dumps(fs[3])) == fs[3] and hash(fs[4]) == hash(2.0)
    del fs[::2], gs
    legacyint.clear_free_list("float")
    legacyint._core._set_block_limit(legacyint.pool_stats("float").blocks, "float")
    try:
        [LegacyFloat(i + 0.5) for i in range(10**5)]
    except MemoryError:
        pass
    finally:
        legacyint._core._set_block_limit(None, "float")
    eager.append(fs)
    return eager


kept_at_exit = workload()
cycle = [LegacyInt(10**9), Sub(10**9), LegacyFloat(0.25)]
cycle.append(cycle)
atexit.register(lambda: legacyint.range(10**6, 10**6 + 100))
print("workload done", legacyint.pool_stats().in_use)
