"""Finding and checking a Python 2.7 interpreter for the experiment's
Python 2 kinds (legacyint.experiment re-exports the public names)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from typing import List, Optional

#: Where the Python 2 side's stages live (a script, never imported by Python 3).
PY2_SCRIPT = pathlib.Path(__file__).resolve().with_name("_py2_stages.py")

class Python2Error(RuntimeError):
    """No usable Python 2.7: none found, not a Python 2.7, no malloc_trim
    there, or its run failed. The message says which, and what to do."""



def find_python2(explicit: Optional[str] = None) -> Optional[str]:
    """The path of a working Python 2.7, or ``None`` if there is none.

    With ``explicit`` (a path or a command name), that one, checked (see
    :func:`check_python2`). Otherwise the first that answers as Python 2.7
    of: ``python2.7`` and ``python2`` on ``PATH``, then pyenv's
    ``$PYENV_ROOT/versions/2.7*/bin/python2.7`` (newest first;
    ``PYENV_ROOT`` defaults to ``~/.pyenv``). A pyenv shim that has no 2.7
    selected fails to run and is passed over.

    >>> from legacyint import experiment
    >>> path = experiment.find_python2()
    >>> path is None or "python2" in path
    True
    """
    if explicit is not None:
        return check_python2(explicit)
    for candidate in _python2_candidates():
        try:
            check_python2(candidate)
        except Python2Error:
            continue
        return candidate
    return None


def check_python2(path: str) -> str:
    """``path`` (or the command of that name on ``PATH``) if it is a Python
    2.7 whose C library has ``malloc_trim``; else :class:`Python2Error`,
    with a message that says what is wrong and what to do.

    >>> from legacyint import experiment
    >>> import sys
    >>> experiment.check_python2(sys.executable)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    legacyint.experiment.Python2Error: ... is Python 3..., not Python 2.7: ...
    """
    resolved = path if os.sep in path else (shutil.which(path) or path)
    # Asked first, not left to the spawn's error: where exec's failure does
    # not come back to the parent (qemu-user drops posix_spawn's shared
    # memory), a missing program would be a child that exits 127.
    if not (os.path.isfile(resolved) and os.access(resolved, os.X_OK)):
        raise Python2Error(f"cannot run {path} (no executable file there): give --python2 the path of a python2.7 "
                           "interpreter")
    try:
        done = subprocess.run(
            [resolved, str(PY2_SCRIPT), "--probe"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise Python2Error(f"cannot run {path} ({error}): give --python2 the path of a python2.7 interpreter") from None
    try:
        info = json.loads(done.stdout.strip().splitlines()[-1])
        version = tuple(info["version"])
    except (ValueError, IndexError, KeyError, TypeError):
        # Whatever the program printed is its own business (ls's usage, a
        # shell's complaint): the user needs to know only that it is not one.
        raise Python2Error(
            f"{path} is not a Python 2.7 interpreter (it did not run the Python 2 stages' probe): "
            "give --python2 the path of a python2.7 interpreter"
        ) from None
    if version[:2] != (2, 7):
        raise Python2Error(
            f"{path} is Python {info.get('python', '.'.join(map(str, version)))}, not Python 2.7: "
            "give --python2 the path of a python2.7 interpreter (pyenv install 2.7.18 makes one)"
        )
    if not info.get("malloc_trim"):
        raise Python2Error(
            f"{path}'s C library has no malloc_trim (a glibc function), so the last stage cannot run there: "
            "run the Python 2 side on Linux with glibc, or leave --python2 out"
        )
    return resolved


def _python2_candidates() -> List[str]:
    """Where :func:`find_python2` looks, in order."""
    candidates = [found for found in (shutil.which("python2.7"), shutil.which("python2")) if found]
    root = pathlib.Path(os.environ.get("PYENV_ROOT") or pathlib.Path.home() / ".pyenv")

    def version(path: pathlib.Path) -> List[int]:
        name = path.parent.parent.name
        return [int(part) if part.isdigit() else -1 for part in name.split(".")]

    installed = sorted(root.glob("versions/2.7*/bin/python2.7"), key=version, reverse=True)
    return candidates + [str(path) for path in installed]


def _no_python2_message() -> str:
    root = os.environ.get("PYENV_ROOT") or "~/.pyenv"
    return (
        f"no Python 2.7 found (looked for python2.7 and python2 on PATH and in {root}/versions/2.7*): "
        "install one (pyenv install 2.7.18) or give its path, --python2 /path/to/python2.7"
    )
