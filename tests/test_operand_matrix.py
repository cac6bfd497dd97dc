"""The operand matrix (operand_matrix.py) run group by group in a child
process, and a direct regression test for each defect of issue 10.

Each matrix test runs one group of cells in a fresh interpreter: a crash
(segfault, abort, C stack overflow) is a failure naming the cell that was
running and the signal, and the child is started again after that cell (up
to MAX_RESTARTS times) so that one crashing cell does not hide the rest of
the group; the rest of the cells of a crashed cell's shape (operator and
pooled operand types) then run each in a forked child, so that every
crashing cell is named. Every mismatching cell is counted; the first SHOWN are in the
assertion message with the pooled outcome and the twin's.
"""

import math
import operator
import signal
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import assert_pool_consistent

import legacyint
from legacyint import LegacyFloat, LegacyInt

HELPER = Path(__file__).with_name("operand_matrix.py")
GROUPS = ["add_sub_mul", "division", "power", "bitwise", "comparisons", "inplace_arith", "inplace_bitwise",
          "pow3", "unary", "format"]
MAX_RESTARTS = 40
SHOWN = 25
TIMEOUT = 300


def _describe_exit(returncode):
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def _last_progress(path):
    try:
        lines = path.read_text("utf-8", "backslashreplace").splitlines()
    except FileNotFoundError:
        return None
    if not lines:
        return None
    index, cell_shape, name = lines[-1].split("\t", 2)
    return int(index), cell_shape, name


def _cells_in(path):
    try:
        return len(path.read_bytes().splitlines())
    except FileNotFoundError:
        return 0


