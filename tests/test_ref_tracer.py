"""A profiler's reference tracer (CPython 3.13+) sees every pooled object's
CREATE with its DESTROY, whenever it is set.

The pooled types write a new object's header themselves, which skips the
CREATE event that PyObject_Init reports; they must notice a tracer and take
PyObject_Init while one is set. The tracer here is C (tests/helpers/reftracer.c,
built with this interpreter's compiler), as a profiler's is."""

import shlex
import subprocess
import sys
import sysconfig
from importlib.machinery import ExtensionFileLoader
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pytest

from legacyint import LegacyFloat, LegacyInt, xrange

import legacyint._core

needs_tracers = pytest.mark.skipif(sys.version_info < (3, 13), reason="PyRefTracer_SetTracer is new in CPython 3.13")

SOURCE = Path(__file__).parent / "helpers" / "reftracer.c"


def test_headers_are_written_inline_on_a_release_interpreter():
    # The fast path, kept: on 3.13+ only if the tracer's field was found at
    # import (else every object would take PyObject_Init).
    expected = "inline unless a reference tracer is set" if sys.version_info >= (3, 13) else "inline"
    assert not hasattr(sys, "gettotalrefcount")
    assert legacyint._core._HEADER_WRITER == expected


@pytest.fixture(scope="module")
def reftracer(tmp_path_factory):
    out = tmp_path_factory.mktemp("reftracer") / ("reftracer" + sysconfig.get_config_var("EXT_SUFFIX"))
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")
    command = [*cc, "-shared", "-fPIC", "-O1", "-I", sysconfig.get_paths()["include"], str(SOURCE), "-o", str(out)]
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0, f"{shlex.join(command)}\n{built.stdout}{built.stderr}"
    spec = spec_from_file_location("reftracer", out, loader=ExtensionFileLoader("reftracer", str(out)))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SubI(LegacyInt):
    pass


@needs_tracers
def test_every_create_has_its_destroy(reftracer):
    reftracer.start((LegacyInt, LegacyFloat, SubI))
    try:
        ints = [LegacyInt(i + 10**6) for i in range(1000)]
        floats = [LegacyFloat(i + 0.5) for i in range(1000)]
        sums = [a + b for a, b in zip(ints, ints)]
        from_xrange = list(xrange(10**6, 10**6 + 500))
        subs = [SubI(i) for i in range(100)]
        del ints, floats, sums, from_xrange, subs
    finally:
        creates, destroys = reftracer.stop()
    assert creates == destroys == 1000 + 1000 + 1000 + 500 + 100


@needs_tracers
def test_a_tracer_set_between_create_and_destroy(reftracer):
    # Objects made before the tracer is set are seen dying only; those made
    # under it, both ways; none made after it is taken away is seen.
    before = [LegacyInt(i + 10**6) for i in range(300)]
    reftracer.start((LegacyInt,))
    try:
        during = [LegacyInt(i + 10**6) for i in range(200)]
        del before, during
    finally:
        creates, destroys = reftracer.stop()
    after = [LegacyInt(i + 10**6) for i in range(100)]
    del after
    assert (creates, destroys) == (200, 500)


@needs_tracers
def test_cached_small_ints_are_not_created_again(reftracer):
    # The small-int cache hands out objects made at import, as int's does.
    reftracer.start((LegacyInt,))
    try:
        small = [LegacyInt(i) for i in range(-5, 257)]
        del small
    finally:
        creates, destroys = reftracer.stop()
    assert (creates, destroys) == (0, 0)


@needs_tracers
def test_a_tracer_set_before_import_is_left_alone(reftracer):
    # Locating the tracer's field means setting a tracer for a moment; with
    # a profiler's already set, legacyint must not touch it (3.15 would tell
    # it that it was removed) and makes every object through PyObject_Init.
    script = f"""
import sys
from importlib.machinery import ExtensionFileLoader
from importlib.util import module_from_spec, spec_from_file_location
spec = spec_from_file_location("reftracer", {reftracer.__file__!r},
                               loader=ExtensionFileLoader("reftracer", {reftracer.__file__!r}))
reftracer = module_from_spec(spec)
spec.loader.exec_module(reftracer)
reftracer.start(())
import legacyint, legacyint._core
assert reftracer.intact(), "legacyint disturbed the tracer set before it"
assert legacyint._core._HEADER_WRITER == "PyObject_Init", legacyint._core._HEADER_WRITER
print(reftracer.stop())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
