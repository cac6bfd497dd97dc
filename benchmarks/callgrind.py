"""Instructions per element of the hot loops, under valgrind's callgrind:
a figure that does not move with the machine's load, for comparing builds
and CPython versions where timings are too noisy.

    python benchmarks/callgrind.py                  # every loop, N = 200,000
    python benchmarks/callgrind.py --loop sum --n 100000
    python benchmarks/callgrind.py --py2 PATH       # Python 2.7's column too
    python benchmarks/callgrind.py --loop iterate --functions   # where they go
    python benchmarks/callgrind.py --split --py2 PATH            # whose they are

With --functions, each contender's instructions per element are split by
the function that runs them (callgrind_annotate's self cost, the same
difference of two runs), the largest first: which part of a loop is
CPython's own and which is legacyint's. An interpreter stripped of its
static symbols (Debian's) shows those functions by address. With --split,
one line a loop: LegacyInt's count, split into legacyint's own code (the
extension's functions) and the interpreter's (the eval loop, the calls
between the two, deallocation), beside the builtin's and Python 2.7's: where
the interpreter's part alone is more than Python 2.7's whole turn, no
change to legacyint can bring the loop level with Python 2.7.

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


def instructions(python, loop, contender, n, passes, functions=False):
    """callgrind's total instruction count for one child run, or with
    `functions` a dict of each function's own count."""
    import tempfile

    out = tempfile.NamedTemporaryFile(suffix=".callgrind", delete=False) if functions else None
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % (out.name if out else "/dev/null"),
               python, os.path.abspath(__file__), "--child", loop, contender, str(n), str(passes)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(command, capture_output=True, text=True, env=env)
        found = re.search(r"Collected : (\d+)", proc.stderr)
        if proc.returncode != 0 or not found:
            raise RuntimeError("callgrind failed for %s/%s:\n%s" % (loop, contender, proc.stderr[-2000:]))
        if not out:
            return int(found.group(1))
        listing = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", out.name], capture_output=True,
                                 text=True, check=True).stdout
        return self_costs(listing)
    finally:
        if out:
            os.unlink(out.name)


def self_costs(listing):
    """{function: instructions} from callgrind_annotate's listing, a
    function's recursion levels ('2, '3 ...) and the files its code was
    inlined from added together, named by the function and the file of
    object code it is in (which the listing gives on some lines only)."""
    line_format = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(?:\S*:)?(\S+?)(?:'\d+)?(?:\s+\[(.+)\])?\s*$")
    rows, objects = [], {}
    for line in listing.splitlines():
        found = line_format.match(line)
        if found and "PROGRAM TOTALS" not in line:
            count, function, obj = found.groups()
            rows.append((int(count.replace(",", "")), function))
            if obj:
                objects[function] = os.path.basename(obj)
    costs = {}
    for count, function in rows:
        name = "%s [%s]" % (function, objects.get(function, "?"))
        costs[name] = costs.get(name, 0) + count
    return costs


def per_element(python, loop, contender, n):
    one = instructions(python, loop, contender, n, 1)
    two = instructions(python, loop, contender, n, 2)
    return (two - one) / n


def per_element_by_function(python, loop, contender, n):
    """[(instructions per element, function)] of every function, largest
    first."""
    one = instructions(python, loop, contender, n, 1, functions=True)
    two = instructions(python, loop, contender, n, 2, functions=True)
    rows = [((two.get(name, 0) - one.get(name, 0)) / n, name) for name in set(one) | set(two)]
    return sorted(rows, reverse=True)


def is_legacyint(function):
    """Whether a row of the breakdown is legacyint's own code."""
    return "[_core." in function


def split(rows):
    """(legacyint's own instructions, everyone else's) of a breakdown."""
    own = sum(cost for cost, name in rows if is_legacyint(name))
    return own, sum(cost for cost, _ in rows) - own


def print_functions(python, loop, contender, n, label):
    rows = per_element_by_function(python, loop, contender, n)
    line = "  %s: %.1f in all" % (label, sum(cost for cost, _ in rows))
    if contender == "legacy":
        line += " (legacyint's own code %.1f, the interpreter's %.1f)" % split(rows)
    print(line)
    for cost, name in rows:
        if abs(cost) >= 0.5:
            print("    %6.1f  %s" % (cost, name))


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200000)
    parser.add_argument("--loop", action="append", choices=list(LOOPS), help="a loop to measure (repeatable)")
    parser.add_argument("--py2", help="a Python 2.7 interpreter, for its column")
    parser.add_argument("--functions", action="store_true",
                        help="each contender's instructions per element by function, largest first")
    parser.add_argument("--split", action="store_true",
                        help="LegacyInt's instructions split into legacyint's and the interpreter's, a line a loop")
    args = parser.parse_args(argv)
    loops = args.loop or list(LOOPS)
    print("instructions per element, N = %d, CPython %s (%s)" % (args.n, sys.version.split()[0], sys.executable))
    if args.split:
        print("%-12s %10s %10s %12s %10s %12s" % ("loop", "LegacyInt", "legacyint", "interpreter", "builtin",
                                                  "Python 2.7"))
        for loop in loops:
            builtin = LOOPS[loop][1]
            rows = per_element_by_function(sys.executable, loop, "legacy", args.n)
            own, interpreter = split(rows)
            line = "%-12s %10.1f %10.1f %12.1f %10.1f" % (loop, own + interpreter, own, interpreter,
                                                         per_element(sys.executable, loop, builtin, args.n))
            if args.py2:
                line += " %12.1f" % per_element(args.py2, loop, "float" if builtin == "float" else "int", args.n)
            print(line)
            sys.stdout.flush()
        return 0
    if args.functions:
        for loop in loops:
            builtin = LOOPS[loop][1]
            print("%s: %s" % (loop, LOOPS[loop][0]))
            print_functions(sys.executable, loop, "legacy", args.n, "LegacyInt")
            print_functions(sys.executable, loop, builtin, args.n, "Python 3's %s" % builtin)
            if args.py2:
                print_functions(args.py2, loop, "float" if builtin == "float" else "int", args.n, "Python 2.7")
            sys.stdout.flush()
        return 0
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
