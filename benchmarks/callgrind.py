"""Instructions per element of the hot loops, under valgrind's callgrind:
a figure that does not move with the machine's load, for comparing builds
and CPython versions where timings are too noisy.

    python benchmarks/callgrind.py                  # every loop, N = 200,000
    python benchmarks/callgrind.py --loop sum --n 100000
    python benchmarks/callgrind.py --py2 PATH       # Python 2.7's column too

Each loop runs in a child interpreter under callgrind twice, once and then
twice over the same data after the same setup, and the difference divided
by N is what one pass costs an element: start-up, setup and teardown cancel
out (the child leaves with os._exit, so nothing is freed at exit). The
loops run inside a function, as a program's would. Contenders: LegacyInt
(legacy), Python 3's int or float (the loop's own builtin), and with --py2
Python 2.7's int and xrange. The child part runs under Python 2.7 too, so it
is written in the language both share.
"""

from __future__ import division, print_function

import os
import re
import subprocess
import sys

OFFSET = 1000  # above every small-int cache

# loop -> (what it runs, Python 3's builtin contender)
LOOPS = {
    "construct": ("C(x) for each x of a list of ints (float(x) for the builtin)", "float"),
    "iterate": ("for x in xrange(N): pass", "int"),
    "alloc_free": ("for i in xrange(N): y = i + 1", "int"),
    "sum": ("sum(xrange(N))", "int"),
    "add": ("[a + b for a, b in zip(xs, ys)]", "int"),
}


def _child(loop, contender, n, passes):
    """Runs `loop` `passes` times after its setup, then leaves at once."""
    py2 = sys.version_info[0] == 2
    if contender == "legacy":
        import legacyint

        make, lazy = legacyint.LegacyInt, legacyint.xrange

        def build(k):
            return legacyint.range(OFFSET, OFFSET + k)
    else:
        make = float if contender == "float" else int
        lazy = xrange if py2 else range  # noqa: F821 - Python 2's xrange

        def build(k):
            return list(range(OFFSET, OFFSET + k))

    def construct(xs):
        for x in xs:
            make(x)

    def iterate(_):
        for x in lazy(OFFSET, OFFSET + n):
            pass

    def alloc_free(_):
        for i in lazy(OFFSET, OFFSET + n):
            y = i + 1  # noqa: F841 - the allocation is the point

    def sum_(_):
        sum(lazy(OFFSET, OFFSET + n))

    kept = []

    def add(operands):
        xs, ys = operands
        kept.append([a + b for a, b in zip(xs, ys)])  # freed by nobody: os._exit

    setups = {
        "construct": lambda: list(range(OFFSET, OFFSET + n)),
        "iterate": lambda: None,
        "alloc_free": lambda: None,
        "sum": lambda: None,
        "add": lambda: (build(n), build(n)),
    }
    bodies = {"construct": construct, "iterate": iterate, "alloc_free": alloc_free, "sum": sum_, "add": add}
    data = setups[loop]()
    body = bodies[loop]
    body(data)  # warm: the pool and the free lists hold what the loop needs
    for _ in range(passes):
        body(data)
    sys.stdout.flush()
    os._exit(0)


def instructions(python, loop, contender, n, passes):
    """callgrind's total instruction count for one child run."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", python, os.path.abspath(__file__),
               "--child", loop, contender, str(n), str(passes)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise RuntimeError("callgrind failed for %s/%s:\n%s" % (loop, contender, proc.stderr[-2000:]))
    return int(found.group(1))


def per_element(python, loop, contender, n):
    one = instructions(python, loop, contender, n, 1)
    two = instructions(python, loop, contender, n, 2)
    return (two - one) / n


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200000)
    parser.add_argument("--loop", action="append", choices=list(LOOPS), help="a loop to measure (repeatable)")
    parser.add_argument("--py2", help="a Python 2.7 interpreter, for its column")
    args = parser.parse_args(argv)
    loops = args.loop or list(LOOPS)
    print("instructions per element, N = %d, CPython %s (%s)" % (args.n, sys.version.split()[0], sys.executable))
    header = "%-12s %10s %10s %10s" % ("loop", "LegacyInt", "builtin", "ratio")
    if args.py2:
        header += " %12s %10s" % ("Python 2.7", "vs 2.7")
    print(header)
    for loop in loops:
        builtin = LOOPS[loop][1]
        legacy = per_element(sys.executable, loop, "legacy", args.n)
        own = per_element(sys.executable, loop, builtin, args.n)
        line = "%-12s %10.1f %10.1f %10.2f" % (loop, legacy, own, legacy / own)
        if args.py2:
            py2 = per_element(args.py2, loop, "float" if builtin == "float" else "int", args.n)
            line += " %12.1f %10.2f" % (py2, legacy / py2)
        print(line)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    sys.exit(main())
