"""legacyint's benchmark: the pool against int, float, a PyO3 #[pyclass] and
real Python 2.7 ints, scenario by scenario, side by side in one run.

    python benchmarks/run.py            # full run, N = 10,000,000
    python benchmarks/run.py --quick    # N = 1,000,000, under a minute
    python benchmarks/run.py --json     # machine-readable
    python benchmarks/run.py --quick --scenario iterate --scenario sum

Every contender runs every scenario once per round, interleaved, after a
warm-up round; the table shows the median of the rounds (at least 5) in
nanoseconds per element, the ratio of LegacyInt to the scenario's
reference column, the ratio to Python 2.7, and the project's target for the
scenario with whether this run meets it. The loops (list_xrange,
iterate, sum, alloc_free) run as legacyint.xrange, Python 2's xrange and
Python 3's range side by side. These machines are shared and noisy: read the ratios,
which are taken in one run, rather than the absolute figures.

The #[pyclass] contender is built from benchmarks/pyclass_int on request
(--build-pyclass, or `pip install ./benchmarks/pyclass_int`); Python 2.7 is
found with pyenv, or named with --py2.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from legacyint import experiment

HERE = Path(__file__).resolve().parent

# scenario -> (reference contender, what the table says about it). The loops
# (list_xrange .. alloc_free) are measured against Python 2.7
# running the same loop; their Python 3 counterpart (plain range and ints)
# runs in the same rounds, in the int column.
SCENARIOS = {
    "construct": ("float", "C(x) per element of a list of ints, pool warm (int(x), Python 2's too, returns x itself)"),
    "bulk": ("int", "legacyint.range(N) / list(range(N)) / Python 2 range(N)"),
    "list_xrange": ("py2", "list(xrange(N)): legacyint.xrange / Python 2 xrange / Python 3 range"),
    "iterate": ("py2", "for x in xrange(N): pass"),
    "sum": ("py2", "sum(xrange(N)) (Python 2 and 3 keep a C-long accumulator for exact ints)"),
    "alloc_free": ("py2", "for i in xrange(N): y = i + 1, values from 1000 up: one object made and freed a turn"),
    "add": ("int", "[a + b for a, b in zip(xs, ys)]"),
    "dealloc": ("int", "del of a list of N objects"),
    "clear": ("py2", "clear_free_list() after del of N; Python 2: gc.collect()"),
    "pool_stats": (None, "pool_stats() with N objects alive, ns per call"),
    "memory": (None, "RSS bytes per object at N, list excluded (floor: 24)"),
}
# The project's targets: scenario -> (contender, highest ratio LegacyInt / it).
TARGETS = {
    "construct": ("float", 0.8),
    "bulk": ("py2", 0.9),
    "list_xrange": ("py2", 1.0),
    "iterate": ("py2", 1.0),
    "sum": ("py2", 2.0),
    "alloc_free": ("py2", 1.0),
    "add": ("int", 1.0),
    "dealloc": ("py2", 1.0),
}
# Names that earlier runs and notes used.
ALIASES = {"bulk_lazy": "list_xrange"}
CONTENDERS = ["legacy", "int", "float", "pyclass", "py2"]
TITLES = {"legacy": "LegacyInt", "int": "int", "float": "float", "pyclass": "#[pyclass]", "py2": "Python 2.7"}


class Worker:
    """A scenarios.py process serving requests for one interpreter."""

    def __init__(self, python: str):
        self.process = subprocess.Popen(
            [python, str(HERE / "scenarios.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, scenario: str, contender: str, n: int) -> Optional[float]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"scenario": scenario, "contender": contender, "n": n}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker died during {scenario}/{contender}")
        return json.loads(line)["result"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def has_pyclass() -> bool:
    return subprocess.run([sys.executable, "-c", "import pyclass_int"], capture_output=True).returncode == 0


def build_pyclass() -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", str(HERE / "pyclass_int")], check=True)


def one_shot(python: str, scenario: str, contender: str, n: int) -> Optional[float]:
    """A scenario in a fresh process (memory needs a clean start)."""
    out = subprocess.run([python, str(HERE / "scenarios.py"), scenario, contender, str(n)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["result"]


def run(n: int, rounds: int, contenders: Dict[str, str], scenarios: List[str], progress: bool) -> Dict:
    workers = {python: Worker(python) for python in set(contenders.values())}
    samples: Dict[str, Dict[str, List[float]]] = {s: {c: [] for c in contenders} for s in scenarios}
    try:
        for round_ in range(rounds + 1):  # round 0 is the warm-up
            for scenario in scenarios:
                if scenario == "memory":
                    continue
                for contender, python in contenders.items():
                    result = workers[python].ask(scenario, contender, n)
                    if result is not None and round_ > 0:
                        samples[scenario][contender].append(result)
            if progress:
                print(f"round {round_}/{rounds} done", file=sys.stderr, flush=True)
    finally:
        for worker in workers.values():
            worker.close()
    if "memory" in scenarios:
        for contender, python in contenders.items():
            if contender in ("legacy", "int", "float", "py2"):
                samples["memory"][contender] = [one_shot(python, "memory", contender, n)]
    medians = {
        s: {c: statistics.median(v) for c, v in by_contender.items() if v} for s, by_contender in samples.items()
    }
    return {"n": n, "rounds": rounds, "python": sys.version.split()[0], "contenders": contenders,
            "median": medians, "samples": samples}


def ratio(result: Dict, scenario: str, reference: Optional[str] = None) -> Optional[float]:
    """LegacyInt / the scenario's reference column (or the contender named)."""
    if reference is None:
        reference = SCENARIOS[scenario][0]
    row = result["median"].get(scenario, {})
    if reference is None:
        reference_value = 24.0 if scenario == "memory" else None
    else:
        reference_value = row.get(reference)
    if "legacy" not in row or not reference_value:
        return None
    return row["legacy"] / reference_value


