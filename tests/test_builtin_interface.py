"""The pooled types offer what the running interpreter's int and float offer:
every name, and the methods CPython added lately, with CPython's own tests
of them."""

import math
import sys

import pytest

from legacyint import LegacyFloat, LegacyInt


class SubF(LegacyFloat):
    pass


def _private(name):
    """Names dir() lists that are no one's interface: a single leading
    underscore (none on int or float today)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize(("builtin", "pooled"), [(int, LegacyInt), (float, LegacyFloat)],
                         ids=["int", "float"])
def test_every_name_of_the_builtin_is_on_the_pooled_type(builtin, pooled):
    # Read from this interpreter: a version that adds a method (float gained
    # from_number in 3.14) fails here until the pooled type has it too.
    missing = sorted(n for n in dir(builtin) if not _private(n) and n not in dir(pooled))
    assert missing == [], f"{pooled.__name__} lacks {builtin.__name__}'s {missing} on {sys.version.split()[0]}"


class _FloatLike:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


class _MyIndex:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class _IntOnly:
    def __int__(self):
        return 314


class _OtherFloatSubclass(float):
    pass


@pytest.mark.skipif(not hasattr(float, "from_number"), reason="float.from_number is new in CPython 3.14")
@pytest.mark.parametrize("cls", [LegacyFloat, SubF])
def test_from_number_as_cpythons_test_float(cls):
    # CPython 3.14's Lib/test/test_float.py, test_from_number and
    # test_from_number_subclass, with LegacyFloat for float.
    def eq(actual, expected):
        assert actual == expected
        assert type(actual) is cls

    eq(cls.from_number(3.14), 3.14)
    eq(cls.from_number(314), 314.0)
    eq(cls.from_number(_OtherFloatSubclass(3.14)), 3.14)
    eq(cls.from_number(_FloatLike(3.14)), 3.14)
    eq(cls.from_number(_MyIndex(314)), 314.0)
    eq(cls.from_number(LegacyInt(314)), 314.0)
    eq(cls.from_number(LegacyFloat(2.5)), 2.5)

    x = cls.from_number(math.nan)
    assert x != x
    assert type(x) is cls
    for bad in ("3.14", b"3.14", 3.14j, _IntOnly(), {}):
        with pytest.raises(TypeError):
            cls.from_number(bad)
    with pytest.raises(TypeError):
        cls.from_number()
    with pytest.raises(OverflowError):
        cls.from_number(10**400)


@pytest.mark.skipif(not hasattr(float, "from_number"), reason="float.from_number is new in CPython 3.14")
def test_from_number_returns_an_exact_legacy_float_itself():
    # As float.from_number(x) is x for an exact float.
    nan = LegacyFloat(math.nan)
    assert LegacyFloat.from_number(nan) is nan
    assert type(SubF.from_number(nan)) is SubF
