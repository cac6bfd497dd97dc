"""Reads a memcheck XML report (valgrind --xml=yes) and fails on any error
in it: python scripts/memcheck_report.py REPORT.xml

scripts/check-memory runs it. Every error valgrind kept after the
suppressions counts, whatever its kind (an invalid read or write, a use of
an uninitialised value, a syscall parameter, a jump to an invalid address,
a mismatched free, a leak of a kind made an error by
--errors-for-leak-kinds): the XML names each one, so no pattern over the
text log can miss a kind nobody thought of. The report must also say that
the run finished, so that a valgrind that died half-way is not a pass.

Prints each error (its kind, what valgrind said, its innermost frames, and
whether legacyint's own code is in its stack), the suppressions that were
used, and the error total; exits 1 if there is any error or the run did not
finish, 0 otherwise.
"""

import sys
import xml.etree.ElementTree as ET

FRAMES_SHOWN = 12
OURS = ("_core.cpython", "_core.abi3", "legacyint")


def frames(error):
    stack = error.find("stack")
    for frame in stack.iter("frame") if stack is not None else ():
        yield frame.findtext("fn") or frame.findtext("ip", "?"), frame.findtext("obj", "")


def describe(error):
    what = error.findtext("what") or error.findtext("xwhat/text") or ""
    stack = list(frames(error))
    ours = any(any(mark in obj or mark in fn for mark in OURS) for fn, obj in stack)
    lines = [f"{error.findtext('kind')}: {what}" + ("  [legacyint's code in the stack]" if ours else "")]
    lines += [f"    {fn}  ({obj.rsplit('/', 1)[-1]})" for fn, obj in stack[:FRAMES_SHOWN]]
    if len(stack) > FRAMES_SHOWN:
        lines.append(f"    ... {len(stack) - FRAMES_SHOWN} more frames")
    return "\n".join(lines)


def report(path):
    """(exit status, text) for the XML report at path."""
    root = ET.parse(path).getroot()
    errors = root.findall("error")
    states = [s.findtext("state") for s in root.findall("status")]
    counts = {p.findtext("unique"): int(p.findtext("count")) for p in root.iterfind("errorcounts/pair")}
    used = [(int(p.findtext("count")), p.findtext("name")) for p in root.iterfind("suppcounts/pair")]
    out = [describe(e) + (f"\n    (seen {counts[e.findtext('unique')]} times)"
                          if counts.get(e.findtext("unique"), 1) > 1 else "") for e in errors]
    out += [f"suppressed {n} times: {name}" for n, name in used]
    finished = "FINISHED" in states
    if not finished:
        out.append(f"the run did not finish (states: {states}): no verdict")
    total = sum(counts.get(e.findtext("unique"), 1) for e in errors)
    out.append(f"memcheck: {len(errors)} distinct errors, {total} in all")
    return (1 if errors or not finished else 0), "\n".join(out)


def main(argv):
    if len(argv) != 2:
        print(__doc__.splitlines()[1].strip(), file=sys.stderr)
        return 2
    status, text = report(argv[1])
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
