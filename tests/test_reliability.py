"""Reliability: threads, memory exhaustion, hostile input, interpreter lifecycle.

Each lifecycle case runs in its own interpreter, which must exit 0 and print
what it is expected to print: a crash there is a failed test, not a dead run.
"""

import gc
import math
import operator
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from conftest import assert_pool_consistent
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyint
from legacyint import LONG_MAX, LONG_MIN, LegacyFloat, LegacyInt


def run_python(code, *args, env=None):
    done = subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


# -- threads -----------------------------------------------------------------


def test_eight_threads_and_a_meddler():
    """Creation, arithmetic and frees on 8 threads, objects handed between
    threads through a shared list, while another thread reads the stats,
    clears the free list and collects."""
    stop = threading.Event()
    shared = []
    lock = threading.Lock()
    errors = []
    sys.setswitchinterval(1e-5)  # switch threads as often as possible

    def worker(seed):
        try:
            for round_ in range(300):
                xs = legacyint.range(seed * 10**6, seed * 10**6 + 200)
                ys = [x * 3 + LegacyInt(round_) - 7 for x in xs]
                assert [int(y) for y in ys] == [3 * (seed * 10**6 + i) + round_ - 7 for i in range(200)]
                fs = [x * LegacyFloat(0.5) for x in xs[:50]]
                assert [float(f) for f in fs] == [(seed * 10**6 + i) * 0.5 for i in range(50)]
                ys.extend(fs)
                with lock:
                    shared.append(ys)  # freed by whichever thread pops it
                    if len(shared) > 20:
                        shared.pop(0)
                del xs
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def meddler():
        try:
            while not stop.is_set():
                s = legacyint.pool_stats()
                assert s.in_use + s.free == s.capacity, s
                legacyint.clear_free_list()
                gc.collect()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=worker, args=(i + 1,)) for i in range(8)]
        watcher = threading.Thread(target=meddler)
        watcher.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        watcher.join()
    finally:
        sys.setswitchinterval(0.005)
    assert not errors, errors
    shared.clear()
    legacyint.clear_free_list()
    s = assert_pool_consistent()
    assert sum(legacyint.block_occupancy()) == s.in_use
    legacyint.clear_free_list("float")
    f = legacyint.pool_stats("float")
    assert f.in_use + f.free == f.capacity and sum(legacyint.block_occupancy("float")) == f.in_use


# -- memory exhaustion ---------------------------------------------------------


def test_real_out_of_memory_under_rlimit_as():
    """malloc really fails (RLIMIT_AS): MemoryError, then a usable pool."""
    out = run_python(
        """
        import resource, legacyint
        from legacyint import LegacyInt
        held = []
        with open("/proc/self/status") as f:
            vm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + 64 * 2**20, resource.RLIM_INFINITY))
        try:  # a quarter of a GiB more than the limit allows
            bytearray(256 * 2**20)
        except MemoryError:
            pass
        else:
            print("unenforced")
            raise SystemExit
        try:
            while True:
                held.append(legacyint.range(10**6, 10**6 + 100000))
        except MemoryError:
            pass
        s = legacyint.pool_stats()
        assert s.in_use + s.free == s.capacity, s
        del held
        legacyint.clear_free_list()
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        xs = legacyint.range(10**6, 10**6 + 1000)
        assert xs[-1] == 10**6 + 999
        print("survived", legacyint.pool_stats().peak_blocks > 1000)
        """
    )
    if out.split() == ["unenforced"]:
        # qemu-user keeps RLIMIT_AS from the host process, whose own memory it
        # would limit: under emulation malloc cannot be made to fail so.
        pytest.skip("RLIMIT_AS is not enforced on this process (an emulator's, such as qemu-user)")
    assert out.split() == ["survived", "True"]


# -- hostile input -------------------------------------------------------------


class Raises:
    def __index__(self):
        raise RuntimeError("index says no")

    def __int__(self):
        raise RuntimeError("int says no")


