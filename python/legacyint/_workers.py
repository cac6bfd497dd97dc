"""Running one kind of the experiment in a worker interpreter: its records
read as they come, its progress passed on, Ctrl-C handed over with the
stages done so far."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from typing import IO, List

from ._python2 import Python2Error
from ._records import PY2_KINDS, Record, _normalized


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run`: the worker interpreter has been stopped;
    ``records`` holds the stages it had measured by then."""

    def __init__(self, records: List[Record]) -> None:
        super().__init__(f"interrupted after {len(records)} stages")
        self.records = records


def _stop(process: "subprocess.Popen[str]") -> None:
    """Ends a worker: SIGTERM, then SIGKILL if it has not gone in 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_worker(command: List[str], kind: str, progress: bool) -> List[Record]:
    """Runs a worker, which prints one JSON record a line as each stage is
    measured. Its progress lines go on to our stderr as they come; anything
    else it says on stderr is kept for the error message if it fails (and
    passed on if it does not)."""
    python2 = kind in PY2_KINDS
    records: List[Record] = []
    kept: List[str] = []
    # The records are read off the pipe by a thread of their own, so that a
    # Ctrl-C, which lands in this thread, can never fall between reading a
    # record and keeping it: every line the worker wrote is in `lines`.
    lines: List[str] = []
    # Each pipe's thread sets an Event when it has read to the end, and that
    # is what is waited for, not `thread.join()`: on CPython 3.12 and older
    # a KeyboardInterrupt that lands inside `Thread.join(timeout)` marks the
    # thread as stopped while it still runs (the clean-up for bpo-45274
    # releases the thread's own lock), after which `join` and `is_alive` say
    # it is done.
    relayed_to_the_end = threading.Event()
    read_to_the_end = threading.Event()

    def relay(stderr: IO[str]) -> None:
        try:
            for line in stderr:
                if line.startswith(f"[{kind}] "):
                    if progress:
                        sys.stderr.write(line)
                        sys.stderr.flush()
                else:
                    kept.append(line)
        finally:
            relayed_to_the_end.set()

    def read_records(stdout: IO[str]) -> None:
        try:
            for line in stdout:
                if line.strip():
                    lines.append(line)
        finally:
            read_to_the_end.set()

    def record(line: str) -> Record:
        try:
            return _normalized(json.loads(line), kind)
        except ValueError:
            error = Python2Error if python2 else RuntimeError
            raise error(
                f"the {'Python 2 ' if python2 else ''}worker `{' '.join(command)}` printed something that is not "
                f"a record: {line.strip()[:200]!r} (is something in its start-up writing to stdout?)"
            ) from None

    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = process.stdout, process.stderr
    relaying = reading = False
    # From here on a Ctrl-C stops the worker: the threads start inside the
    # `try`, so none of the worker's progress (a caller's cue to press
    # Ctrl-C) can be shown before a Ctrl-C would be handled.
    try:
        threading.Thread(target=relay, args=(stderr,), name=f"legacyint-{kind}-stderr", daemon=True).start()
        relaying = True
        threading.Thread(target=read_records, args=(stdout,), name=f"legacyint-{kind}-stdout", daemon=True).start()
        reading = True
        while not read_to_the_end.is_set() or len(records) < len(lines):
            read_to_the_end.wait(timeout=0.1)
            while len(records) < len(lines):  # a line that is no record stops the run at once
                records.append(record(lines[len(records)]))
        process.wait()
    except KeyboardInterrupt:
        _stop(process)
        # The worker is gone and what it wrote is in the pipe, up to the
        # end of file: wait for the reader to keep all of it. The bound is
        # for a wrapper's child that holds the pipe open after the worker
        # has gone; the reader itself needs only to be scheduled.
        if reading:
            read_to_the_end.wait(timeout=5)
        done: List[Record] = []
        for line in list(lines):
            try:
                done.append(record(line))
            except (Python2Error, RuntimeError):
                break
        raise ExperimentInterrupted(done) from None
    except BaseException:
        _stop(process)
        raise
    finally:
        if relaying:
            relayed_to_the_end.wait(timeout=5)
        if read_to_the_end.is_set() or not reading:
            stdout.close()
        if relayed_to_the_end.is_set() or not relaying:
            stderr.close()
    returncode = process.returncode
    if returncode in (130, -signal.SIGINT):  # the worker had Ctrl-C too
        raise ExperimentInterrupted(records)
    said = "".join(kept).rstrip()
    if returncode == 0:
        if said:
            print(said, file=sys.stderr)
        return records
    shown = "; its stderr:\n" + said if said else " and said nothing on stderr"
    if python2:
        raise Python2Error(
            f"the Python 2 run failed (exit code {returncode}; run `{' '.join(command)}` to see it again)" + shown
        )
    raise RuntimeError(f"experiment subprocess {command} failed with exit code {returncode}" + shown)
