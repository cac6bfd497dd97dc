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

from . import experiment

MB = 2**20


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m legacyint",
        description=(
            "Replay Python 2's 'memory won't go back' experiment under Python 3. "
            "A list of N integers is built, deleted, built again, collected; then the "
            "LegacyInt pool's free list is cleared and malloc is trimmed. Python 3 ints "
            "give their memory back at 'del'; LegacyInts, like Python 2's ints, keep it "
            "in the pool until clear_free_list(), and even then RSS falls only after "
            "malloc_trim()."
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
        choices=("both",) + experiment.KINDS,
        default="both",
        help="'int' for Python 3 ints, 'legacy' for LegacyInts, 'both' (default) side by side",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print every record as JSON instead of the table")
    output.add_argument("--csv", action="store_true", help="print every record as CSV instead of the table")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def format_table(records: Sequence[Dict]) -> str:
    """The side-by-side table: stage, RSS of each kind, and the pool's state.

    >>> from legacyint import experiment
    >>> from legacyint.__main__ import format_table
    >>> print(format_table(experiment.run(1000, "legacy", fresh_process=False)).splitlines()[0])
    stage             LegacyInt RSS MB      blocks          free
    """
    by_kind: Dict[str, Dict[str, Dict]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], {})[record["stage"]] = record
    kinds = [k for k in experiment.KINDS if k in by_kind]
    titles = {"int": "int RSS MB", "legacy": "LegacyInt RSS MB"}
    header = f"{'stage':<16}" + "".join(f"{titles[k]:>18}" for k in kinds)
    if "legacy" in by_kind:
        header += f"{'blocks':>12}{'free':>14}"
    lines = [header]
    for stage in experiment.STAGES:
        line = f"{stage:<16}"
        for kind in kinds:
            record = by_kind[kind].get(stage)
            line += f"{record['rss'] / MB:>18.1f}" if record else f"{'-':>18}"
        pool = by_kind.get("legacy", {}).get(stage)
        if pool:
            line += f"{pool['blocks']:>12,}{pool['free']:>14,}"
        lines.append(line)
    return "\n".join(lines)


def _summary(records: Sequence[Dict]) -> str:
    lines = []
    for kind in experiment.KINDS:
        stages = {r["stage"]: r for r in records if r["kind"] == kind}
        if not stages or not stages["start"]["n"]:
            continue
        n = stages["start"]["n"]
        grown = stages["built"]["rss"] - stages["start"]["rss"]
        kept = stages["deleted"]["rss"] - stages["start"]["rss"]
        name = "LegacyInt" if kind == "legacy" else "int"
        lines.append(
            f"{name}: {grown / n:.1f} bytes per element built (list included), "
            f"{kept / n:.1f} still held after del"
        )
    first = records[0] if records else None
    if first:
        lines.append(f"N = {first['n']:,}; Python {first['python']} ({first['executable']})")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    kinds = experiment.KINDS if args.kind == "both" else (args.kind,)
    records: List[Dict] = []
    try:
        for kind in kinds:
            records += experiment.run(args.n, kind, progress=not args.quiet)
    except RuntimeError as error:
        print(f"python -m legacyint: {error}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(records, sys.stdout, indent=1)
        print()
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    else:
        print(format_table(records))
        print()
        print(_summary(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