class ReturnsStr:
    def __index__(self):
        return "seven"

    def __int__(self):
        return "seven"


class ReturnsHuge:
    def __index__(self):
        return 10**30

    def __int__(self):
        return 10**30


class ReturnsBoolSubclass:
    def __index__(self):
        return True


class Meddling(LegacyInt):
    def __add__(self, other):
        return "meddled"

    def __index__(self):
        return 3


hostile = st.one_of(
    st.binary(max_size=8),
    st.text(max_size=8),
    st.integers(),
    st.sampled_from([LONG_MAX + 1, LONG_MIN - 1, 10**100, -(10**100)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-0.0, 0.0, math.nan, math.inf, -math.inf, 1e308, 5e-324]),
    st.booleans(),
    st.none(),
    st.complex_numbers(allow_nan=True),
    st.sampled_from([Raises(), ReturnsStr(), ReturnsHuge(), ReturnsBoolSubclass(), object(), [], {}, ()]),
    st.builds(Meddling, st.integers(-1000, 1000)),
    st.builds(LegacyInt, st.integers(LONG_MIN, LONG_MAX)),
)


def _plain(v):
    """What int would be given in place of a LegacyInt operand."""
    return int(v) if isinstance(v, LegacyInt) and type(v) is LegacyInt else v


def _same_outcome(call_legacy, call_int):
    try:
        expected = ("value", call_int())
    except Exception as error:  # noqa: BLE001
        expected = ("error", type(error))
    # The suite makes deprecations errors (pyproject.toml). One that reaches
    # here was not filtered by the test, so the two would be compared by the
    # warning, not by their values: a new CPython's wording to add.
    assert expected[1] is not DeprecationWarning, "a deprecation the test's filterwarnings marks do not match"
    try:
        got = ("value", call_legacy())
    except Exception as error:  # noqa: BLE001
        got = ("error", type(error))
    if expected[0] == "error" or got[0] == "error":
        # Beyond the C long range LegacyInt refuses what int accepts.
        if got[0] == "error" and got[1] is OverflowError and expected[0] == "value":
            assert isinstance(expected[1], int) and not LONG_MIN <= expected[1] <= LONG_MAX
            return
        assert got[0] == expected[0] and got[1] is expected[1], (got, expected)
        return
    assert _equal(got[1], expected[1]), (got, expected)


def _equal(g, e):
    """Equality in which nan equals nan, inside tuples and complexes too."""
    if isinstance(g, LegacyFloat):
        g = float(g)
    if isinstance(e, tuple):
        return isinstance(g, tuple) and len(g) == len(e) and all(map(_equal, g, e))
    if isinstance(e, complex):
        return isinstance(g, complex) and _equal(g.real, e.real) and _equal(g.imag, e.imag)
    if isinstance(e, float) and math.isnan(e):
        return isinstance(g, float) and math.isnan(g)
    return g == e


# __index__/__int__ returning a strict int subclass (a bool) is deprecated, in
# both constructors alike; the wording until 3.14, then 3.15's.
@pytest.mark.filterwarnings("ignore:__index__ returned non-int:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:__int__ returned non-int:DeprecationWarning")
@pytest.mark.filterwarnings(r"ignore:.*\.__(index|int)__\(\) must return an int, not:DeprecationWarning")
@settings(max_examples=400, deadline=None)
@given(hostile, st.one_of(st.none(), st.integers(-3, 40), hostile))
def test_constructor_meets_hostile_input_as_int_does(x, base):
    if base is None:
        _same_outcome(lambda: LegacyInt(x), lambda: int(_plain(x)))
    else:
        _same_outcome(lambda: LegacyInt(x, base), lambda: int(_plain(x), base))
    assert_pool_consistent()


OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
             divmod, operator.lshift, operator.rshift, operator.and_, operator.or_, operator.xor,
             operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None)
