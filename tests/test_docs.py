"""Every example in the package's docstrings runs and gives what it shows."""

import doctest
import importlib

import pytest

MODULES = [
    "legacyint",
    "legacyint._stats",
    "legacyint._gc",
    "legacyint.experiment",
    "legacyint._memory_estimate",
    "legacyint._python2",
    "legacyint._table",
    "legacyint._magic",
    "legacyint.__main__",
    "legacyint.plot",
    "legacyint.testing",
    "legacyint._core",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(module, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    examples = 0
    for test in tests:
        runner.run(test)
        examples += len(test.examples)
    assert runner.failures == 0
    assert examples > 0, f"{name} has no examples"


def test_readme_examples_in_a_fresh_interpreter():
    """The README's session, in a new process so that the pool starts empty."""
    import pathlib
    import subprocess
    import sys

    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    code = (
        "import doctest, sys\n"
        f"r = doctest.testfile({str(readme)!r}, module_relative=False)\n"
        "print(r.attempted, r.failed)\n"
        "sys.exit(1 if r.failed or not r.attempted else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_quickstart_example_runs():
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    assert "262 alive" in out and "LegacyInt(499500)" in out
