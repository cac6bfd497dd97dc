"""What docs/operands.md lists under "Where CPython wants a real int or float":
each place where CPython itself refuses a LegacyInt or LegacyFloat (or
gives another answer than with an int or float), checked to refuse as
documented, and each workaround checked to work. A CPython that changes
one of them fails here, and the documentation is then wrong."""

import decimal
import json
import math
import operator
import struct
import sys

import pytest

from legacyint import LegacyFloat, LegacyInt


class Hashes:
    def __hash__(self):
        return LegacyInt(5) * 2


class Indexes:
    def __index__(self):
        return LegacyInt(5)


class Ints:
    def __int__(self):
        return LegacyInt(5)


class Floats:
    def __float__(self):
        return LegacyFloat(1.5)


@pytest.mark.parametrize("call", [
    lambda: hash(Hashes()),
    lambda: operator.index(Indexes()),
    lambda: int(Ints()),
    lambda: float(Floats()),
    lambda: json.dumps(LegacyInt(5)),
    lambda: json.dumps(LegacyFloat(1.5)),
    lambda: "%*d" % (LegacyInt(5), 3),
    lambda: decimal.Context(prec=LegacyInt(5)),
    lambda: float.hex(LegacyFloat(1.5)),
], ids=["__hash__", "__index__", "__int__", "__float__", "json int", "json float", "%*d", "Context(prec)",
        "float.hex"])
def test_cpython_refuses_a_pooled_object_where_it_wants_the_builtin(call):
    with pytest.raises(TypeError):
        call()


def test_the_workaround_is_int_or_float():
    class HashesInt:
        def __hash__(self):
            return int(LegacyInt(5) * 2)

    assert hash(HashesInt()) == 10
    assert json.dumps([int(LegacyInt(5)), float(LegacyFloat(1.5))]) == "[5, 1.5]"
    assert "%*d" % (int(LegacyInt(5)), 3) == "    3"
    assert decimal.Context(prec=int(LegacyInt(5))).prec == 5
    assert float.hex(float(LegacyFloat(1.5))) == LegacyFloat(1.5).hex() == "0x1.8000000000000p+0"


def test_what_takes_index_or_float_takes_them():
    """Not refused: whatever CPython reads through __index__ or __float__."""
    assert struct.pack("q", LegacyInt(5)) == struct.pack("q", 5)
    assert struct.pack("d", LegacyFloat(1.5)) == struct.pack("d", 1.5)
    assert "%d %x %.1f" % (LegacyInt(5), LegacyInt(255), LegacyFloat(1.5)) == "5 ff 1.5"
    assert [1, 2, 3][LegacyInt(1)] == 2 and range(LegacyInt(3)) == range(3)
    assert math.sqrt(LegacyInt(16)) == 4.0


def test_builtin_methods_called_through_the_type_decline():
    """int.__add__(1, x), complex.__eq__(z, x) return NotImplemented (the
    operators answer); Decimal's methods accept (numbers.Integral)."""
    assert int.__add__(1, LegacyInt(2)) is NotImplemented and 1 + LegacyInt(2) == 3
    assert complex.__eq__(1 + 0j, LegacyInt(1)) is NotImplemented and (1 + 0j) == LegacyInt(1)
    assert decimal.Decimal.__lt__(decimal.Decimal(1), LegacyInt(2)) is True


@pytest.mark.skipif(sys.version_info < (3, 12), reason="exact-float compensated sum is new in CPython 3.12")
def test_exact_float_fast_paths_are_for_exact_floats():
    """Since 3.12 sum() adds exact floats with compensation and
    math.sumprod() with extended precision; a LegacyFloat is not an exact
    float, so it gets plain addition, as Python 2.7's own sum did."""
    assert sum([0.1] * 10) == 1.0
    assert sum([LegacyFloat(0.1)] * 10) == 0.9999999999999999
    assert math.fsum([LegacyFloat(0.1)] * 10) == 1.0  # the workaround
    assert math.sumprod([1.0, 1e101, 1.0, -1e101], [1.0] * 4) == 2.0
    assert math.sumprod([LegacyFloat(v) for v in (1.0, 1e101, 1.0, -1e101)], [1.0] * 4) == 0.0
    assert math.sumprod([float(LegacyFloat(v)) for v in (1.0, 1e101, 1.0, -1e101)], [1.0] * 4) == 2.0
