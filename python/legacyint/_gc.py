"""Python 2.6+'s collector behaviour: a full collection clears the free list."""

from __future__ import annotations

import gc
from typing import Any, Dict

from . import _core

_clears_pool = True


def _after_collection(phase: str, info: Dict[str, Any]) -> None:
    # Python 2.7's gcmodule.c called PyInt_ClearFreeList and
    # PyFloat_ClearFreeList at the end of every generation-2 collection,
    # automatic or explicit.
    if phase == "stop" and info.get("generation") == 2 and _clears_pool:
        _core.clear_free_list("int")
        _core.clear_free_list("float")


def set_gc_clears_pool(enabled: bool) -> bool:
    """Choose whether a full ``gc.collect()`` also clears the pools' free lists.

    On by default, as in Python 2.6 and later, where every generation-2
    collection ran ``PyInt_ClearFreeList`` and ``PyFloat_ClearFreeList``. ``False`` gives Python 2.5's
    behaviour: blocks go back to malloc only through an explicit
    :func:`legacyint.clear_free_list`. Returns the previous setting.

    >>> import gc, legacyint
    >>> previous = legacyint.set_gc_clears_pool(False)
    >>> xs = legacyint.range(10**6, 10**6 + 4100); del xs
    >>> blocks = legacyint.pool_stats().blocks
    >>> _ = gc.collect()
    >>> legacyint.pool_stats().blocks == blocks      # Python 2.5: nothing returned
    True
    >>> legacyint.set_gc_clears_pool(True)
    False
    >>> _ = gc.collect()
    >>> legacyint.pool_stats().blocks < blocks       # Python 2.6+: empty blocks freed
    True
    >>> legacyint.set_gc_clears_pool(previous)
    True
    """
    global _clears_pool
    previous, _clears_pool = _clears_pool, bool(enabled)
    return previous


def gc_clears_pool() -> bool:
    """Whether a full ``gc.collect()`` clears the pool's free list (default True).

    >>> import legacyint
    >>> legacyint.gc_clears_pool()
    True
    """
    return _clears_pool


def install() -> None:
    """Registers the collector hook once, however often the package is loaded."""
    if _after_collection not in gc.callbacks:
        gc.callbacks.append(_after_collection)
