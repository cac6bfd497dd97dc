"""``python -m legacyint``: the int-leak experiment, side by side.

Builds a list of N integers, deletes it, builds it again, collects, clears
the pool's free list and trims malloc, once with Python 3 ints and once with
LegacyInts (each in a fresh interpreter), with ``--python2`` once more in a
real Python 2.7, and prints the resident memory after each stage.

Everything that can be checked is checked before the work starts: the
``--plot`` path, the run's estimated peak memory against the memory
available (``--force`` overrides), the Python 2.7 interpreter. Ctrl-C stops
the worker interpreters and prints the stages done so far.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import signal
import sys
from typing import Dict, List, Optional, Sequence

from . import __version__, experiment
from ._memory_estimate import _size
from ._python2 import _no_python2_message

PROG = "python -m legacyint"

KIND_GROUPS = {
    "both": ("int", "legacy"),
    "floats": ("float", "legacy_float"),
    "all": experiment.PY3_KINDS,
}
#: The Python 2 kind that goes with each pool, for --python2.
PY2_KIND_OF_POOL = {"int": "py2_int", "float": "py2_float"}


class _Refused(Exception):
    """A request refused before any work, with a one-line reason."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Replay Python 2's 'memory won't go back' experiment under Python 3. "
            "A list of N integers is built, deleted, built again, collected; then the "
            "LegacyInt pool's free list is cleared and malloc is trimmed. Python 3 ints "
            "give their memory back at 'del'; LegacyInts, like Python 2's ints, keep it "
            "in the pool until its free list is cleared (a full gc.collect() does it, as "
            "in Python 2.6+), and even then RSS falls only after malloc_trim(). "
            "'--kind floats' runs the same with floats; '--python2' runs it in a real "
            "Python 2.7 too, in a column of its own."
        ),
        epilog="Example: python -m legacyint --python2 --n 10000000   (about 330 MiB for LegacyInt)",
    )
    parser.add_argument(
        "--n",
        type=_count,
        default=experiment.DEFAULT_N,
        help=f"how many integers to build (default {experiment.DEFAULT_N:,}; "
        "the original experiment used 100,000,000, about 3.3 GB)",
    )
    parser.add_argument(
        "--kind",
        choices=tuple(KIND_GROUPS) + experiment.KINDS,
        default="both",
        help="what to build: 'both' (default: int and LegacyInt side by side), 'floats' (float and "
        "LegacyFloat), 'all', or one of " + ", ".join(experiment.KINDS) + " (py2_* need a Python 2.7)",
    )
    parser.add_argument(
        "--python2",
        nargs="?",
        const="",
        metavar="PATH",
        help="also run it in a real Python 2.7 (its ints, or floats for the float kinds), in a column "
        "of its own; without PATH, the first of python2.7 and python2 on PATH and pyenv's "
        "$PYENV_ROOT/versions/2.7*/bin/python2.7 that works. Python 2.7 has no pool counters "
        "(null in --json/--csv) and no clear_free_list stage: its gc.collect() did that",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print every record as JSON instead of the table")
    output.add_argument("--csv", action="store_true", help="print every record as CSV instead of the table")
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also save a bar chart of resident memory per stage (needs: pip install 'legacyint[plot]')",
    )
    parser.add_argument(
        "--paths",
        action="store_true",
        help="name the interpreters that ran by their paths too, not only by their versions",
    )
    parser.add_argument(
        "--gc-keeps-pool",
        action="store_true",
        help="Python 2.5's collector: gc.collect() leaves the pool alone, "
        "so only clear_free_list() gives blocks back (default: Python 2.6+, gc.collect() clears it; "
        "a --python2 run is Python 2.7's own collector either way)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="run even if the estimated peak memory is more than the memory available",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--version", action="version", version=f"legacyint {__version__}")
    return parser


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _kinds(args: argparse.Namespace) -> List[str]:
    """The kinds to run, in order: the group or kind asked for, plus the
    Python 2 kind of each pool with --python2."""
    kinds = list(KIND_GROUPS.get(args.kind, (args.kind,)))
    if args.python2 is not None:
        for pool in dict.fromkeys(experiment.POOLS[k] for k in kinds):
            if PY2_KIND_OF_POOL[pool] not in kinds:
                kinds.append(PY2_KIND_OF_POOL[pool])
    return kinds