def target(result: Dict, scenario: str) -> str:
    """The project's target for the scenario and whether this run meets it."""
    if scenario not in TARGETS:
        return ""
    contender, limit = TARGETS[scenario]
    r = ratio(result, scenario, contender)
    verdict = "-" if r is None else ("met" if r <= limit else "missed")
    short = {"py2": "Py 2.7"}.get(contender, TITLES[contender])
    return f"<= {limit:.1f}x {short} {verdict}"


def format_table(result: Dict) -> str:
    contenders = [c for c in CONTENDERS if c in result["contenders"]]
    header = f"{'scenario':<12}" + "".join(f"{TITLES[c]:>12}" for c in contenders)
    header += f"{'ratio':>9}  {'reference':<23}{'vs Py 2.7':>10}  target"
    lines = [header]
    for scenario, row in result["median"].items():
        line = f"{scenario:<12}"
        for contender in contenders:
            value = row.get(contender)
            line += f"{value:>12.1f}" if value is not None else f"{'-':>12}"
        reference = SCENARIOS[scenario][0]
        if reference == "py2" and "py2" not in row and "int" in row:
            reference = "int"  # run without Python 2.7: Python 3's loop instead
        r = ratio(result, scenario, reference)
        reference = reference or ("24 B" if scenario == "memory" else "")
        if r is not None:
            line += f"{r:>9.2f}  {'LegacyInt / ' + TITLES.get(reference, reference):<23}"
        else:
            line += f"{'':>9}  {'':<23}"
        vs_py2 = ratio(result, scenario, "py2")
        line += f"{vs_py2:>10.2f}" if vs_py2 is not None else f"{'':>10}"
        line += f"  {target(result, scenario)}"
        lines.append(line.rstrip())
    lines.append("")
    lines.append(f"N = {result['n']:,}; median of {result['rounds']} rounds after a warm-up; "
                 f"ns per element (pool_stats: ns per call; memory: bytes per object); Python {result['python']}")
    for scenario, (_, what) in SCENARIOS.items():
        if scenario in result["median"]:
            lines.append(f"  {scenario:<11} {what}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000,000 and 5 rounds: under a minute")
    parser.add_argument("--n", type=int, help="elements per scenario (default 10,000,000; --quick 1,000,000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds, after one warm-up (default 5)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--py2", help="a Python 2.7 interpreter (default: found with pyenv or on PATH)")
    parser.add_argument("--no-py2", action="store_true", help="leave Python 2.7 out")
    parser.add_argument("--build-pyclass", action="store_true", help="build the #[pyclass] contender first")
    parser.add_argument("--scenario", action="append", choices=[*SCENARIOS, *ALIASES],
                        help="run only this one (repeatable)")
    args = parser.parse_args(argv)
    scenarios = list(dict.fromkeys(ALIASES.get(s, s) for s in args.scenario)) if args.scenario else list(SCENARIOS)
    n = args.n or (1_000_000 if args.quick else 10_000_000)
    if args.build_pyclass:
        build_pyclass()
    contenders = {"legacy": sys.executable, "int": sys.executable, "float": sys.executable}
    if has_pyclass():
        contenders["pyclass"] = sys.executable
    else:
        print("#[pyclass] contender not installed: add --build-pyclass to build it", file=sys.stderr)
    python2 = None if args.no_py2 else experiment.find_python2(args.py2)
    if python2:
        contenders["py2"] = python2
    elif not args.no_py2:
        print("no Python 2.7 found: --py2 PATH names one", file=sys.stderr)
    result = run(n, max(args.rounds, 1), contenders, scenarios, progress=not args.json)
    if args.json:
        result["ratio"] = {s: ratio(result, s) for s in result["median"]}
        result["vs_py2"] = {s: ratio(result, s, "py2") for s in result["median"]}
        result["target"] = {s: target(result, s) for s in result["median"] if s in TARGETS}
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
