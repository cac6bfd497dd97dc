"""The atheris fuzzer (fuzz/fuzz_operands.py) in a child process: its kept
regression inputs, and a short run that must find nothing.

The short run explores the same inputs on every run of the suite, so that a
finding is a reproducible failure, not a flaky one (./scripts/fuzz explores
at large). What libFuzzer reads is fixed: a fixed number of inputs, its
seed, the hash seed, the starting corpus (the regression inputs), the same
command line (paths relative to the child's directory), no corpus reload
(a timer), and the addresses: libFuzzer learns from the values of the
comparisons it watches, and some of those are object addresses (an
object's default hash is its address), so the child runs with address-space
layout randomisation off, as `setarch -R` runs a program.
"""

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris; its 3.1 has wheels for "
                                      "CPython 3.11-3.14 on x86-64 Linux, none for 3.15)")

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "fuzz" / "fuzz_operands.py"
REGRESSIONS = sorted((ROOT / "fuzz" / "regressions").glob("*"))
FUZZ_RUNS = 100_000  # about 15 s here
FUZZ_SEED = 1


ADDR_NO_RANDOMIZE = 0x0040000  # <linux/personality.h>


def _fixed_addresses():
    """In the child, before exec: the new program's addresses are the same
    from one run to the next (personality(2), as `setarch -R`)."""
    libc = ctypes.CDLL(None, use_errno=True)
    current = libc.personality(0xFFFFFFFF)  # reads the persona without changing it
    if current == -1 or libc.personality(current | ADDR_NO_RANDOMIZE) == -1:
        raise OSError(ctypes.get_errno(), "personality(ADDR_NO_RANDOMIZE) failed")


def _run(args, cwd, timeout):
    proc = subprocess.run([sys.executable, str(HARNESS), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "FUZZ_VERBOSE": "1", "PYTHONHASHSEED": "0"},
                          preexec_fn=_fixed_addresses)
    return proc.returncode, proc.stdout + proc.stderr


def _fixed_run(cwd, runs):
    """The short run: `runs` inputs from the regression inputs, as fixed as
    the module docstring says."""
    corpus = cwd / "corpus"
    corpus.mkdir()
    for path in REGRESSIONS:
        (corpus / path.name).write_bytes(path.read_bytes())
    return _run([f"-runs={runs}", f"-seed={FUZZ_SEED}", "-reload=0", "-timeout=20", "-rss_limit_mb=4096",
                 "-artifact_prefix=./", "corpus"], cwd, 300)


def _progress(output):
    """libFuzzer's record of what it kept (its NEW and REDUCE lines),
    without the timings and memory figures."""
    return [re.sub(r" exec/s: \d+ rss: \d+Mb", "", line) for line in output.splitlines()
            if re.match(r"#\d+\s+(NEW|REDUCE)\s", line)]


def _finding(output):
    keep = [line for line in output.splitlines()
            if line.startswith(("expression:", "AssertionError", "  pooled", "  twin", "==", "SUMMARY"))
            or "DEADLYSIGNAL" in line or "Segmentation" in line]
    return "\n".join(keep[-16:])


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_fuzz_regression_input(path, tmp_path):
    """Every input the fuzzer ever found runs clean."""
    returncode, output = _run([str(path)], tmp_path, 60)
    assert returncode == 0, f"{path.name}:\n{_finding(output)}"


@pytest.mark.slow
def test_fuzz_briefly_finds_nothing(tmp_path):
    returncode, output = _fixed_run(tmp_path, FUZZ_RUNS)
    assert returncode == 0, f"the fuzzer found a difference or a crash in {FUZZ_RUNS} inputs:\n{_finding(output)}"


def test_fuzz_run_is_the_same_every_time(tmp_path):
    """Two short runs keep the same inputs in the same order (with address
    randomisation on, two runs of 20,000 inputs parted after a few
    thousand)."""
    runs = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        returncode, output = _fixed_run(tmp_path / name, 20_000)
        assert returncode == 0, _finding(output)
        runs.append(_progress(output))
    assert len(runs[0]) > 50, "libFuzzer printed too few NEW lines to compare: has its output changed?"
    assert runs[0] == runs[1]
