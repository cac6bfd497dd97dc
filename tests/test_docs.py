"""Every example in the package's docstrings runs and gives what it shows."""

import doctest
import importlib

import pytest

MODULES = ["legacyint", "legacyint._stats", "legacyint.experiment", "legacyint.__main__", "legacyint._core"]


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
