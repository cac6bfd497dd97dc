"""How much memory a run of the experiment will need at its peak, and the
refusal of one that needs more than there is (legacyint.experiment
re-exports the public names)."""

from __future__ import annotations

from typing import Iterable

from ._records import PY2_KINDS, TITLES

#: Peak resident bytes per element of each kind's run, the list included:
#: (VmHWM - RSS at start) / N, measured at N = 10,000,000 on x86-64 Linux
#: with glibc, under CPython 3.11.7 and 2.7.18 (the stages of this module and
#: of ``_py2_stages.py``; the peak is the ``built`` stage, within 0.5%).
#: A Python 3 int or float is 32 bytes of pymalloc plus 8 of list; a pooled
#: object, like a Python 2 one, 24.4 plus malloc's chunk header share, plus 8
#: of list (with its growth's spare slots).
BYTES_PER_ELEMENT = {
    "int": 40.2,
    "float": 40.2,
    "legacy": 32.6,
    "legacy_float": 32.6,
    "py2_int": 32.7,
    "py2_float": 32.7,
}
#: Resident bytes of a fresh worker before it builds anything, from the same
#: measurement (Python 3.11 with legacyint and psutil imported; Python 2.7).
STARTUP_BYTES = {"py3": 15 * 2**20, "py2": 9 * 2**20}

class ExperimentTooLarge(ValueError):
    """The run's estimated peak memory is more than the memory available
    now (:func:`check_memory`). ``n``, ``kind`` (the kind with the largest
    peak), ``needed`` and ``available`` (bytes) say by how much;
    ``run(..., force=True)`` runs it anyway."""

    def __init__(self, n: int, kind: str, needed: int, available: int) -> None:
        super().__init__(
            f"n={n:,} would need about {_size(needed)} at its peak ({TITLES[kind]}: "
            f"{BYTES_PER_ELEMENT[kind]} bytes per element), and {_size(available)} is available: "
            "use a smaller n, or force=True to run it anyway"
        )
        self.n, self.kind, self.needed, self.available = n, kind, needed, available


def _size(size: float) -> str:
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.0f} MiB"


def estimate_peak_bytes(n: int, kinds: Iterable[str]) -> int:
    """The peak resident memory, in bytes, of running ``kinds`` at ``n``.

    The kinds run one after the other, each in its own interpreter, so the
    peak is the largest of one kind's: its interpreter's start-up size plus
    ``n`` times :data:`BYTES_PER_ELEMENT` (measured peaks, see there).

    >>> from legacyint import experiment
    >>> round(experiment.estimate_peak_bytes(10_000_000, ["legacy", "int"]) / 2**20)
    398
    """
    peaks = [
        STARTUP_BYTES["py2" if kind in PY2_KINDS else "py3"] + n * BYTES_PER_ELEMENT[kind]
        for kind in kinds
    ]
    return int(max(peaks, default=0))


def check_memory(n: int, kinds: Iterable[str]) -> None:
    """Raises :class:`ExperimentTooLarge` if running ``kinds`` at ``n``
    would need more memory at its peak (:func:`estimate_peak_bytes`) than
    is available now (psutil's ``virtual_memory().available``).

    >>> from legacyint import experiment
    >>> experiment.check_memory(1000, ["legacy", "int"])  # a few MiB: fine
    >>> try:
    ...     experiment.check_memory(10**15, ["legacy"])
    ... except experiment.ExperimentTooLarge as e:
    ...     print(e.kind, e.needed > e.available)
    legacy True
    """
    kinds = list(kinds)
    needed = estimate_peak_bytes(n, kinds)
    available = _available_memory()
    if needed > available:
        worst = max(kinds, key=lambda k: BYTES_PER_ELEMENT[k])
        raise ExperimentTooLarge(n, worst, needed, available)


def _available_memory() -> int:
    """Bytes of memory available to a new process now (psutil)."""
    import psutil

    return int(psutil.virtual_memory().available)
