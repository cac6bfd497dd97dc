"""Python 2.6+'s collector behaviour: a full collection clears the free list."""

from __future__ import annotations

import gc
from typing import Any, Dict

from ._core import _gc_clears_pool, _set_gc_clears_pool, clear_free_list

# The setting lives in the extension (_core._gc_clears_pool), which is
# loaded once per process: this module can be imported again (after its
# removal from sys.modules), and each copy must read and write the same one.


def _after_collection(phase: str, info: Dict[str, Any]) -> None:
    # Python 2.7's gcmodule.c called PyInt_ClearFreeList and
    # PyFloat_ClearFreeList at the end of every generation-2 collection,
    # automatic or explicit.
    if phase == "stop" and info.get("generation") == 2 and _gc_clears_pool():
        clear_free_list("int")
        clear_free_list("float")


# How install() knows the hook of an earlier import of this module.
_HOOK_MARK = "_legacyint_gc_hook"
setattr(_after_collection, _HOOK_MARK, True)


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
    return _set_gc_clears_pool(bool(enabled))


def gc_clears_pool() -> bool:
    """Whether a full ``gc.collect()`` clears the pool's free list (default True).

    >>> import legacyint
    >>> legacyint.gc_clears_pool()
    True
    """
    return _gc_clears_pool()


def install() -> None:
    """Registers the collector hook once per process, however often the
    package is imported: a hook left by an earlier import of this module
    (another function object, reading the same setting) is kept."""
    if not any(getattr(callback, _HOOK_MARK, False) for callback in gc.callbacks):
        gc.callbacks.append(_after_collection)