def _check_plot_path(path: str) -> None:
    """Refuses a --plot target that cannot be written, before any work."""
    target = pathlib.Path(path)
    if target.is_dir():
        raise _Refused(f"--plot {path}: that is a directory; give a file name, such as {target / 'experiment.png'}")
    parent = target.parent
    if not parent.exists():
        raise _Refused(f"--plot {path}: the directory {parent} does not exist; create it or choose another path")
    if not parent.is_dir():
        raise _Refused(f"--plot {path}: {parent} is not a directory; choose another path")
    if not os.access(parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise _Refused(f"--plot {path}: no permission to write there; choose another path")
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    suffix = target.suffix.lstrip(".").lower()
    if suffix and suffix not in formats:
        raise _Refused(
            f"--plot {path}: matplotlib cannot write .{suffix} files; end the name with one of "
            + ", ".join("." + name for name in sorted(formats))
        )


def _check_memory(n: int, kinds: Sequence[str]) -> None:
    """Refuses a run whose estimated peak is more than the memory available
    (experiment.check_memory), in the command's own words."""
    try:
        experiment.check_memory(n, kinds)
    except experiment.ExperimentTooLarge as e:
        raise _Refused(
            f"--n {n:,} would need about {_size(e.needed)} at its peak "
            f"({experiment.TITLES[e.kind]}: {experiment.BYTES_PER_ELEMENT[e.kind]} bytes per element), "
            f"and {_size(e.available)} is available: use a smaller --n, or --force to run it anyway"
        ) from None


def _summary(records: Sequence[experiment.Record], paths: bool = False) -> str:
    lines = []
    for kind in experiment.KINDS:
        stages = {r["stage"]: r for r in records if r["kind"] == kind}
        if not {"start", "built", "deleted"} <= set(stages) or not stages["start"]["n"]:
            continue
        if None in (stages[s]["rss"] for s in ("start", "built", "deleted")):
            continue
        n = stages["start"]["n"]
        grown = stages["built"]["rss"] - stages["start"]["rss"]
        kept = stages["deleted"]["rss"] - stages["start"]["rss"]
        name = experiment.TITLES[kind]
        lines.append(
            f"{name}: {grown / n:.1f} bytes per element built (list included), "
            f"{kept / n:.1f} still held after del"
        )
    if records:
        interpreters: Dict[str, str] = {}
        for record in records:
            interpreters.setdefault(record["executable"], record["python"])
        lines.append(
            f"N = {records[0]['n']:,}; "
            + " and ".join(f"Python {version}" + (f" ({path})" if paths else "")
                           for path, version in interpreters.items())
        )
    return "\n".join(lines)


def _print_records(records: List[experiment.Record], args: argparse.Namespace) -> None:
    if not records:
        return
    if args.json:
        json.dump(records, sys.stdout, indent=1)
        print()
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(experiment.FIELDS))
        writer.writeheader()
        writer.writerows(records)
    else:
        print(experiment.format_table(records))
        print()
        print(_summary(records, args.paths))
    sys.stdout.flush()


def _error(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def main(argv: Optional[List[str]] = None) -> int:
    """The command line: ``python -m legacyint [--python2 [PATH]] [--n N] ...``.

    Returns the exit code: 0, 1 if a run failed, 2 if the request was
    refused before any work (a bad --plot path, a run bigger than the memory
    available without --force, no usable Python 2.7), 130 on Ctrl-C (after
    printing the stages done so far).

    >>> from legacyint.__main__ import main
    >>> main(["--n", "1000", "--kind", "legacy", "--quiet"])  # doctest: +ELLIPSIS
    stage              LegacyInt RSS MiB      blocks          free
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    kinds = _kinds(args)
    records: List[experiment.Record] = []
    try:
        if args.plot:
            from . import plot

            try:
                import matplotlib  # noqa: F401
            except ImportError:
                return _error("--plot needs matplotlib: pip install 'legacyint[plot]'", 2)
            _check_plot_path(args.plot)
        if not args.force:
            _check_memory(args.n, kinds)
        python2 = None
        if any(kind in experiment.PY2_KINDS for kind in kinds):
            python2 = experiment.find_python2(args.python2 or None)
            if python2 is None:
                return _error(_no_python2_message(), 2)
            if not args.quiet:
                found = f" at {python2}" if args.paths else " (--paths to say where)"
                print(f"{PROG}: Python 2.7 found{found}", file=sys.stderr)
    except (_Refused, experiment.Python2Error) as refusal:
        return _error(str(refusal), 2)
    except KeyboardInterrupt:
        return _error("interrupted (Ctrl-C) before the first stage", 130)
    try:
        for kind in kinds:
            records += experiment.run(
                args.n,
                kind,
                progress=not args.quiet,
                gc_clears_pool=not args.gc_keeps_pool,
                python2=python2,
                force=True,  # checked above for all the kinds at once, unless --force
            )
    except KeyboardInterrupt as interrupt:
        # A second Ctrl-C must not cut the report of the first one short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        records += getattr(interrupt, "records", [])
        _print_records(records, args)
        done = f"the {len(records)} stages done so far are above" if records else "no stage was done"
        return _error(f"interrupted (Ctrl-C): the worker interpreter was stopped; {done}", 130)
    except RuntimeError as error:
        return _error(str(error), 1)
    if args.plot:
        try:
            plot.plot_experiment(records).savefig(args.plot, dpi=120)
        except (OSError, ValueError) as error:
            _print_records(records, args)
            return _error(f"--plot {args.plot}: cannot save the plot ({error})", 1)
        if not args.quiet:
            print(f"plot saved to {args.plot}", file=sys.stderr)
    _print_records(records, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
