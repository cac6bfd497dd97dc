"""The atheris fuzzer (fuzz/fuzz_operands.py) in a child process: its kept
regression inputs, and a short run that must find nothing. The run is a
fixed number of inputs from a fixed seed and hash seed, so that it explores
the same inputs on every run of the suite: a finding is a reproducible
failure, not a flaky one (./scripts/fuzz explores at large)."""

import os
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


def _run(args, cwd, timeout):
    proc = subprocess.run([sys.executable, str(HARNESS), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "FUZZ_VERBOSE": "1", "PYTHONHASHSEED": "0"})
    return proc.returncode, proc.stdout + proc.stderr


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
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in REGRESSIONS:
        (corpus / path.name).write_bytes(path.read_bytes())
    returncode, output = _run([f"-runs={FUZZ_RUNS}", f"-seed={FUZZ_SEED}", "-timeout=20", "-rss_limit_mb=4096",
                               f"-artifact_prefix={tmp_path}/", str(corpus)], tmp_path, 300)
    assert returncode == 0, f"the fuzzer found a difference or a crash in {FUZZ_RUNS} inputs:\n{_finding(output)}"
