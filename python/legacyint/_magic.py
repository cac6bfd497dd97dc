"""The notebook magic: ``%load_ext legacyint``, then ``%%pool`` above a cell
shows what the cell did to both pools, and ``%pool`` alone shows them now.

IPython is imported here only, when a notebook loads the extension: it is no
dependency of the package.

>>> from legacyint._magic import PoolReport, pool_changes
>>> import legacyint
>>> before = PoolReport.now()
>>> xs = legacyint.range(10**6, 10**6 + 1000)
>>> change = pool_changes(before, PoolReport.now())
>>> change.rows["int"]["made"], change.rows["int"]["live"]
(1000, 1000)
"""

from __future__ import annotations

import html
import math
from typing import Any, Dict, List, Optional, Tuple

from ._stats import PoolSnapshot, PoolStats, pool_snapshot, pool_stats

KINDS = ("int", "float")
TITLES = {"int": "LegacyInt pool", "float": "LegacyFloat pool"}
MIB = 2**20


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


class PoolReport:
    """Both pools' counters and the process's resident memory, at one moment
    (``changes=False``) or as the difference between two (``changes=True``):
    what ``%pool`` and ``%%pool`` display, as an HTML table in a notebook and
    as text elsewhere. ``rows[kind]`` holds the figures by name."""

    def __init__(self, rows: Dict[str, Dict[str, int]], rss: int, changes: bool) -> None:
        self.rows, self.rss, self.changes = rows, rss, changes
        self.figures: List[Any] = []
        self.stats: Dict[str, PoolStats] = {}

    @classmethod
    def now(cls) -> "PoolReport":
        """The state of both pools now (``%pool``)."""
        stats = {kind: pool_stats(kind) for kind in KINDS}
        report = cls({kind: _state(s) for kind, s in stats.items()}, _rss(), changes=False)
        report.stats = stats
        return report

    def _columns(self) -> List[Tuple[str, str]]:
        if self.changes:
            return [("made", "objects made"), ("freed", "objects freed"), ("live", "live objects (change)"),
                    ("blocks_taken", "blocks taken"), ("blocks_given_back", "blocks given back"),
                    ("bytes_held", "MiB held (change)")]
        return [("live", "live objects"), ("free", "free slots"), ("blocks", "blocks"), ("bytes_held", "MiB held"),
                ("peak_blocks", "peak blocks")]

    def _cell(self, key: str, value: float) -> str:
        if key == "bytes_held":
            return f"{value / MIB:+,.2f}" if self.changes else f"{value / MIB:,.2f}"
        return f"{value:+,}" if self.changes and key in ("live",) else f"{value:,}"

    def _rss_line(self) -> str:
        if self.changes:
            return f"resident memory: {self.rss / MIB:+,.1f} MiB"
        return f"resident memory: {self.rss / MIB:,.1f} MiB"

    def __repr__(self) -> str:
        columns = self._columns()
        widths = [max(len(title), 12) for _, title in columns]
        lines = [f"{'':<18}" + "".join(f"{title:>{w + 2}}" for (_, title), w in zip(columns, widths))]
        for kind in KINDS:
            lines.append(f"{TITLES[kind]:<18}" + "".join(
                f"{self._cell(key, self.rows[kind][key]):>{w + 2}}" for (key, _), w in zip(columns, widths)))
        lines.append(self._rss_line())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        columns = self._columns()
        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
        body = "".join(
            f"<tr><th style='text-align:left'>{TITLES[kind]}</th>"
            + "".join(f"<td>{self._cell(key, self.rows[kind][key])}</td>" for key, _ in columns)
            + "</tr>"
            for kind in KINDS
        )
        return (f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{html.escape(self._rss_line())}</p>")


def _state(s: PoolStats) -> Dict[str, int]:
    return {"live": s.in_use, "free": s.free, "blocks": s.blocks, "bytes_held": s.bytes_reserved,
            "peak_blocks": s.peak_blocks}


def pool_changes(before: PoolReport, after: PoolReport) -> PoolReport:
    """What happened between two :meth:`PoolReport.now` snapshots."""
    rows = {}
    for kind in KINDS:
        b, a = before.stats[kind], after.stats[kind]
        rows[kind] = {
            "made": a.allocations - b.allocations,
            "freed": a.deallocations - b.deallocations,
            "live": a.in_use - b.in_use,
            "blocks_taken": a.blocks_allocated - b.blocks_allocated,
            "blocks_given_back": a.blocks_released - b.blocks_released,
            "bytes_held": a.bytes_reserved - b.bytes_reserved,
        }
    report = PoolReport(rows, after.rss - before.rss, changes=True)
    report.stats = after.stats
    return report


def _occupancy_figure(before: Dict[str, PoolSnapshot], after: Dict[str, PoolSnapshot]) -> Any:
    """Each pool's blocks before and after, side by side, and, where the
    cell gave any back, which ones (by address, so a block keeps its place
    in the "before" numbering)."""
    from matplotlib.figure import Figure

    from .plot import plot_blocks_returned, plot_occupancy

    # A pool that held no block before or after takes no room.
    drawn = [kind for kind in KINDS if before[kind].live or after[kind].live] or ["int"]
    figure = Figure(figsize=(16, 4.4 * len(drawn)), layout="constrained")
    axes = figure.subplots(len(drawn), 3, squeeze=False)
    for row, kind in enumerate(drawn):
        # The same grid before and after, so that a block keeps its place.
        columns = max(1, math.ceil(math.sqrt(max(len(before[kind].live), len(after[kind].live)))))
        stats = pool_stats(kind)
        small_int_blocks = math.ceil(stats.small_ints / stats.objects_per_block)
        for column, (when, snap) in enumerate((("before", before[kind]), ("after", after[kind]))):
            ax = axes[row][column]
            if snap.live:
                plot_occupancy([bin(word).count("1") for word in snap.live], ax, columns=columns,
                               objects_per_block=stats.objects_per_block, small_int_blocks=small_int_blocks)
            else:
                ax.set_axis_off()
            ax.set_title(f"{TITLES[kind]} {when} the cell: " + (ax.get_title() or "no blocks"), fontsize=9)
        returned = set(before[kind].addresses) - set(after[kind].addresses)
        if returned:
            plot_blocks_returned(before[kind], after[kind], axes[row][2], columns=columns)
            axes[row][2].set_title(f"{TITLES[kind]}: " + axes[row][2].get_title(), fontsize=9)
        else:
            axes[row][2].set_axis_off()
            axes[row][2].text(0.5, 0.5, f"{TITLES[kind]}: no block given back", ha="center", va="center",
                              transform=axes[row][2].transAxes, fontsize=9)
    return figure


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext legacyint``: registers ``%pool`` and ``%%pool``."""
    from IPython.core.magic import Magics, line_cell_magic, magics_class
    from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

    @magics_class
    class PoolMagics(Magics):  # type: ignore[misc]
        @magic_arguments()
        @argument("--occupancy", action="store_true",
                  help="also draw each pool's blocks (live objects per block) before and after the cell")
        @line_cell_magic
        def pool(self, line: str, cell: Optional[str] = None) -> Optional[PoolReport]:
            """``%pool``: both pools now. ``%%pool [--occupancy]`` above a
            cell: what the cell did to them (objects made and freed, blocks
            taken and given back, MiB held, resident memory), and with
            ``--occupancy`` a drawing of their blocks before and after."""
            args = parse_argstring(self.pool, line)
            if cell is None:
                return PoolReport.now()
            from IPython.display import display

            layout_before = {kind: pool_snapshot(kind, 0) for kind in KINDS} if args.occupancy else {}
            before = PoolReport.now()
            self.shell.run_cell(cell, store_history=False)
            report = pool_changes(before, PoolReport.now())
            if args.occupancy:
                figure = _occupancy_figure(layout_before, {kind: pool_snapshot(kind, 0) for kind in KINDS})
                report.figures.append(figure)
                display(report)
                display(figure)
                return None
            return report

    ipython.register_magics(PoolMagics)
