"""The benchmark on every supported CPython, one table by version.

    python benchmarks/by_version.py                 # 3 runs a version, N = 2,000,000
    python benchmarks/by_version.py --runs 1 --n 500000 --scenario sum
    python benchmarks/by_version.py --callgrind      # instructions, not time

For each interpreter that scripts/pythons lists (CPython 3.11 to 3.15; 3.14
and 3.15 run inside the Debian sid root of scripts/sid), a virtualenv under
.venv-bench/ gets legacyint from the wheels in dist/ (scripts/build-dist
writes them), and benchmarks/run.py runs there, --runs times, each run
interleaving LegacyInt, that version's own int and float and Python 2.7 as
it always does. The tables show, for each scenario with a target, the
ratios within each run: LegacyInt to Python 2.7 (the loops' reference) and
LegacyInt to that version's own int or float, lowest to highest over the
runs, and whether the target held in every run. Versions run one after the
other, never side by side, so that they do not share the machine's cores.

With --callgrind, each version runs benchmarks/callgrind.py --split
instead: the hot loops' instructions per element, split into legacyint's
own code and the interpreter's, beside the version's own int or float and
Python 2.7; one block a loop, one line a version. Counts, not times: the
same on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import run as runner  # noqa: E402 - benchmarks/run.py, beside this file

# scenario -> that version's own builtin it is also compared with.
OWN = {"construct": "float", "bulk": "int", "list_xrange": "int", "iterate": "int", "sum": "int",
       "alloc_free": "int", "add": "int", "dealloc": "int"}


def interpreters() -> List[Tuple[str, str]]:
    """(version, interpreter) pairs from scripts/pythons; a sid interpreter
    is written sid:PATH."""
    out = subprocess.run([str(ROOT / "scripts" / "pythons")], capture_output=True, text=True, check=True).stdout
    return [tuple(line.split(" ", 1)) for line in out.splitlines() if line.strip()]  # type: ignore[misc]


def in_place(python: str, *command: str) -> List[str]:
    """The command line that runs `command` where `python` lives."""
    if python.startswith("sid:"):
        return [str(ROOT / "scripts" / "sid"), *command]
    return list(command)


def prepare(version: str, python: str, wheels: Path) -> str:
    """A virtualenv of `python` with legacyint from `wheels`: its python."""
    venv = ROOT / ".venv-bench" / version
    interpreter = python.split(":", 1)[1] if python.startswith("sid:") else python
    if not (venv / "bin" / "python").exists():
        subprocess.run(in_place(python, interpreter, "-m", "venv", str(venv)), check=True)
    subprocess.run(in_place(python, str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            "--force-reinstall", "--find-links", str(wheels), "--only-binary", "legacyint",
                            "legacyint"), check=True)
    return str(venv / "bin" / "python")


def run_benchmark(python: str, venv_python: str, script: str, *args: str) -> str:
    """What benchmarks/`script` printed, run with `args` by the virtualenv's
    python where `python` lives."""
    command = in_place(python, venv_python, str(HERE / script), *args)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks/{script} failed in {venv_python}:\n{done.stderr[-3000:]}")
    return done.stdout


def measure(python: str, venv_python: str, n: int, rounds: int, scenarios: List[str]) -> Dict:
    args = ["--json", "--n", str(n), "--rounds", str(rounds)]
    for scenario in scenarios:
        args += ["--scenario", scenario]
    return json.loads(run_benchmark(python, venv_python, "run.py", *args))


def ratios(result: Dict, scenario: str) -> Tuple[Optional[float], Optional[float]]:
    """(LegacyInt / Python 2.7, LegacyInt / this version's own builtin)."""
    row = result["median"].get(scenario, {})
    legacy, py2, own = row.get("legacy"), row.get("py2"), row.get(OWN[scenario])
    return (legacy / py2 if legacy and py2 else None, legacy / own if legacy and own else None)


def spread(values: List[Optional[float]]) -> str:
    got = sorted(v for v in values if v is not None)
    if not got:
        return "-"
    return f"{got[0]:.2f}" if len(got) == 1 or f"{got[0]:.2f}" == f"{got[-1]:.2f}" else f"{got[0]:.2f}-{got[-1]:.2f}"


def held(results: List[Dict], scenario: str) -> str:
    """Whether the scenario's target held in every run."""
    contender, limit = runner.TARGETS[scenario]
    values = [runner.ratio(r, scenario, contender) for r in results]
    if any(v is None for v in values):
        return "-"
    return "met" if all(v <= limit for v in values) else "missed"  # type: ignore[operator]


def format_tables(by_version: Dict[str, List[Dict]], scenarios: List[str]) -> str:
    versions = list(by_version)
    lines = []
    for title, index in (("LegacyInt / Python 2.7", 0), ("LegacyInt / this CPython's own int or float", 1)):
        lines.append(title)
        lines.append(f"{'scenario':<20}" + "".join(f"{v:>12}" for v in versions))
        for scenario in scenarios:
            cells = [spread([ratios(r, scenario)[index] for r in by_version[v]]) for v in versions]
            label = scenario + (f" ({OWN[scenario]})" if index else "")
            lines.append(f"{label:<20}" + "".join(f"{c:>12}" for c in cells))
        lines.append("")
    lines.append("targets, in every run")
    lines.append(f"{'scenario':<12}{'target':<20}" + "".join(f"{v:>12}" for v in versions))
    for scenario in scenarios:
        contender, limit = runner.TARGETS[scenario]
        short = {"py2": "Py 2.7"}.get(contender, runner.TITLES[contender])
        lines.append(f"{scenario:<12}{f'<= {limit:.1f}x {short}':<20}"
                     + "".join(f"{held(by_version[v], scenario):>12}" for v in versions))
    runs = {len(r) for r in by_version.values()}
    n = next(iter(by_version.values()))[0]["n"]
    lines.append("")
    lines.append(f"N = {n:,}; {'/'.join(map(str, sorted(runs)))} run(s) a version, each the median of its rounds; "
                 "lowest-highest over the runs")
    for version, results in by_version.items():
        lines.append(f"  {version}: CPython {results[0]['python']}")
    return "\n".join(lines)


def split_by_callgrind(python: str, venv_python: str, n: int, py2: Optional[str]) -> Dict[str, List[str]]:
    """benchmarks/callgrind.py --split's columns in one version: loop ->
    [LegacyInt, legacyint, interpreter, builtin, Python 2.7]."""
    out = run_benchmark(python, venv_python, "callgrind.py", "--split", "--n", str(n), *(["--py2", py2] if py2 else []))
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return {row[0]: row[1:] for row in rows}


def format_callgrind(by_version: Dict[str, Dict[str, List[str]]], n: int) -> str:
    import callgrind  # benchmarks/callgrind.py, beside this file

    lines = [f"instructions per element, N = {n:,} (benchmarks/callgrind.py --split)"]
    for loop, (what, builtin) in callgrind.LOOPS.items():
        py2 = sorted({float(cells[4]) for cells in (v.get(loop, []) for v in by_version.values()) if len(cells) > 4})
        lines.append("")
        # Python 2.7's count is the same in every version's run, but for the
        # few instructions its collector adds now and then.
        said = "" if not py2 else f"{py2[0]:.1f}" if py2[0] == py2[-1] else f"{py2[0]:.1f}-{py2[-1]:.1f}"
        lines.append(f"{loop}: {what}" + (f"; Python 2.7: {said}" if said else ""))
        lines.append(f"{'CPython':<9}{'LegacyInt':>10}{'legacyint':>11}{'interpreter':>13}{builtin:>8}")
        for version, table in by_version.items():
            if loop in table:
                total, own, interpreter, its_own = table[loop][:4]
                lines.append(f"{version:<9}{total:>10}{own:>11}{interpreter:>13}{its_own:>8}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs a version (default 3)")
    parser.add_argument("--n", type=int, default=2_000_000, help="elements per scenario (default 2,000,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds a run, after a warm-up (default 5)")
    parser.add_argument("--wheels", default=str(ROOT / "dist"), help="where legacyint's wheels are (default dist/)")
    parser.add_argument("--version", action="append", help="only this CPython, e.g. 3.14 (repeatable)")
    parser.add_argument("--scenario", action="append", choices=list(runner.TARGETS),
                        help="only this scenario (repeatable)")
    parser.add_argument("--json", action="store_true", help="print every run's result as JSON")
    parser.add_argument("--callgrind", action="store_true",
                        help="instructions per element of the hot loops instead, split (benchmarks/callgrind.py)")
    args = parser.parse_args(argv)
    scenarios = args.scenario or list(runner.TARGETS)
    if args.callgrind:
        from legacyint.experiment import find_python2

        n = 100_000 if args.n == 2_000_000 else args.n
        py2 = find_python2()
        counts = {}
        for version, python in interpreters():
            if not args.version or version in args.version:
                print(f"CPython {version}: callgrind", file=sys.stderr, flush=True)
                counts[version] = split_by_callgrind(python, prepare(version, python, Path(args.wheels).resolve()),
                                                     n, py2)
        print(format_callgrind(counts, n))
        return 0
    by_version: Dict[str, List[Dict]] = {}
    for version, python in interpreters():
        if args.version and version not in args.version:
            continue
        venv_python = prepare(version, python, Path(args.wheels).resolve())
        for k in range(args.runs):
            print(f"CPython {version}: run {k + 1}/{args.runs}", file=sys.stderr, flush=True)
            by_version.setdefault(version, []).append(measure(python, venv_python, args.n, args.rounds, scenarios))
    if not by_version:
        print("no interpreter to run", file=sys.stderr)
        return 1
    if args.json:
        json.dump(by_version, sys.stdout, indent=1)
        print()
    else:
        print(format_tables(by_version, scenarios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