def run_group(group, workdir):
    """Run one group in child processes; return (counts, crashes, mismatches)."""
    import json

    results = workdir / f"{group}.results.jsonl"
    fork_shapes = workdir / f"{group}.fork_shapes"
    start, crashes, crashed_runs = 0, [], 0
    for attempt in range(MAX_RESTARTS + 1):
        progress = workdir / f"{group}.progress.{attempt}"
        command = [sys.executable, str(HELPER), "--group", group, "--start", str(start),
                   "--progress", str(progress), "--results", str(results), "--fork-shapes", str(fork_shapes)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            last = _last_progress(progress)
            crashes.append(f"{last[2] if last else '?'}: hung (no answer in {TIMEOUT} s)")
            break
        if proc.returncode == 0:
            break
        last = _last_progress(progress)
        crashed_runs += _cells_in(progress) - 1  # the cells this child finished before crashing
        stderr = " | ".join(proc.stderr.strip().splitlines()[-3:])
        if last is None:
            crashes.append(f"(before the first cell): {_describe_exit(proc.returncode)}: {stderr}")
            break
        crashes.append(f"{last[2]}: {_describe_exit(proc.returncode)}" + (f" ({stderr})" if stderr else ""))
        with open(fork_shapes, "a") as f:
            f.write(last[1] + "\n")
        start = last[0] + 1
    else:
        crashes.append(f"... gave up after {MAX_RESTARTS + 1} crashes: the rest of the group did not run")
    counts = {"cells": crashed_runs, "skipped": 0}
    mismatches = []
    if results.exists():
        for line in results.read_text().splitlines():
            record = json.loads(line)
            if record["kind"] == "done":
                counts["cells"] += record["cells"]
                counts["skipped"] += record["skipped"]
            elif record["kind"] == "not_run":
                crashes.append(f"{record['cells']} more cells of shape {record['shape']} not run: "
                               f"{record['crashes']} of its cells crashed in forked children")
            elif record["kind"] == "crash":
                crashes.append(f"{record['cell']}: {record['pooled']} (in a forked child)")
            else:
                mismatches.append(record)
    return counts, crashes, mismatches


@pytest.mark.parametrize("group", GROUPS)
def test_operand_matrix(group, tmp_path):
    counts, crashes, mismatches = run_group(group, tmp_path)
    if not crashes and not mismatches:
        assert counts["cells"] > 0
        return
    lines = [f"group {group}: {counts['cells']} cells checked ({counts['skipped']} skipped as too big for int), "
             f"{len(crashes)} crash(es), {len(mismatches)} mismatching cell(s)"]
    crashes.sort(key=lambda c: "not run" not in c)  # the summaries of what did not run first
    lines += [f"CRASH {c}" for c in crashes[:SHOWN]]
    if len(crashes) > SHOWN:
        lines.append(f"... and {len(crashes) - SHOWN} more crashes")
    for m in mismatches[:SHOWN]:
        lines.append(f"{m['kind'].upper()} {m['cell']}\n    pooled: {m['pooled']}\n    twin:   {m['twin']}")
        if m["kind"] == "methods":
            lines.append(f"    pooled log: {m['pooled_log']}\n    twin log:   {m['twin_log']}")
    if len(mismatches) > SHOWN:
        lines.append(f"... and {len(mismatches) - SHOWN} more")
    pytest.fail("\n".join(lines), pytrace=False)


# -- direct regression tests, one per defect of issue 10 ----------------------

def _child(code):
    """Run code in a fresh interpreter: (returncode, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("expression", [
    "pow(2, 3, LegacyFloat(5.0))",
    "pow(LegacyInt(2), 3, LegacyFloat(5.0))",
    "pow(2.0, 3, LegacyFloat(5.0))",
    "pow(LegacyFloat(2.0), LegacyFloat(3.0), LegacyFloat(5.0))",
    "pow(2, 3, Sub(5.0))",
])
def test_three_argument_pow_with_a_pooled_float_modulus_raises_as_float(expression):
    """Issue 10, item 1: a segmentation fault (C stack overflow)."""
    twin = expression.replace("LegacyFloat", "float").replace("LegacyInt", "int").replace("Sub(", "FSub(")
    code = (
        "from legacyint import LegacyInt, LegacyFloat\n"
        "class Sub(LegacyFloat): pass\n"
        "class FSub(float): pass\n"
        f"def msg(f):\n    try:\n        f()\n    except Exception as e:\n        return type(e).__name__, str(e)\n"
        f"print(msg(lambda: {twin}) == msg(lambda: {expression}))\n"
    )
    returncode, stdout, stderr = _child(code)
    assert returncode == 0, f"{expression}: {_describe_exit(returncode)} {stderr[-300:]}"
    assert stdout.strip() == "True"


@pytest.mark.parametrize("other", [Fraction(1, 2), Decimal("0.5")])
def test_legacy_float_compares_with_fraction_and_decimal_as_float(other):
    """Issue 10, item 2."""
    for x, f in ((LegacyFloat(0.5), 0.5), (LegacyFloat(0.25), 0.25), (LegacyFloat(1.0), 1.0)):
        for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
            assert op(x, other) == op(f, other), (op, x, other)
            assert op(other, x) == op(other, f), (op, other, x)


def test_subclass_reflected_methods_go_first_as_with_int_and_float():
    """Issue 10, item 3."""
    calls = []

    class MyInt(int):
        def __radd__(self, other):
            calls.append(("MyInt.__radd__", type(other).__name__))
            return "mine"

    class MyFloat(float):
        def __radd__(self, other):
            calls.append(("MyFloat.__radd__", type(other).__name__))
            return "mine"

        def __eq__(self, other):
            calls.append(("MyFloat.__eq__", type(other).__name__))
            return "mine-eq"

        __hash__ = float.__hash__

    class MyIntGt(int):
        def __gt__(self, other):
            calls.append(("MyIntGt.__gt__", type(other).__name__))
            return "mine-gt"

    assert 5 + MyInt(3) == "mine"
    assert LegacyInt(5) + MyInt(3) == "mine"
    assert 1.0 + MyFloat(1.5) == "mine"
    assert LegacyFloat(1.0) + MyFloat(1.5) == "mine"
    assert (1.5 == MyFloat(1.5)) == "mine-eq"
    assert (LegacyFloat(1.5) == MyFloat(1.5)) == "mine-eq"
    calls.clear()
    assert (-0.0 < MyIntGt(3)) is True and calls == []
    assert (LegacyFloat(-0.0) < MyIntGt(3)) is True
    assert calls == [], "float compares an int subclass itself: MyIntGt.__gt__ must not run"


@pytest.mark.parametrize("make", [lambda: "a", lambda: [1], lambda: (1,), lambda: b"a"])
def test_in_place_multiply_by_a_sequence(make):
    """Issue 10, item 4."""
    x = 3
    x *= make()
    y = LegacyInt(3)
    y *= make()
    assert y == x
    seq = make()
    seq *= LegacyInt(3)
    assert seq == x


def test_three_argument_pow_with_a_complex_modulus_raises_value_error_as_int():
    """Issue 10, item 5."""
    with pytest.raises(ValueError) as from_int:
        pow(7, 7, 1 + 2j)
    with pytest.raises(ValueError) as from_pooled:
        pow(LegacyInt(7), 7, 1 + 2j)
    assert str(from_pooled.value) == str(from_int.value)


def test_legacy_float_subclass_with_keyword_init():
    """Issue 10, item 6: as float's subclasses, __new__ ignores what __init__ takes."""
    class P(LegacyFloat):
        def __init__(self, x, *, tag=None):
            self.tag = tag

    class Q(float):
        def __init__(self, x, *, tag=None):
            self.tag = tag

    assert Q(1.5, tag=1).tag == 1
    p = P(1.5, tag=1)
    assert p == 1.5 and p.tag == 1 and type(p) is P


def test_legacy_float_getformat():
    """Issue 10, item 6."""
    for kind in ("double", "float"):
        assert LegacyFloat.__getformat__(kind) == float.__getformat__(kind)
    with pytest.raises(ValueError):
        LegacyFloat.__getformat__("long double")


class LISub(LegacyInt):
    pass


class LFSub(LegacyFloat):
    pass


class ISub(int):
    pass


class FSub(float):
    pass


@pytest.mark.parametrize("spec", ["s", "z", "q", "%x", ".2d", "zd"])
@pytest.mark.parametrize("pooled, builtin, builtin_sub", [
    (LegacyInt, int, ISub), (LISub, int, ISub), (LegacyFloat, float, FSub), (LFSub, float, FSub),
])
def test_bad_format_spec_names_the_objects_type(spec, pooled, builtin, builtin_sub):
    """Issue 10, item 6: int's and float's messages name the object's own
    type (a subclass's name for a subclass); the pooled types' must too."""
    def message(value):
        try:
            format(value, spec)
        except ValueError as error:
            return str(error)
        return None

    value = 5 if builtin is int else 1.5
    expected = message(builtin_sub(value))
    got = message(pooled(value))
    if expected is None:
        assert got is None
        return
    assert got is not None
    if f"'{builtin_sub.__name__}'" not in expected:
        assert got == message(builtin(value))  # a message that names no type ('z' with an int on 3.11+)
        return
    if pooled in (LegacyInt, LegacyFloat):
        wanted = {f"'{pooled.__name__}'", f"'legacyint.{pooled.__name__}'"}
    else:
        wanted = {f"'{pooled.__name__}'"}
    assert any(expected.replace(f"'{builtin_sub.__name__}'", name) == got for name in wanted), (got, expected)


def test_pools_consistent_after_the_regressions():
    assert_pool_consistent()
    s = legacyint.pool_stats("float")
    assert s.in_use + s.free == s.capacity
    assert math.isnan(LegacyFloat("nan"))
