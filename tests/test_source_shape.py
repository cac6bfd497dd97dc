"""The shape of the source that the layout in docs/development.md promises:
each pooled type's folder stands on its own (the rules that mix them are in
src/tower.rs), and no file grows past what a reader takes in at once."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
LONGEST = 500  # lines

PAIRS = [("int", "float"), ("float", "int")]


def crate_paths(text):
    """The crate modules a Rust file names: `use crate::x`, `crate::x::y`."""
    return set(re.findall(r"\bcrate::(\w+)", text))


@pytest.mark.parametrize("folder, other", PAIRS)
def test_a_pooled_type_folder_never_names_the_other(folder, other):
    files = sorted((SRC / folder).glob("*.rs"))
    assert files, "no Rust files under src/%s" % folder
    offenders = [str(path.relative_to(ROOT)) for path in files if other in crate_paths(path.read_text())]
    assert not offenders, "src/%s reaches into src/%s (put the rule in src/tower.rs): %s" % (
        folder, other, ", ".join(offenders))


def test_the_tower_is_below_both_types():
    # tower.rs may know LegacyInt, float/ uses it; int/ never needs it, so
    # nothing it imports leads back to it.
    assert "tower" in crate_paths((SRC / "float" / "number.rs").read_text())
    for path in sorted((SRC / "int").glob("*.rs")) + sorted((SRC / "pooled").glob("*.rs")):
        assert "tower" not in crate_paths(path.read_text()), path


def test_no_source_file_is_over_the_limit():
    files = sorted(SRC.rglob("*.rs")) + sorted((ROOT / "python").rglob("*.py"))
    assert len(files) > 20
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > LONGEST}
    assert not long, "files over %d lines: %s" % (LONGEST, long)
