"""Plots of the experiment and of the pool (``pip install legacyint[plot]``).

Each function returns a matplotlib ``Figure``; pass ``ax=`` to draw into an
Axes of your own figure instead. Figures are made without pyplot, so they
work the same in a script, a test and a notebook.

>>> from legacyint import experiment, plot
>>> records = experiment.run(10_000, "legacy") + experiment.run(10_000, "int")
>>> fig = plot.plot_experiment(records)
>>> fig.axes[0].get_ylabel()
'resident memory (MiB)'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence

from . import experiment

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABELS = {
    "int": "Python 3 int",
    "legacy": "LegacyInt (Python 2 pool)",
    "float": "Python 3 float",
    "legacy_float": "LegacyFloat (Python 2 pool)",
    "py2_int": "Python 2.7 int (real)",
    "py2_float": "Python 2.7 float (real)",
}
COLORS = {
    "int": "#4C72B0",
    "legacy": "#DD8452",
    "float": "#55A868",
    "legacy_float": "#C44E52",
    "py2_int": "#8172B3",
    "py2_float": "#937860",
}


def _figure_and_axes(ax: Optional["Axes"], size: Sequence[float]) -> "tuple[Figure, Axes]":
    if ax is not None:
        figure = ax.get_figure()
        assert figure is not None
        return figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    figure = Figure(figsize=tuple(size), layout="constrained")
    return figure, figure.add_subplot()


#: What each stage did, under its name on the plot.
STAGE_CAPTIONS = {
    "start": "nothing yet",
    "built": "l = [... for i\nin xrange(n)]",
    "deleted": "del l",
    "rebuilt": "l built again",
    "gc_collect": "del l;\ngc.collect()",
    "clear_free_list": "clear_free_list()",
    "malloc_trim": "malloc_trim()",
}


def plot_experiment(
    records: Iterable[Mapping[str, Any]], ax: Optional["Axes"] = None, *, blocks: bool = False
) -> "Figure":
    """Resident memory after each stage of the experiment, one bar per kind,
    each stage named with what it did.

    ``records`` are those of :func:`legacyint.experiment.run` (any kinds,
    Python 2.7's included, in any order). A stage a kind has no record of
    (Python 2.7 has no ``clear_free_list`` of its own) gets no bar, and
    "n/a" where the bar would be, not a bar of zero. With ``blocks=True``
    the pooled kinds' block counts are drawn too, as lines on a second
    axis: that is where Python 2.5's collector (``gc_clears_pool=False``)
    differs, keeping its blocks through ``gc.collect()``.

    >>> from legacyint import experiment, plot
    >>> fig = plot.plot_experiment(experiment.run(10_000, "legacy"))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['LegacyInt (Python 2 pool)']
    """
    by_kind: Dict[str, Dict[str, Mapping[str, Any]]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], {})[record["stage"]] = record
    if not by_kind:
        raise ValueError("no records to plot")
    kinds = [k for k in experiment.KINDS if k in by_kind]
    stages = [s for s in experiment.STAGES if any(s in by_kind[k] for k in kinds)]
    figure, ax = _figure_and_axes(ax, (9, 4.5))
    width = 0.8 / len(kinds)
    for i, kind in enumerate(kinds):
        offset = (i - (len(kinds) - 1) / 2) * width
        shown = [j for j, s in enumerate(stages) if by_kind[kind].get(s, {}).get("rss") is not None]
        heights = [by_kind[kind][stages[j]]["rss"] / 2**20 for j in shown]
        bars = ax.bar([j + offset for j in shown], heights, width, label=LABELS[kind], color=COLORS[kind])
        ax.bar_label(bars, fmt="%.0f", fontsize=8, padding=2)
        for j in set(range(len(stages))) - set(shown):
            ax.annotate("n/a", (j + offset, 0), xytext=(0, 3), textcoords="offset points", rotation=90,
                        ha="center", va="bottom", fontsize=9, color=COLORS[kind])
    ax.set_xticks(range(len(stages)),
                  [f"{s.replace('_', ' ')}\n{STAGE_CAPTIONS.get(s, '')}" for s in stages], fontsize=8)
    ax.set_ylabel("resident memory (MiB)")
    pooled = [k for k in kinds if k in experiment.LEGACY_KINDS]
    if blocks and pooled:
        right = ax.twinx()
        for kind in pooled:
            shown = [j for j, s in enumerate(stages) if by_kind[kind].get(s, {}).get("blocks") is not None]
            counts = [by_kind[kind][stages[j]]["blocks"] for j in shown]
            collector = "2.5" if not next(iter(by_kind[kind].values())).get("gc_clears_pool", True) else "2.6+"
            right.plot(shown, counts, marker="o", color="black", linewidth=1.2, linestyle="--",
                       label=f"{LABELS[kind]}: blocks held (right axis; gc as Python {collector})")
        right.set_ylabel("pool blocks held")
        # Headroom on both axes for the legend, above the bars and the line.
        right.set_ylim(0, 1.5 * max(max((by_kind[k][s].get("blocks") or 0) for s in by_kind[k]) for k in pooled) + 1)
        ax.set_ylim(0, 1.5 * max(r.get("rss") or 0 for k in kinds for r in by_kind[k].values()) / 2**20)
        handles, labels = ax.get_legend_handles_labels()
        more_handles, more_labels = right.get_legend_handles_labels()
        right.legend(handles + more_handles, labels + more_labels, fontsize=8, loc="upper center", ncols=2)
    first = next(iter(by_kind.values()))
    any_record = next(iter(first.values()))
    what = "numbers" if len({experiment.POOLS[k] for k in kinds}) > 1 else (
        "floats" if experiment.POOLS[kinds[0]] == "float" else "integers"
    )
    versions = " and ".join(dict.fromkeys(
        next(iter(by_kind[k].values()))["python"] for k in kinds
    ))
    ax.set_title(f"{any_record['n']:,} {what}, Python {versions}")
    if not (blocks and pooled):
        ax.legend()
        ax.margins(y=0.12)
    return figure


def _block_grid(counts: Sequence[float], columns: int) -> List[List[float]]:
    """Per-block values laid out row by row, oldest block first, ``columns``
    a row; the cells past the last block are NaN (drawn blank)."""
    grid = [[math.nan] * columns for _ in range(max(1, math.ceil(len(counts) / columns)))]
    for i, count in enumerate(counts):
        grid[i // columns][i % columns] = count
    return grid


def _block_ticks(ax: "Axes", columns: int) -> None:
    """Whole blocks only: a row's first block number on the left, the
    column added to it along the bottom."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda row, _: f"{int(row) * columns:,}"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda column, _: f"+{int(column)}"))


def plot_occupancy(
    occupancy: Optional[Sequence[int]] = None,
    ax: Optional["Axes"] = None,
    *,
    columns: Optional[int] = None,
    objects_per_block: int = 41,
    small_int_blocks: Optional[int] = None,
) -> "Figure":
    """A heat map of live objects per block, oldest block first, row by row.

    ``occupancy`` defaults to :func:`legacyint.block_occupancy` now. A block
    with one live object is as dark as a full one would be light: it is the
    fragmentation that keeps memory from going back. The first
    ``small_int_blocks`` blocks (by default, for the int pool read now,
    those that hold the small-int cache, -5..256, alive for good) are
    outlined and labelled.

    >>> from legacyint import plot
    >>> fig = plot.plot_occupancy([41, 41, 3, 0, 17], columns=3)
    >>> fig.axes[0].images[0].get_array().shape
    (2, 3)
    """
    if occupancy is None:
        from . import _core
        from ._stats import pool_stats

        occupancy = _core.block_occupancy()
        if small_int_blocks is None:
            stats = pool_stats()
            small_int_blocks = math.ceil(stats.small_ints / stats.objects_per_block)
    counts: List[float] = [float(c) for c in occupancy]
    n = len(counts)
    columns = columns or max(1, math.ceil(math.sqrt(n)))
    grid = _block_grid(counts, columns)
    figure, ax = _figure_and_axes(ax, (7, 6))
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=objects_per_block, aspect="auto",
                      interpolation="nearest")
    figure.colorbar(image, ax=ax, label="live objects in the block")
    _block_ticks(ax, columns)
    xlabel = f"+ column ({columns} blocks a row)"
    if small_int_blocks:
        from matplotlib.patches import Rectangle

        for i in range(min(small_int_blocks, n)):
            ax.add_patch(Rectangle((i % columns - 0.5, i // columns - 0.5), 1, 1, fill=False,
                                   edgecolor="tab:red", linewidth=1.5))
        xlabel += "\noutlined in red: the small-int cache (-5..256), never freed"
    ax.set_xlabel(xlabel)
    ax.set_ylabel("block number, oldest first")
    live = sum(counts)
    ax.set_title(f"{n:,} blocks, {live:,.0f} live objects ({live / max(1, n * objects_per_block):.0%} full)")
    return figure


def plot_pool(
    snapshot: Optional[Any] = None,
    ax: Optional["Axes"] = None,
    *,
    blocks: Optional[Sequence[int]] = None,
    links: int = 12,
) -> "Figure":
    """A picture of the pool itself: some of its blocks, slot by slot (live
    objects filled, free slots empty), and the free list threaded through
    the free slots, its first ``links`` entries numbered in the order the
    next allocations will take them, each linked to the next by an arrow.

    ``snapshot`` is a :func:`legacyint.pool_snapshot` (by default the int
    pool's, now). ``blocks`` are the block numbers to draw (oldest is 0);
    by default those the first links of the free list run through, and the
    pool's newest block, at most 8.

    >>> import legacyint
    >>> from legacyint import plot
    >>> fig = plot.plot_pool(blocks=[0, 1], links=6)   # the small-int cache's first two
    >>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
    ['block 0', 'block 1']
    >>> len(fig.axes[0].patches) >= 2 * 41                # a square a slot, and the links
    True
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    from ._stats import pool_snapshot

    snap = snapshot if snapshot is not None else pool_snapshot(links=max(links, 1))
    per_block = snap.objects_per_block
    chain = list(snap.free_list[:links])
    if blocks is None:
        chosen = list(dict.fromkeys([b for b, _ in chain] + ([len(snap.live) - 1] if snap.live else [])))
        blocks = sorted(chosen[:8])
    blocks = list(blocks)
    figure, ax = _figure_and_axes(ax, (11, 0.9 + 0.55 * max(1, len(blocks))))
    row_of = {block: row for row, block in enumerate(blocks)}
    for row, block in enumerate(blocks):
        for slot in range(per_block):
            live = snap.is_live(block, slot)
            ax.add_patch(Rectangle((slot, row), 0.9, 0.8, facecolor="tab:blue" if live else "white",
                                   edgecolor="tab:blue" if live else "0.6", linewidth=0.6))
    order = {position: i for i, position in enumerate(chain)}
    centre = {position: (position[1] + 0.45, row_of[position[0]] + 0.4)
              for position in chain if position[0] in row_of}
    for position, i in order.items():
        if position in centre:
            x, y = centre[position]
            ax.text(x, y, str(i + 1), ha="center", va="center", fontsize=7, color="tab:red", fontweight="bold")
    for a, b in zip(chain, chain[1:]):
        if a in centre and b in centre:
            # A hop within a row arcs over the slots it skips; a jump to
            # another block goes straight, so that it stays in the picture.
            bend = 0.3 if a[0] == b[0] and abs(a[1] - b[1]) > 1 else 0.0
            ax.add_patch(FancyArrowPatch(centre[a], centre[b], arrowstyle="-|>", mutation_scale=7,
                                         color="tab:red", linewidth=0.8, shrinkA=5, shrinkB=5,
                                         connectionstyle=f"arc3,rad={bend}"))
    ax.set_xlim(-0.3, per_block + 0.2)
    ax.set_ylim(len(blocks), -0.4)
    ax.set_yticks([row + 0.4 for row in range(len(blocks))], [f"block {b:,}" for b in blocks])
    ticks = list(range(0, per_block, 10))
    ax.set_xticks([t + 0.45 for t in ticks], ["slot 0"] + [str(t) for t in ticks[1:]])
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{len(blocks)} of {len(snap.live):,} blocks: live objects filled, free slots empty; "
                 f"red: the free list's first {len(chain)} slots, in the order the next objects take them",
                 fontsize=9)
    return figure


def plot_blocks_returned(before: Any, after: Any, ax: Optional["Axes"] = None, *,
                         columns: Optional[int] = None) -> "Figure":
    """Which blocks went back to malloc between two
    :func:`legacyint.pool_snapshot` s: the blocks held ``before``, in its
    order (oldest first), coloured by how many objects each holds
    ``after``, and crossed out where the block is gone (given back by
    ``clear_free_list``, or by a full collection).

    >>> import legacyint
    >>> from legacyint import plot
    >>> xs = legacyint.range(10**6, 10**6 + 41 * 4)
    >>> before = legacyint.pool_snapshot()
    >>> del xs; _ = legacyint.clear_free_list()
    >>> after = legacyint.pool_snapshot()
    >>> fig = plot.plot_blocks_returned(before, after)
    >>> gone = len(before.addresses) - len(after.addresses)
    >>> gone >= 4, fig.axes[0].get_title() == f"{gone} of {len(before.addresses)} blocks given back to malloc"
    (True, True)
    """
    import matplotlib

    kept = {address: word for address, word in zip(after.addresses, after.live)}
    n = len(before.addresses)
    columns = columns or max(1, math.ceil(math.sqrt(n)))
    # A block given back has no count: no colour (below), a red cross.
    counts = [float(bin(kept[a]).count("1")) if a in kept else math.nan for a in before.addresses]
    gone = [i for i, a in enumerate(before.addresses) if a not in kept]
    grid = _block_grid(counts, columns)
    figure, ax = _figure_and_axes(ax, (7, 6))
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=before.objects_per_block, aspect="auto",
                      interpolation="nearest")
    figure.colorbar(image, ax=ax, label="live objects in the block, after")
    for i in gone:
        ax.plot(i % columns, i // columns, marker="x", color="tab:red", markersize=min(12, 120 / columns))
    ax.set_xlabel(f"+ column ({columns} blocks a row)\ncrossed out in red: given back to malloc")
    ax.set_ylabel("block number before, oldest first")
    _block_ticks(ax, columns)
    ax.set_title(f"{len(gone):,} of {n:,} blocks given back to malloc")
    return figure


__all__ = ["plot_blocks_returned", "plot_experiment", "plot_occupancy", "plot_pool"]
