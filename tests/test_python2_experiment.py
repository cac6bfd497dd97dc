"""The experiment against a real Python 2.7 (issue 13), and the command's
checks before the work: the --plot path, the memory estimate, Ctrl-C.

The Python 2 runs use this machine's Python 2.7 (found as the command finds
it) at small N; they are skipped, with the reason, where there is none. The
error paths use fake interpreters: shell scripts that are Python 3, fail, or
wrap the real Python 2.7 with a sitecustomize that changes one thing.
"""

import csv
import importlib.util
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import psutil
import pytest

import legacyint.__main__ as cli
from legacyint import _memory_estimate, experiment

PY2 = experiment.find_python2()
needs_py2 = pytest.mark.skipif(
    PY2 is None,
    reason="no Python 2.7 on this machine (looked for python2.7 and python2 on PATH and in "
    "$PYENV_ROOT/versions/2.7*): `pyenv install 2.7.18` lets these tests run",
)

N = 300_000  # 7 MiB of ints: visible in RSS, done in a fraction of a second
COMMAND = [sys.executable, "-m", "legacyint"]


def legacyint_cli(*args, env=None, timeout=120):
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=env, timeout=timeout)


def one_line(stderr):
    """The command's error: exactly one line, no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("python -m legacyint: ")
    return lines[0]


def fake_interpreter(directory, name, body):
    path = pathlib.Path(directory) / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def wrapped_python2(directory, sitecustomize):
    """A "python2" that is the real Python 2.7 with a sitecustomize of ours."""
    site = pathlib.Path(directory) / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(sitecustomize)
    return fake_interpreter(directory, "python2", f'PYTHONPATH="{site}" exec "{PY2}" "$@"')


# -- the Python 2 side's script ------------------------------------------------


def test_py2_script_compiles_and_imports_under_python3(capsys):
    source = experiment.PY2_SCRIPT.read_text()
    compile(source, str(experiment.PY2_SCRIPT), "exec")
    spec = importlib.util.spec_from_file_location("_py2_stages_under_3", experiment.PY2_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.STAGES == experiment.PY2_STAGES
    assert module.main(["--probe"]) == 0
    probe = json.loads(capsys.readouterr().out)
    assert probe["version"][0] == 3 and probe["malloc_trim"] is True


def test_py2_script_is_shipped_in_the_installed_package():
    assert experiment.PY2_SCRIPT.is_file()
    assert experiment.PY2_SCRIPT.parent == pathlib.Path(experiment.__file__).resolve().parent


@needs_py2
def test_py2_script_runs_under_python_27():
    done = subprocess.run(
        [PY2, str(experiment.PY2_SCRIPT), "py2_int", "1000", "--progress"], capture_output=True, text=True, check=True
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["stage"] for r in records] == list(experiment.PY2_STAGES)
    assert all(r["python"].startswith("2.7.") and r["rss"] > 0 for r in records)
    assert "[py2_int] built" in done.stderr


# -- records -------------------------------------------------------------------


@pytest.fixture(scope="module")
def py2_int():
    if PY2 is None:
        pytest.skip("no Python 2.7 on this machine: `pyenv install 2.7.18` lets this run")
    return experiment.run(N, "py2_int", python2=PY2)


@needs_py2
def test_py2_records_have_every_field_and_null_pool_counters(py2_int):
    assert [r["stage"] for r in py2_int] == list(experiment.PY2_STAGES)  # no clear_free_list
    legacy = experiment.run(10, "legacy")
    for record in py2_int:
        assert tuple(record) == experiment.FIELDS == tuple(legacy[0])
        assert all(record[field] is None for field in experiment.POOL_FIELDS)
        assert record["kind"] == "py2_int" and record["n"] == N and record["pool"] == "int"
        assert record["python"].startswith("2.7.") and record["executable"] == PY2
        assert isinstance(record["rss"], int) and record["rss"] > 0
        assert record["gc_clears_pool"] is True  # Python 2.6+'s full collection
    assert json.loads(json.dumps(py2_int)) == py2_int


@needs_py2
def test_python_27_keeps_its_ints_after_del_as_legacyint_does(py2_int):
    stages = {r["stage"]: r for r in py2_int}
    start, built, deleted = stages["start"]["rss"], stages["built"]["rss"], stages["deleted"]["rss"]
    assert built - start >= N * 30  # 24.4 an int, 8 a list slot
    assert deleted - start >= N * 22  # del frees the list, not the ints
    assert stages["gc_collect"]["rss"] - start >= N * 22  # back with malloc, still resident
    assert stages["malloc_trim"]["rss"] - start <= 0.2 * (built - start)
    assert stages["built"]["container_bytes"] >= N * 8


@needs_py2
def test_py2_float_records():
    records = experiment.run(N, "py2_float")  # found as the command finds it
    stages = {r["stage"]: r for r in records}
    assert list(stages) == list(experiment.PY2_STAGES)
    assert {r["pool"] for r in records} == {"float"} and stages["start"]["blocks"] is None
    assert stages["deleted"]["rss"] - stages["start"]["rss"] >= N * 22


def test_py2_kinds_need_a_fresh_process():
    with pytest.raises(ValueError, match="Python 2.7"):
        experiment.run(10, "py2_int", fresh_process=False)


# -- the command's table, JSON and CSV -------------------------------------------


@needs_py2
def test_cli_three_columns():
    done = legacyint_cli("--python2", "--n", str(N))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines[0]
    titles = [title.strip() for title in header[len("stage"):].split("RSS MiB")]
    assert titles == ["int", "Python 2.7 int", "LegacyInt", "blocks          free"]
    assert header.split()[-2:] == ["blocks", "free"]
    rows = {line.split()[0]: line.split() for line in lines[1:8]}
    assert list(rows) == list(experiment.STAGES)
    assert rows["clear_free_list"][2] == "-"  # Python 2.7 had no such stage
    assert all(row[2] != "-" for stage, row in rows.items() if stage != "clear_free_list")
    assert "Python 2.7 int: " in done.stdout and "still held after del" in done.stdout
    assert PY2 not in done.stdout + done.stderr  # versions, not this machine's paths
    assert done.stdout.splitlines()[-1].startswith(f"N = {N:,}; Python 3.") and "and Python 2.7." in done.stdout
    assert "Python 2.7 found" in done.stderr
    assert "[py2_int] built" in done.stderr
    on_request = legacyint_cli("--python2", "--n", "1000", "--kind", "py2_int", "--paths")
    assert f"({PY2})" in on_request.stdout.splitlines()[-1] and f"Python 2.7 found at {PY2}" in on_request.stderr


@needs_py2
def test_cli_explicit_path_json_and_csv():
    done = legacyint_cli("--python2", PY2, "--kind", "legacy", "--n", "1000", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["kind"] for r in records] == ["legacy"] * 7 + ["py2_int"] * 6
    assert all(r["blocks"] is None and r["executable"] == PY2 for r in records if r["kind"] == "py2_int")
    assert done.stderr == ""

    done = legacyint_cli("--python2", "--kind", "floats", "--n", "1000", "--csv", "--quiet")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert tuple(rows[0]) == experiment.FIELDS
    py2 = [row for row in rows if row["kind"] == "py2_float"]
    assert len(py2) == 6 and all(row["blocks"] == "" and int(row["rss"]) > 0 for row in py2)
    assert {row["kind"] for row in rows} == {"float", "legacy_float", "py2_float"}


@needs_py2
def test_cli_plot_has_the_python_2_bars(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    del matplotlib
    from legacyint import plot

    records = experiment.run(1000, "int") + experiment.run(1000, "py2_int") + experiment.run(1000, "legacy")
    fig = plot.plot_experiment(records)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Python 3 int", "Python 2.7 int (real)", "LegacyInt (Python 2 pool)"]
    # 7 + 6 + 7 bars: none drawn for Python 2.7's missing clear_free_list, "n/a" there instead.
    assert len(ax.patches) == 20
    assert [t.get_text() for t in ax.texts if t.get_text() == "n/a"] == ["n/a"]
    target = tmp_path / "three.png"
    done = legacyint_cli("--python2", "--n", "1000", "--quiet", "--plot", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- Python 2 errors -------------------------------------------------------------


def test_no_python2_found(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty), PYENV_ROOT=str(empty))
    done = legacyint_cli("--python2", "--n", "1000", env=env)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "no Python 2.7 found" in line and "--python2 /path/to/python2.7" in line
    assert done.stdout == ""
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("PYENV_ROOT", str(empty))
    assert experiment.find_python2() is None
    with pytest.raises(experiment.Python2Error, match="no Python 2.7 found"):
        experiment.run(10, "py2_int")


def test_path_that_is_python3(tmp_path):
    fake = fake_interpreter(tmp_path, "python2", f'exec "{sys.executable}" "$@"')
    done = legacyint_cli("--python2", fake, "--n", "1000")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"{fake} is Python 3." in line and "not Python 2.7" in line
    assert "[int]" not in done.stderr  # refused before the work


def test_path_that_is_not_python(tmp_path):
    fake = fake_interpreter(tmp_path, "python2", 'echo "hello"; echo "Try \'python2 --help\'" >&2; exit 2')
    line = one_line(legacyint_cli("--python2", fake, "--n", "1000").stderr)
    assert f"{fake} is not a Python 2.7 interpreter" in line
    assert "Try" not in line and "hello" not in line  # the program's own words are not quoted
    line = one_line(legacyint_cli("--python2", "/bin/ls", "--n", "1000").stderr)
    assert line.startswith("python -m legacyint: /bin/ls is not a Python 2.7 interpreter") and "--help" not in line
    line = one_line(legacyint_cli("--python2", str(tmp_path / "missing"), "--n", "1000").stderr)
    assert "cannot run" in line and "missing" in line


@needs_py2
def test_python2_run_that_fails(tmp_path):
    fake = fake_interpreter(
        tmp_path,
        "python2",
        f'if [ "$2" = "--probe" ]; then exec "{PY2}" "$@"; fi\n'
        'echo "MemoryError: the fake Python 2 gave up" >&2\nexit 1',
    )
    done = legacyint_cli("--python2", fake, "--kind", "legacy", "--n", "1000", "--quiet")
    assert done.returncode == 1
    first, *rest = done.stderr.strip().splitlines()
    assert first.startswith("python -m legacyint: the Python 2 run failed (exit code 1;")
    assert rest == ["MemoryError: the fake Python 2 gave up"]  # its stderr, shown
    with pytest.raises(experiment.Python2Error, match="the fake Python 2 gave up"):
        experiment.run(10, "py2_int", python2=fake)


@needs_py2
def test_python2_that_writes_to_stdout(tmp_path):
    fake = wrapped_python2(tmp_path, "import sys; sys.stdout.write('hello from sitecustomize\\n')\n")
    done = legacyint_cli("--python2", fake, "--kind", "legacy", "--n", "1000", "--quiet")
    assert done.returncode == 1
    assert "printed something that is not a record: 'hello from sitecustomize'" in one_line(done.stderr)


HIDE_MALLOC_TRIM = """
import ctypes
_getattr = ctypes.CDLL.__getattr__
def __getattr__(self, name):
    if name == "malloc_trim":
        raise AttributeError(name)
    return _getattr(self, name)
