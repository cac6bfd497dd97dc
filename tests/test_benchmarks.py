"""benchmarks/run.py and benchmarks/scenarios.py run: every scenario gives a
number for LegacyInt, and scenarios.py runs under Python 2.7 for the "py2"
contender. Smoke tests at small N: no timing is asserted here.
"""

import importlib.util
import json
import numbers
import pathlib
import shutil
import subprocess
import sys

import pytest

from legacyint import experiment

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
N = 20_000


def load_runner():
    spec = importlib.util.spec_from_file_location("benchmarks_run", BENCHMARKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = load_runner()
PY2 = experiment.find_python2()  # the one benchmarks/run.py uses too
needs_py2 = pytest.mark.skipif(
    PY2 is None,
    reason="no Python 2.7 on this machine (looked for python2.7 and python2 on PATH and in "
    "$PYENV_ROOT/versions/2.7*): `pyenv install 2.7.18` lets this run",
)

# The loops of issue 14 that Python 2.7 runs as the reference.
PY2_LOOPS = ["list_xrange", "iterate", "sum", "alloc_free"]


def run_benchmark(*args):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_every_scenario_gives_a_number_for_legacyint():
    done = run_benchmark("--quick", "--n", str(N), "--rounds", "1", "--json", "--no-py2")
    result = json.loads(done.stdout)
    assert result["n"] == N
    assert set(result["median"]) == set(runner.SCENARIOS)
    for scenario in runner.SCENARIOS:
        value = result["median"][scenario].get("legacy")
        assert isinstance(value, numbers.Real), (scenario, value)
        assert value >= 0 or scenario == "memory", (scenario, value)  # an RSS delta can dip at small N
    # Python 3's counterpart of each loop runs in the same rounds.
    for scenario in PY2_LOOPS:
        assert isinstance(result["median"][scenario].get("int"), numbers.Real), scenario


def test_scenarios_are_named_in_the_table():
    for scenario in PY2_LOOPS:
        reference, what = runner.SCENARIOS[scenario]
        assert reference == "py2" and what
    assert set(runner.TARGETS) <= set(runner.SCENARIOS)
    done = run_benchmark("--n", str(N), "--rounds", "1", "--no-py2", "--scenario", "bulk_lazy", "--scenario", "sum")
    rows = [line.split()[0] for line in done.stdout.splitlines()[1:] if line and not line.startswith((" ", "N ="))]
    assert rows == ["list_xrange", "sum"]  # bulk_lazy, the earlier name, is list_xrange


@needs_py2
@pytest.mark.parametrize("scenario", PY2_LOOPS + ["bulk", "dealloc", "construct", "add"])
def test_python2_side_of_a_scenario(scenario):
    """scenarios.py under Python 2.7, one-shot, as the py2 contender."""
    done = subprocess.run(
        [PY2, str(BENCHMARKS / "scenarios.py"), scenario, "py2", str(N)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    value = json.loads(done.stdout)["result"]
    assert isinstance(value, numbers.Real) and value >= 0, value


@needs_py2
def test_python2_column_and_ratio_in_one_run():
    """The py2 contender runs in the same rounds, and the ratio to it is reported."""
    args = ["--n", str(N), "--rounds", "1", "--json", "--py2", PY2]
    for scenario in PY2_LOOPS:
        args += ["--scenario", scenario]
    result = json.loads(run_benchmark(*args).stdout)
    for scenario in PY2_LOOPS:
        row = result["median"][scenario]
        assert {"legacy", "int", "py2"} <= set(row), (scenario, row)
        assert result["vs_py2"][scenario] == pytest.approx(row["legacy"] / row["py2"])


needs_valgrind = pytest.mark.skipif(
    shutil.which("valgrind") is None, reason="valgrind is not installed (apt-get install valgrind)"
)


@pytest.mark.slow
@needs_valgrind
def test_callgrind_counts_a_loop_per_element():
    """benchmarks/callgrind.py: one loop under callgrind, LegacyInt and int."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "callgrind.py"), "--n", "5000", "--loop", "iterate"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (row,) = [line.split() for line in done.stdout.splitlines() if line.startswith("iterate")]
    legacy, builtin, ratio = map(float, row[1:4])
    # A pass over 5,000 elements costs each at least its FOR_ITER and STORE_FAST.
    assert legacy > 10 and builtin > 10
    assert ratio == pytest.approx(legacy / builtin, abs=0.01)


@needs_valgrind
def test_callgrind_splits_a_loop_between_legacyint_and_the_interpreter():
    """benchmarks/callgrind.py --split: legacyint's part of a loop is its
    extension's functions (next() and tp_dealloc in `for x in xrange(N)`),
    and the two parts add up to the loop's count."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "callgrind.py"), "--n", "5000", "--loop", "iterate", "--split"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (row,) = [line.split() for line in done.stdout.splitlines() if line.startswith("iterate")]
    total, own, interpreter, builtin = map(float, row[1:5])
    # next() pops a slot and writes a header; tp_dealloc pushes it back.
    assert own >= 15
    assert interpreter >= 20  # FOR_ITER and STORE_FAST at least
    assert total == pytest.approx(own + interpreter, abs=0.2)
    assert builtin > interpreter


def test_callgrind_reads_callgrind_annotate_listings():
    """The breakdown adds a function's recursion levels and the files it was
    inlined from, and names its object where the listing gives it once."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import callgrind
    finally:
        sys.path.remove(str(BENCHMARKS))
    listing = """\
--------------------------------------------------------------------------------
98,750,013 (100.0%)  PROGRAM TOTALS
7,705,566 ( 5.24%)  Python/bytecodes.c:_PyEval_EvalFrameDefault
2,618,521 ( 1.78%)  Python/generated_cases.c.h:_PyEval_EvalFrameDefault'2
285,692 ( 0.19%)  Python/ceval.c:_PyEval_EvalFrameDefault'2 [/usr/lib/libpython3.12.so.1.0]
1,000  ???:0x0000000000035320 [/venv/lib/python3.12/site-packages/legacyint/_core.cpython-312-x86_64-linux-gnu.so]
"""
    costs = callgrind.self_costs(listing)
    assert costs == {
        "_PyEval_EvalFrameDefault [libpython3.12.so.1.0]": 7705566 + 2618521 + 285692,
        "0x0000000000035320 [_core.cpython-312-x86_64-linux-gnu.so]": 1000,
    }
    rows = [(cost, name) for name, cost in costs.items()]
    assert callgrind.split(rows) == (1000, 7705566 + 2618521 + 285692)


def load_by_version():
    spec = importlib.util.spec_from_file_location("benchmarks_by_version", BENCHMARKS / "by_version.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_py2
def test_by_version_tables_show_each_versions_runs_lowest_to_highest():
    # Two runs of this interpreter, given as two "versions" with the runs in
    # either order: each cell is the low-high of its runs' ratios, whatever
    # their order, and each target's verdict covers every run.
    by_version = load_by_version()
    scenarios = ["iterate", "construct"]
    runs = [by_version.measure(sys.executable, sys.executable, N, 1, scenarios) for _ in range(2)]
    table = by_version.format_tables({"A": runs, "B": runs[::-1]}, scenarios)
    panels = [block.splitlines() for block in table.split("\n\n")]
    for panel, index in ((panels[0], 0), (panels[1], 1)):
        assert panel[1].split() == ["scenario", "A", "B"]
        for scenario, line in zip(scenarios, panel[2:]):
            values = sorted(by_version.ratios(r, scenario)[index] for r in runs)
            assert all(isinstance(v, float) and v > 0 for v in values), (scenario, values)
            cells = line.split()[-2:]
            assert cells[0] == cells[1] == by_version.spread(values)
            assert cells[0] in (f"{values[0]:.2f}-{values[-1]:.2f}", f"{values[0]:.2f}")
    verdicts = {line.split()[0]: line.split()[-2:] for line in panels[2][2:]}
    for scenario in scenarios:
        contender, limit = runner.TARGETS[scenario]
        expected = "met" if all(runner.ratio(r, scenario, contender) <= limit for r in runs) else "missed"
        assert verdicts[scenario] == [expected, expected]
