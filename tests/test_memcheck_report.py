"""scripts/memcheck_report.py, the verdict of scripts/check-memory, on
memcheck XML reports of each shape: any error kind fails, suppressed ones
do not, and a run that did not finish is no pass."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "memcheck_report.py"


def _xml(errors="", state="FINISHED", suppressed=""):
    return f"""<?xml version="1.0"?>
<valgrindoutput>
<protocolversion>4</protocolversion>
<status><state>RUNNING</state></status>
{errors}
<status><state>{state}</state></status>
<errorcounts></errorcounts>
<suppcounts>{suppressed}</suppcounts>
</valgrindoutput>
"""


def _error(kind, what, *frames):
    stack = "".join(f"<frame><ip>0x1</ip><obj>{obj}</obj><fn>{fn}</fn></frame>" for fn, obj in frames)
    return f"<error><unique>0x{abs(hash(kind)) % 4096:x}</unique><tid>1</tid><kind>{kind}</kind>" \
           f"<what>{what}</what><stack>{stack}</stack></error>"


def _verdict(tmp_path, text):
    report = tmp_path / "report.xml"
    report.write_text(text)
    proc = subprocess.run([sys.executable, str(SCRIPT), str(report)], capture_output=True, text=True)
    return proc.returncode, proc.stdout


OURS = ("legacyint::pooled::lifecycle::tp_dealloc", "/x/legacyint/_core.cpython-311-x86_64-linux-gnu.so")
CPYTHONS = ("PyObject_Free", "/x/libpython3.11.so.1.0")


@pytest.mark.parametrize("kind, what", [
    ("InvalidRead", "Invalid read of size 8"),
    ("UninitCondition", "Conditional jump or move depends on uninitialised value(s)"),
    ("SyscallParam", "Syscall param write(buf) points to uninitialised byte(s)"),
    ("InvalidJump", "Jump to the invalid address stated on the next line"),
    ("FishyValue", "Argument 'size' of function malloc has a fishy (possibly negative) value: -8"),
    ("Leak_DefinitelyLost", "100 bytes in 1 blocks are definitely lost"),
])
def test_any_error_kind_fails_and_is_named(tmp_path, kind, what):
    status, out = _verdict(tmp_path, _xml(_error(kind, what, OURS, CPYTHONS)))
    assert status == 1
    assert f"{kind}: {what}" in out and "legacyint's code in the stack" in out


def test_cpythons_own_error_fails_too(tmp_path):
    status, out = _verdict(tmp_path, _xml(_error("InvalidWrite", "Invalid write of size 4", CPYTHONS)))
    assert status == 1 and "legacyint's code" not in out


def test_suppressed_errors_and_a_clean_run_pass(tmp_path):
    suppressed = "<pair><count>29</count><name>cpython311-from-bytes-small-int-lookup</name></pair>"
    status, out = _verdict(tmp_path, _xml(suppressed=suppressed))
    assert status == 0, out
    assert "suppressed 29 times: cpython311-from-bytes-small-int-lookup" in out


def test_a_run_that_did_not_finish_is_no_pass(tmp_path):
    status, out = _verdict(tmp_path, _xml(state="RUNNING"))
    assert status == 1 and "did not finish" in out