ctypes.CDLL.__getattr__ = __getattr__
"""


@needs_py2
def test_python2_without_malloc_trim(tmp_path):
    fake = wrapped_python2(tmp_path, HIDE_MALLOC_TRIM)
    done = legacyint_cli("--python2", fake, "--n", "1000")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "has no malloc_trim" in line and "glibc" in line
    assert "[int]" not in done.stderr


# -- checks before the work ------------------------------------------------------


def test_plot_path_is_checked_before_the_work(tmp_path):
    t0 = time.monotonic()
    done = legacyint_cli("--n", "1000", "--plot", "/nonexistent/dir/x.png")
    assert done.returncode == 2 and done.stdout == ""
    line = one_line(done.stderr)
    assert "/nonexistent/dir" in line and "does not exist" in line
    assert time.monotonic() - t0 < 30
    line = one_line(legacyint_cli("--n", "1000", "--plot", str(tmp_path)).stderr)
    assert "is a directory" in line
    line = one_line(legacyint_cli("--n", "1000", "--plot", str(tmp_path / "x.xyz")).stderr)
    assert "cannot write .xyz" in line and ".png" in line


def test_huge_n_is_refused_with_the_estimate():
    done = legacyint_cli("--n", "10000000000")
    assert done.returncode == 2 and done.stdout == ""
    line = one_line(done.stderr)
    assert "--n 10,000,000,000 would need about 374" in line
    available = psutil.virtual_memory().available / 2**30
    figure = float(line.split(" GiB is available")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert abs(figure - available) < 0.1 * available + 1
    assert "--force" in line


def test_memory_estimate_counts_every_kind_python_2_included():
    n = 10_000_000
    assert experiment.estimate_peak_bytes(n, ["legacy"]) == 15 * 2**20 + n * 32.6
    assert experiment.estimate_peak_bytes(n, ["legacy", "int"]) == experiment.estimate_peak_bytes(n, ["int"])
    assert experiment.estimate_peak_bytes(n, ["py2_int"]) == 9 * 2**20 + int(n * 32.7)
    assert set(experiment.BYTES_PER_ELEMENT) == set(experiment.KINDS)


def test_refusal_and_force(monkeypatch, capsys):
    monkeypatch.setattr(_memory_estimate, "_available_memory", lambda: 20 * 2**20)
    assert cli.main(["--n", "200000", "--kind", "legacy", "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "would need about 21 MiB" in err and "20 MiB is available" in err and "--force" in err
    assert cli.main(["--n", "200000", "--kind", "legacy", "--quiet", "--force"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("stage") and "LegacyInt: " in out and err == ""
    # The Python 2 kinds are estimated too (and refused before looking for a Python 2).
    monkeypatch.setattr(_memory_estimate, "_available_memory", lambda: 2**20)
    assert cli.main(["--n", "200000", "--kind", "py2_int", "--python2", "/nonexistent"]) == 2
    assert "(Python 2.7 int: 32.7 bytes per element)" in capsys.readouterr().err


def test_the_api_refuses_too_large_a_run_too(monkeypatch):
    """experiment.run() checks the estimate as the command does, before any
    work: ExperimentTooLarge with the figures, and force=True runs it."""
    monkeypatch.setattr(_memory_estimate, "_available_memory", lambda: 20 * 2**20)
    with pytest.raises(experiment.ExperimentTooLarge) as refused:
        experiment.run(200_000, "int", fresh_process=False)
    e = refused.value
    assert (e.n, e.kind, e.available) == (200_000, "int", 20 * 2**20)
    assert e.needed == experiment.estimate_peak_bytes(200_000, ["int"]) > e.available
    assert "n=200,000 would need about 23 MiB" in str(e) and "force=True" in str(e)
    assert isinstance(e, ValueError)
    records = experiment.run(200_000, "int", fresh_process=False, force=True)
    assert [r["stage"] for r in records] == list(experiment.STAGES)


# -- Ctrl-C ----------------------------------------------------------------------

# A Python 2.7 whose second gc.collect() (the gc_collect stage's) never ends.
HANG_IN_GC_COLLECT = """
import gc, time
_collect = gc.collect
_calls = [0]
def collect(*args):
    _calls[0] += 1
    if _calls[0] >= 2:
        while True:
            time.sleep(0.1)
    return _collect(*args)
