"""legacyint's benchmark: the pool against int, float, a PyO3 #[pyclass] and
real Python 2.7 ints, scenario by scenario, side by side in one run.

    python benchmarks/run.py            # full run, N = 10,000,000
    python benchmarks/run.py --quick    # N = 1,000,000, under a minute
    python benchmarks/run.py --json     # machine-readable

Every contender runs every scenario once per round, interleaved, after a
warm-up round; the table shows the median of the rounds (at least 5) in
nanoseconds per element, and the ratio of LegacyInt to the scenario's
reference column. These machines are shared and noisy: read the ratios,
which are taken in one run, rather than the absolute figures.

The #[pyclass] contender is built from benchmarks/pyclass_int on request
(--build-pyclass, or `pip install ./benchmarks/pyclass_int`); Python 2.7 is
found with pyenv, or named with --py2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent

# scenario -> (reference contender, what the table says about it)
SCENARIOS = {
    "construct": ("float", "C(x) per element of a list of ints, pool warm (int(x), Python 2's too, returns x itself)"),
    "bulk": ("int", "legacyint.range(N) / list(range(N)) / Python 2 range(N)"),
    "bulk_lazy": ("int", "list(xrange(N)) / list(range(N))"),
    "add": ("int", "[a + b for a, b in zip(xs, ys)]"),
    "dealloc": ("int", "del of a list of N objects"),
    "clear": ("py2", "clear_free_list() after del of N; Python 2: gc.collect()"),
    "pool_stats": (None, "pool_stats() with N objects alive, ns per call"),
    "memory": (None, "RSS bytes per object at N, list excluded (floor: 24)"),
}
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


def find_python2(explicit: Optional[str]) -> Optional[str]:
    if explicit:
        return explicit
    candidates = [shutil.which("python2.7"), shutil.which("python2")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/2.7*/bin/python2.7"))
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "-c", "import sys; assert sys.version_info[0] == 2"],
                                        capture_output=True).returncode == 0:
            return candidate
    return None


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


def ratio(result: Dict, scenario: str) -> Optional[float]:
    reference, _ = SCENARIOS[scenario]
    row = result["median"].get(scenario, {})
    if reference is None:
        reference_value = 24.0 if scenario == "memory" else None
    else:
        reference_value = row.get(reference)
    if "legacy" not in row or not reference_value:
        return None
    return row["legacy"] / reference_value


def format_table(result: Dict) -> str:
    contenders = [c for c in CONTENDERS if c in result["contenders"]]
    header = f"{'scenario':<12}" + "".join(f"{TITLES[c]:>12}" for c in contenders)
    header += f"{'ratio':>9}  {'reference':<18}{'vs Py 2.7':>10}"
    lines = [header]
    for scenario, row in result["median"].items():
        line = f"{scenario:<12}"
        for contender in contenders:
            value = row.get(contender)
            line += f"{value:>12.1f}" if value is not None else f"{'-':>12}"
        r = ratio(result, scenario)
        reference = SCENARIOS[scenario][0] or ("24 B" if scenario == "memory" else "")
        if r is not None:
            line += f"{r:>9.2f}  {'LegacyInt / ' + TITLES.get(reference, reference):<18}"
        else:
            line += f"{'':>9}  {'':<18}"
        if reference != "py2" and row.get("py2") and "legacy" in row:
            line += f"{row['legacy'] / row['py2']:>10.2f}"
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
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), help="run only these")
    args = parser.parse_args(argv)
    n = args.n or (1_000_000 if args.quick else 10_000_000)
    if args.build_pyclass:
        build_pyclass()
    contenders = {"legacy": sys.executable, "int": sys.executable, "float": sys.executable}
    if has_pyclass():
        contenders["pyclass"] = sys.executable
    else:
        print("#[pyclass] contender not installed: add --build-pyclass to build it", file=sys.stderr)
    python2 = None if args.no_py2 else find_python2(args.py2)
    if python2:
        contenders["py2"] = python2
    elif not args.no_py2:
        print("no Python 2.7 found: --py2 PATH names one", file=sys.stderr)
    result = run(n, max(args.rounds, 1), contenders, args.scenario or list(SCENARIOS), progress=not args.json)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