@given(st.integers(LONG_MIN, LONG_MAX), hostile, st.sampled_from(OPERATORS), st.booleans())
def test_operators_meet_hostile_operands_as_int_does(a, other, op, reflected):
    # A big left shift or sequence repeat would need memory beyond reason
    # from int itself (gigabytes that -X dev's allocator then fills), so the
    # count is kept small, whichever side and type it comes in.
    if op in (operator.lshift, operator.rshift):
        if reflected and abs(a) > 10**4:
            a %= 100
        elif not reflected and type(other) in (int, LegacyInt) and abs(int(other)) > 10**4:
            other = type(other)(int(other) % 100)
    if op is operator.mul and isinstance(other, (str, bytes, list, tuple)) and abs(a) > 10**4:
        a %= 100
    if isinstance(other, Meddling):
        other_plain = other  # Python asks the subclass first either way
    else:
        other_plain = _plain(other)
    x = LegacyInt(a)
    if reflected:
        _same_outcome(lambda: op(other, x), lambda: op(other_plain, a))
    else:
        _same_outcome(lambda: op(x, other), lambda: op(a, other_plain))
    assert_pool_consistent()


def _plain_f(v):
    """What float would be given in place of a LegacyFloat or LegacyInt operand."""
    if type(v) is LegacyFloat:
        return float(v)
    if type(v) is LegacyInt:
        return int(v)
    return v


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None)
@given(hostile)
def test_float_constructor_meets_hostile_input_as_float_does(x):
    _same_outcome(lambda: float(LegacyFloat(x)), lambda: float(_plain_f(x)))
    f = legacyint.pool_stats("float")
    assert f.in_use + f.free == f.capacity


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), hostile, st.sampled_from(OPERATORS[:7] + OPERATORS[12:]),
       st.booleans())
def test_float_operators_meet_hostile_operands_as_float_does(a, other, op, reflected):
    if isinstance(other, Meddling):
        other_plain = other
    else:
        other_plain = _plain_f(other)
    x = LegacyFloat(a)
    if reflected:
        _same_outcome(lambda: op(other, x), lambda: op(other_plain, a))
    else:
        _same_outcome(lambda: op(x, other), lambda: op(a, other_plain))
    f = legacyint.pool_stats("float")
    assert f.in_use + f.free == f.capacity


def _beyond_c_long(args):
    for a in args:
        try:
            v = operator.index(a)
        except Exception:  # noqa: BLE001 - not an index: range's own error decides
            continue
        if not LONG_MIN <= v <= LONG_MAX:
            return True
    return False


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=300, deadline=None)
@given(st.lists(hostile, min_size=0, max_size=4))
def test_xrange_meets_hostile_arguments_as_range_does(args):
    def first_five(r):
        return [int(v) for _, v in zip(range(5), r)]

    try:
        expected = ("value", first_five(range(*map(_plain, args))))
    except Exception as error:  # noqa: BLE001
        expected = ("error", type(error))
    makers = [legacyint.xrange]
    try:
        small = len(range(*map(_plain, args))) <= 10**5
    except OverflowError:  # more elements than a list can hold
        small = False
    except Exception:  # noqa: BLE001 - range refuses: so must range()
        small = True
    if small:  # a list of billions would really be built
        makers.append(legacyint.range)
    for make in makers:
        try:
            got = ("value", first_five(make(*args)))
        except Exception as error:  # noqa: BLE001
            got = ("error", type(error))
        if expected[0] == "value" and _beyond_c_long(args):
            assert got == ("error", OverflowError)
        else:
            assert got == expected, (make, args, got, expected)
    assert_pool_consistent()


# -- lifecycle -----------------------------------------------------------------


