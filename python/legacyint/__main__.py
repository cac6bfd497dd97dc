"""``python -m legacyint``: the int-leak experiment, side by side.

Builds a list of N integers, deletes it, builds it again, collects, clears
the pool's free list and trims malloc, once with Python 3 ints and once with
LegacyInts (each in a fresh interpreter), and prints the resident memory
after each stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Dict, List, Optional, Sequence

from . import __version__, experiment

KIND_GROUPS = {
    "both": ("int", "legacy"),
    "floats": ("float", "legacy_float"),
    "all": experiment.KINDS,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m legacyint",
        description=(
            "Replay Python 2's 'memory won't go back' experiment under Python 3. "
            "A list of N integers is built, deleted, built again, collected; then the "
            "LegacyInt pool's free list is cleared and malloc is trimmed. Python 3 ints "
            "give their memory back at 'del'; LegacyInts, like Python 2's ints, keep it "
            "in the pool until its free list is cleared (a full gc.collect() does it, as "
            "in Python 2.6+), and even then RSS falls only after malloc_trim(). "
            "'--kind floats' runs the same with floats."
        ),
        epilog="Example: python -m legacyint --n 10000000   (about 330 MB for LegacyInt)",
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
        "LegacyFloat), 'all', or one of int, legacy, float, legacy_float",
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
        "--gc-keeps-pool",
        action="store_true",
        help="Python 2.5's collector: gc.collect() leaves the pool alone, "
        "so only clear_free_list() gives blocks back (default: Python 2.6+, gc.collect() clears it)",
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


def _summary(records: Sequence[Dict]) -> str:
    lines = []
    for kind in experiment.KINDS:
        stages = {r["stage"]: r for r in records if r["kind"] == kind}
        if not stages or not stages["start"]["n"]:
            continue
        n = stages["start"]["n"]
        grown = stages["built"]["rss"] - stages["start"]["rss"]
        kept = stages["deleted"]["rss"] - stages["start"]["rss"]
        name = experiment.TITLES[kind]
        lines.append(
            f"{name}: {grown / n:.1f} bytes per element built (list included), "
            f"{kept / n:.1f} still held after del"
        )
    first = records[0] if records else None
    if first:
        lines.append(f"N = {first['n']:,}; Python {first['python']} ({first['executable']})")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.plot:
        from . import plot

        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--plot needs matplotlib: pip install 'legacyint[plot]'")
    kinds = KIND_GROUPS.get(args.kind, (args.kind,))
    records: List[Dict] = []
    try:
        for kind in kinds:
            records += experiment.run(
                args.n, kind, progress=not args.quiet, gc_clears_pool=not args.gc_keeps_pool
            )
    except RuntimeError as error:
        print(f"python -m legacyint: {error}", file=sys.stderr)
        return 1
    if args.plot:
        plot.plot_experiment(records).savefig(args.plot, dpi=120)
        if not args.quiet:
            print(f"plot saved to {args.plot}", file=sys.stderr)
    if args.json:
        json.dump(records, sys.stdout, indent=1)
        print()
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    else:
        print(experiment.format_table(records))
        print()
        print(_summary(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
