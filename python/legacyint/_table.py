"""The experiment's side-by-side table (legacyint.experiment re-exports it)."""

from __future__ import annotations

from typing import Dict, Sequence

from ._records import KINDS, LEGACY_KINDS, STAGES, TITLES, Record


def format_table(records: Sequence[Record]) -> str:
    """The side-by-side table: stage, RSS of each kind, and the pool's state.

    One column of resident megabytes per kind (Python 3 int, Python 2.7 int,
    LegacyInt, then the floats), then the pooled kinds' ``blocks`` and
    ``free``. A stage a kind has no record of (Python 2.7's
    ``clear_free_list``, or one an interrupted run did not reach) shows ``-``;
    a stage no kind reached is left out.

    >>> from legacyint import experiment
    >>> print(experiment.format_table(experiment.run(1000, "legacy")).splitlines()[0])
    stage              LegacyInt RSS MiB      blocks          free
    """
    by_kind: Dict[str, Dict[str, Record]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], {})[record["stage"]] = record
    kinds = [k for k in KINDS if k in by_kind]
    pooled = [k for k in LEGACY_KINDS if k in by_kind]
    titles = {k: TITLES[k] + " RSS MiB" for k in kinds}
    widths = {k: max(20, len(titles[k]) + 3) for k in kinds}
    header = f"{'stage':<16}" + "".join(f"{titles[k]:>{widths[k]}}" for k in kinds)
    for kind in pooled:
        prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
        header += f"{prefix + 'blocks':>{12 + len(prefix)}}{prefix + 'free':>{14 + len(prefix)}}"
    lines = [header]
    for stage in STAGES:
        if not any(stage in by_kind[k] for k in kinds):
            continue
        line = f"{stage:<16}"
        for kind in kinds:
            rss = by_kind[kind].get(stage, {}).get("rss")
            line += f"{rss / 2**20:>{widths[kind]}.1f}" if rss is not None else f"{'-':>{widths[kind]}}"
        for kind in pooled:
            prefix = "" if len(pooled) == 1 else TITLES[kind] + " "
            pool = by_kind[kind].get(stage)
            if pool:
                line += f"{pool['blocks']:>{12 + len(prefix)},}{pool['free']:>{14 + len(prefix)},}"
            else:
                line += f"{'-':>{12 + len(prefix)}}{'-':>{14 + len(prefix)}}"
        lines.append(line)
    return "\n".join(lines)