def test_objects_alive_at_exit_cycles_and_atexit():
    out = run_python(
        """
        import atexit, legacyint
        from legacyint import LegacyInt
        keep = legacyint.range(10**6, 10**6 + 5000)
        cycle = [LegacyInt(10**9)]
        cycle.append(cycle)
        holder = {"self": None, "values": legacyint.range(10**7, 10**7 + 100),
                  "floats": [legacyint.LegacyFloat(i / 3) for i in range(100)]}
        holder["self"] = holder
        class Sub(LegacyInt):
            pass
        subs = [Sub(i) for i in range(100)]
        subs.append(subs)
        def at_exit():
            made = [LegacyInt(i) * 2 for i in range(10**6, 10**6 + 1000)]
            print("atexit", int(made[-1]), legacyint.pool_stats().in_use > 5000)
        atexit.register(at_exit)
        del cycle, holder, subs
        print("main done")
        """
    )
    assert out.split() == ["main", "done", "atexit", "2001998", "True"]


def test_gc_collect_during_shutdown_is_safe():
    run_python(
        """
        import gc, legacyint
        class Tricky:
            def __del__(self):
                xs = legacyint.range(10**6, 10**6 + 100)
                legacyint.clear_free_list()
                gc.collect()
        t = Tricky()
        t.me = t
        keep = Tricky()
        """
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_child_allocates_and_exits():
    out = run_python(
        """
        import os, legacyint
        xs = legacyint.range(10**6, 10**6 + 10000)
        before = legacyint.pool_stats()
        pid = os.fork()
        if pid == 0:
            ys = [x + 1 for x in xs]
            del xs
            legacyint.clear_free_list()
            s = legacyint.pool_stats()
            ok = s.in_use + s.free == s.capacity and int(ys[-1]) == 10**6 + 10000
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        after = legacyint.pool_stats()
        print(os.waitstatus_to_exitcode(status), after.blocks == before.blocks, int(xs[-1]))
        """
    )
    assert out.split() == ["0", "True", "1009999"]


def test_fork_child_exits_through_the_interpreter():
    out = run_python(
        """
        import os, sys, legacyint
        xs = legacyint.range(10**6, 10**6 + 1000)
        pid = os.fork()
        if pid == 0:
            zs = legacyint.range(10**6, 10**6 + 50000)
            sys.exit(0)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        """
    )
    assert out.split() == ["0"]


def test_reload_keeps_one_type_and_one_pool():
    out = run_python(
        """
        import importlib, legacyint
        a = legacyint.LegacyInt(10**6)
        blocks = legacyint.pool_stats().blocks
        importlib.reload(legacyint)
        b = legacyint.LegacyInt(10**6)
        print(type(a) is type(b), legacyint.pool_stats().blocks == blocks, legacyint.pool_stats().small_ints)
        """
    )
    assert out.split() == ["True", "True", "262"]


def test_subinterpreter_import_is_refused_cleanly():
    out = run_python(
        """
        import _testcapi
        code = (
            "try:\\n"
            "    import legacyint\\n"
            "except ImportError as e:\\n"
            "    import sys; sys.stdout.write('refused: ' + str(e)[:40] + '\\\\n')\\n"
            "else:\\n"
            "    import sys; sys.stdout.write('imported\\\\n')\\n"
        )
        import sys
        sys.stdout.flush()
        _testcapi.run_in_subinterp(code)
        import legacyint
        print("main", int(legacyint.LegacyInt(5)))
        """
    )
    assert "refused:" in out and out.split()[-2:] == ["main", "5"]


def test_object_new_and_class_assignment_are_refused():
    with pytest.raises(TypeError):
        object.__new__(LegacyInt)

    class A(LegacyInt):
        pass

    class B(LegacyInt):
        __slots__ = ()

    for obj, cls in ((LegacyInt(10**6), B), (B(5), LegacyInt), (A(1), B), (LegacyInt(10**6), A)):
        with pytest.raises(TypeError):
            obj.__class__ = cls
        assert type(obj) is not cls
    if sys.version_info >= (3, 10):  # Py_TPFLAGS_IMMUTABLETYPE is 3.10+
        with pytest.raises(TypeError):
            LegacyInt.__add__ = lambda a, b: 0  # immutable, as int is