gc.collect = collect
"""


def _start_and_wait_for(args, marker, **popen):
    process = subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return process, seen
    process.kill()
    pytest.fail(f"never saw {marker!r}: {''.join(seen)}")


def _interrupted(process, seen, send):
    workers = psutil.Process(process.pid).children(recursive=True)
    assert workers, "no worker interpreter running"
    send()
    out, err = process.communicate(timeout=30)
    stderr = "".join(seen) + err
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("python -m legacyint: interrupted (Ctrl-C)")
    for worker in workers:
        assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE, worker
    return out


@needs_py2
@pytest.mark.parametrize("who", ["parent", "group", "worker"])
def test_ctrl_c_stops_the_workers_and_prints_the_stages_done(tmp_path, who):
    fake = wrapped_python2(tmp_path, HANG_IN_GC_COLLECT)
    process, seen = _start_and_wait_for(
        ["--python2", fake, "--kind", "legacy", "--n", "1000"], "[py2_int] rebuilt", start_new_session=True
    )
    if who == "group":  # as a terminal's Ctrl-C: every process of the group
        send = lambda: os.killpg(process.pid, signal.SIGINT)  # noqa: E731
    elif who == "worker":  # the Python 2.7 interpreter alone
        workers = psutil.Process(process.pid).children()
        send = lambda: [worker.send_signal(signal.SIGINT) for worker in workers]  # noqa: E731
    else:
        send = lambda: process.send_signal(signal.SIGINT)  # noqa: E731
    out = _interrupted(process, seen, send)
    table = out.split("\n\n")[0].splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert "Python 2.7 int RSS MiB" in table[0]
    # Columns: stage, Python 2.7 int, LegacyInt, blocks, free. LegacyInt's
    # seven stages were done, Python 2.7's first four.
    assert list(rows) == list(experiment.STAGES)
    for stage in ("start", "built", "deleted", "rebuilt"):
        assert rows[stage][1] != "-"
    for stage in ("gc_collect", "clear_free_list", "malloc_trim"):
        assert rows[stage][1] == "-" and rows[stage][2] != "-"


@pytest.mark.slow
def test_ctrl_c_stops_a_python3_worker():
    process, seen = _start_and_wait_for(["--kind", "legacy", "--n", "40000000"], "[legacy] built")
    out = _interrupted(process, seen, lambda: process.send_signal(signal.SIGINT))
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["stage", "LegacyInt", "RSS", "MiB"]
    assert [line.split()[0] for line in lines[1:3]] == ["start", "built"]


def test_ctrl_c_keeps_a_record_the_reader_thread_was_slow_to_take(monkeypatch, tmp_path):
    """The worker has written a record and hangs; Ctrl-C lands before the
    thread that reads the worker's stdout has run (as on a loaded machine;
    here it starts only after the Ctrl-C): the record is still among the
    stages done. CI lost a stage so: on CPython 3.12 and older a Ctrl-C
    inside `Thread.join` makes the thread look stopped, and the wait for its
    last lines ended."""
    from legacyint import _workers

    Thread = _workers.threading.Thread
    written, interrupted = tmp_path / "written", _workers.threading.Event()

    class LateReader(Thread):
        def __init__(self, target, name, daemon, args=()):
            if name.endswith("-stdout"):
                body = target

                def target(*args):
                    interrupted.wait(60)
                    time.sleep(0.5)
                    body(*args)

            super().__init__(target=target, args=args, name=name, daemon=daemon)

    def interrupt_once_written():
        deadline = time.monotonic() + 60
        while not written.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.raise_signal(signal.SIGINT)
        interrupted.set()

    worker = (
        "import pathlib, time; print('{\"stage\": \"start\"}', flush=True); "
        f"pathlib.Path({str(written)!r}).touch(); time.sleep(60)"
    )
    interrupter = Thread(target=interrupt_once_written, daemon=True)
    monkeypatch.setattr(_workers.threading, "Thread", LateReader)
    interrupter.start()
    with pytest.raises(experiment.ExperimentInterrupted) as raised:
        _workers._run_worker([sys.executable, "-c", worker], "legacy", progress=False)
    interrupter.join()
    assert raised.value.records == [{"stage": "start"}]
