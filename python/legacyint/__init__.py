"""Python 2's pooled int allocator, brought back as a CPython 3 extension.

``LegacyInt`` objects (and ``LegacyFloat`` ones, from a pool of their own) are served from 992-byte blocks of 41 objects with a
free list threaded through the freed ones, exactly as Python 2 served ints;
freed objects go back to the free list, never to malloc, until
:func:`clear_free_list` is called. :func:`pool_stats` shows what the pool
holds, :mod:`legacyint.experiment` runs the classic "memory won't go back"
experiment, and ``python -m legacyint`` prints it as a table.

>>> import legacyint
>>> x = legacyint.LegacyInt(10**6)
>>> x, int(x), hash(x) == hash(10**6)
(LegacyInt(1000000), 1000000, True)
>>> legacyint.pool_stats().objects_per_block
41
"""

import numbers
from typing import TYPE_CHECKING, Any

from ._core import (
    LONG_MAX,
    LONG_MIN,
    SMALL_INT_MAX,
    SMALL_INT_MIN,
    LegacyFloat,
    LegacyInt,
    block_occupancy,
    clear_free_list,
    malloc_trim,
    range,
    xrange,
)
from ._gc import gc_clears_pool, install as _install_gc_hook, set_gc_clears_pool
from ._stats import PoolSnapshot, PoolStats, pool_snapshot, pool_stats

# A LegacyInt is an integer, a LegacyFloat a real, in every respect but
# their memory: Fraction, statistics and anything else that checks the
# numbers ABCs accept them.
numbers.Integral.register(LegacyInt)
numbers.Real.register(LegacyFloat)

# As in Python 2.6+, a full gc.collect() also clears the pool's free list.
_install_gc_hook()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext legacyint`` in IPython or Jupyter: registers ``%pool``
    (both pools now) and ``%%pool [--occupancy]`` (what a cell did to
    them), from :mod:`legacyint._magic`. IPython is imported only then."""
    from ._magic import load_ipython_extension as load

    load(ipython)

if TYPE_CHECKING:
    __version__: str
else:

    def __getattr__(name):
        # __version__, the installed distribution's (maturin took it from
        # Cargo.toml), is read on first use: importlib.metadata and what it
        # imports would make `import legacyint` several times slower.
        if name == "__version__":
            from importlib.metadata import version

            globals()["__version__"] = value = version("legacyint")
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LONG_MAX",
    "LONG_MIN",
    "SMALL_INT_MAX",
    "SMALL_INT_MIN",
    "LegacyFloat",
    "LegacyInt",
    "PoolSnapshot",
    "PoolStats",
    "block_occupancy",
    "clear_free_list",
    "gc_clears_pool",
    "malloc_trim",
    "pool_snapshot",
    "pool_stats",
    "range",
    "set_gc_clears_pool",
    "xrange",
]
