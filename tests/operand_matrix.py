"""The operand matrix: every operator against every kind of operand, pooled
against its twin (run as a child process by test_operand_matrix.py; also the
comparison code that fuzz/fuzz_operands.py shares).

The claim under test: a LegacyInt behaves as an int and a LegacyFloat as a
float, for every operator and every kind of operand, in results, exceptions,
which operand's user methods run and in what order.

Each cell is one expression. It is evaluated twice: with the pooled
operand(s), and with every pooled object replaced by its *twin*:

    LegacyInt(v)   -> int(v)            PlainLI(v) -> PlainI(v)   (plain subclasses)
    LegacyFloat(v) -> float(v)          LoudLI(v)  -> LoudI(v)    (logging subclasses)
                                        PlainLF(v) -> PlainF(v), LoudLF(v) -> LoudF(v)

Each twin subclass is defined the same way as its pooled subclass, on int or
float instead of LegacyInt or LegacyFloat. The two outcomes must agree:

* results: the type normalised (LegacyInt ~ int, LegacyFloat ~ float, pooled
  subclass ~ its twin; compared by class name after that mapping; an integer
  result beyond a C long is a plain int on the pooled side, by design, and
  maps to int as well), the value (nan equals nan, the sign of a zero counts,
  recursively into tuples and lists), and equality for non-numbers
  (``3 * "a"``);
* exceptions: the same exception type, and the same message after the pooled
  type names are replaced by the twins' ('legacyint.LegacyInt' and
  'LegacyInt' -> 'int', 'legacyint.LegacyFloat'/'LegacyFloat' -> 'float',
  'PlainLI' -> 'PlainI', ...), and on 3.14+ without the value that
  math's domain errors add for an argument that is not an int (``, got
  -7.0``: a LegacyInt is read through ``__float__``, an int is not).
  MESSAGE_EXEMPT lists the cells whose messages cannot match for a
  principled reason; only the type is compared there;
* user methods: the logging classes (LoudLI/LoudI, LoudLF/LoudF, LogInt,
  NoReflInt, LogFloat, Foreign) append (class, method, normalised
  arguments, whether an argument was a pooled object, the outcome:
  NotImplemented, answered or raised) to LOG, before calling super(). The
  two logs must be equal, entry by entry, in order, except for these
  expected divergences, and only these:

  1. RETRY (drop_retried): when CPython has already called a user method
     with the pooled object and it returned NotImplemented
     (``super().__add__(x)`` in an int subclass cannot handle a LegacyInt;
     ``Foreign`` answers only ints), the pooled type asks that same method
     again with the plain value; and when the pooled type, answering first,
     asked a method with the plain value and it declined, CPython then asks
     it again with the pooled object. So from the pooled run's log a call
     that declined a pooled argument is dropped when the same method is
     asked with plain values in the calls right after it, or was asked with
     plain values and declined right before it.
  2. PLAIN VALUE: other types' methods are handed the plain int or float
     where the pooled object was (as they would be handed with an int in
     its place), never an instance of the twin subclass, which the pooled
     side cannot make: in logged arguments, and in what Foreign answers,
     PlainI/LoudI compare as int, PlainF/LoudF as float. The "argument was
     pooled" field itself is not compared.
  3. THE POOLED SUBCLASS'S OWN METHODS (LoudLI's and LoudLF's, logged as
     LoudI and LoudF): CPython's dispatch and the other operand's own type
     checks (PyLong_Check, PyFloat_Check, isinstance(x, int) in Decimal and
     Fraction) take the twin subclass for an int or float but the pooled
     subclass for a foreign object. So the other operand answers the twin
     itself and declines the pooled one, whose reflected method then runs
     (``Decimal('7') + LoudLI(5)`` runs LoudLI.__radd__, ``Decimal('7') +
     LoudI(5)`` runs nothing of LoudI); and the pooled subclass's super()
     answers (through the dispatch) where int's or float's returns
     NotImplemented and leaves it to the other operand, which then asks the
     twin's method again (``LoudLF(0.0) ** Fraction(1, 2)``). Neither the
     user nor the Rust side can change that. So these entries are set aside
     from the comparison above and checked apart: every call of its own
     methods that the twin made, not from inside another logged method,
     and that answered must also be made, in the same order, on the pooled
     side, which may make more (own_methods).
  4. COMPARISON ORDER (comparison_order_exempt): a pooled subclass
     instance compared with an int or float subclass that overrides
     comparisons, the latter on the left; only the outcome is compared. A
     pooled type's tp_richcompare cannot tell whether CPython called it
     first or reflected, after the left operand's method declined. The rule
     looks at the operands' types, not at the expression's text, so that
     it holds where the left operand is itself computed
     (``max(LogFloat(1.5), 1) < PlainLF(-2.0)``).
  5. A POOLED MODULUS IS ASKED LAST (CPython 3.14+, drop_modulus_declined):
     for ``pow(a, b, m)`` CPython asks a's slot, then b's, then m's. Since
     3.14 b's slot, if b's class defines ``__rpow__``, calls it with the
     modulus (before, three-argument pow never used ``__rpow__``). With a
     pooled m, int's own slot, reached through super(), declines (its
     modulus is not an int) where, for the twin, a's int slot answered
     before b was asked (``pow(True, LogInt(3), LegacyInt(5))``) or b's
     ``__rpow__`` answered. The pooled slot, asked last, then asks with
     plain values what int's dispatch asks. Nothing the pooled type does
     runs before those calls, so from the pooled run's log an ``__rpow__``
     call that declined a pooled modulus is dropped, and then rule 1
     applies to what is left.

Outside the claim, skipped on both sides (outside_the_claim): cells that no
pooled slot is ever asked about (before 3.14, three-argument pow with LoudLI
or LoudLF as exponent or modulus: CPython's slot_nb_power) and round(x, n)
of a Decimal or Fraction with a pooled n (both take only a real int there). A pooled
object's repr names its type (LegacyInt(5)), by design: in a str made of
reprs it reads as the twin's, and the logging subclasses' reprs are built
from the value.

After every cell both pools must satisfy in_use + free == capacity.

Usage (the parent test does this): ``python operand_matrix.py --group NAME
--start K --progress FILE --results FILE``; before running a cell the child
writes "index<TAB>name" to the progress file, so that a crash (segfault,
abort, C stack overflow) is blamed on the cell that was running; it appends
each mismatch to the results file as a JSON line. After a crash the parent starts the child again after the crashed
cell, with the crashed cell's shape (operator and pooled operand types) in
``--fork-shapes``: the remaining cells of that shape run each in a forked
child, so that every crashing cell is found and named. ``--list`` prints the
groups, ``--only SUBSTRING`` runs the cells whose name contains it and
prints every outcome (for debugging one cell by hand).
"""

import argparse
import cmath
import json
import math
import operator
import os
import re
import sys
from decimal import Decimal
from fractions import Fraction

import legacyint
from legacyint import LONG_MAX, LONG_MIN, LegacyFloat, LegacyInt

# -- the logging machinery ---------------------------------------------------

LOG = []

BINARY_NAMES = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "or", "xor",
                "divmod"]
FORWARD = [f"__{n}__" for n in BINARY_NAMES]
REFLECTED = [f"__r{n}__" for n in BINARY_NAMES]
COMPARE = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]
ALL_OPERATOR_METHODS = FORWARD + REFLECTED + COMPARE

POOLED_TYPES = (LegacyInt, LegacyFloat)


def is_pooled(x):
    return isinstance(x, POOLED_TYPES)


_DEPTH = [0]  # how many logged methods are running: a call made inside one is nested


def _log_call(log_name, method, args, call):
    # Which arguments were pooled objects, one flag each, and how deeply the
    # call is nested in other logged calls (neither is compared).
    entry = [log_name, method, tuple(norm(a) for a in args), tuple(map(is_pooled, args)), "raised", _DEPTH[0]]
    LOG.append(entry)
    _DEPTH[0] += 1
    try:
        result = call()
    finally:
        _DEPTH[0] -= 1
    entry[4] = "NotImplemented" if result is NotImplemented else "answered"
    return result


def logging_class(name, base, log_name, reflected_not_implemented=False):
    """A subclass of `base` that overrides every forward and reflected
    operator and comparison: log, then super() (or NotImplemented for the
    reflected ones if asked). log_name is the twin's name on both sides."""
    # The repr is built from the value, not from base.__repr__: a pooled
    # object's own repr names its type ("LegacyInt(5)"), by design, where
    # int's is "5".
    convert = int if issubclass(base, (int, LegacyInt)) else float
    namespace = {"__hash__": base.__hash__, "__repr__": lambda self: f"{log_name}({convert(self)!r})"}
    for method in ALL_OPERATOR_METHODS:
        def forward(self, *args, _method=method):
            if reflected_not_implemented and _method in REFLECTED:
                return _log_call(log_name, _method, args, lambda: NotImplemented)
            return _log_call(log_name, _method, args, lambda: getattr(base, _method)(self, *args))
        forward.__name__ = method
        namespace[method] = forward
    return type(name, (base,), namespace)


# -- pooled subclasses and their twins ---------------------------------------

class PlainLI(LegacyInt):
    pass


class PlainI(int):
    pass


class PlainLF(LegacyFloat):
    pass


class PlainF(float):
    pass


LoudLI = logging_class("LoudLI", LegacyInt, "LoudI")
LoudI = logging_class("LoudI", int, "LoudI")
LoudLF = logging_class("LoudLF", LegacyFloat, "LoudF")
LoudF = logging_class("LoudF", float, "LoudF")

# pooled type -> (twin type, name to show)
TWIN = {
    LegacyInt: int,
    LegacyFloat: float,
    PlainLI: PlainI,
    LoudLI: LoudI,
    PlainLF: PlainF,
    LoudLF: LoudF,
}


def twin_of(x):
    """The object x stands for: its twin if it is pooled, else x."""
    t = TWIN.get(type(x))
    if t is None:
        if is_pooled(x):  # a pooled subclass from elsewhere (the fuzzer builds none)
            return (int if isinstance(x, LegacyInt) else float)(x)
        return x
    if issubclass(t, int):
        return t(operator.index(x))
    return t(float(x))


# -- the other operands: the same object on both sides -----------------------

class SubInt(int):
    pass


LogInt = logging_class("LogInt", int, "LogInt")
NoReflInt = logging_class("NoReflInt", int, "NoReflInt", reflected_not_implemented=True)


class SubFloat(float):
    pass


LogFloat = logging_class("LogFloat", float, "LogFloat")


class SubComplex(complex):
    pass


class SubFraction(Fraction):
    pass


class Foreign:
    """A number class of its own (not an int subclass): answers ints with a
    tag, anything else with NotImplemented; logs every call."""

    __hash__ = object.__hash__

    def __repr__(self):
        return "Foreign()"


def _foreign_method(method):
    def f(self, *args):
        def answer():
            if all(isinstance(a, int) for a in args):
                # The value's base type, not its class: a pooled subclass
                # instance reaches another type as a plain int (PLAIN VALUE).
                return ("Foreign", method) + tuple(int(a) for a in args)
            return NotImplemented
        return _log_call("Foreign", method, args, answer)
    f.__name__ = method
    return f


for _m in ALL_OPERATOR_METHODS:
    setattr(Foreign, _m, _foreign_method(_m))


class IndexOnly:
    def __index__(self):
        return 3

    def __repr__(self):
        return "IndexOnly()"


class FloatOnly:
    def __float__(self):
        return 2.5

    def __repr__(self):
        return "FloatOnly()"


# -- normalising outcomes ----------------------------------------------------

NAME_MAP = {
    "legacyint.LegacyInt": "int",
    "legacyint.LegacyFloat": "float",
    "LegacyInt": "int",
    "LegacyFloat": "float",
}
for _pooled, _twin in TWIN.items():
    if _pooled not in POOLED_TYPES:
        NAME_MAP[_pooled.__name__] = _twin.__name__
_NAME_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(NAME_MAP, key=len, reverse=True)) + r")\b")


def _pooled_repr_pattern():
    """A pooled object's repr as the pooled types write it ("LegacyInt(5)",
    "PlainLI(5)"), for the classes that keep that repr."""
    names = [t.__name__ for t in TWIN if t.__repr__ in (LegacyInt.__repr__, LegacyFloat.__repr__)]
    return re.compile(r"\b(?:" + "|".join(names) + r")\(([^()]*)\)")


_POOLED_REPR = _pooled_repr_pattern()


# Since 3.14 math.log and its kin word a domain error by the path the
# argument took: "expected a positive input" for an int (PyLong_Check),
# "expected a positive input, got -7.0" for anything read through
# __float__, as a LegacyInt is (it is not an int subclass, and the pooled
# type cannot make it one). The value read is dropped from the message.
_MATH_DOMAIN_VALUE = re.compile(r"^(expected a (?:positive|nonnegative) input), got [^,]+$")


def normalise_message(message):
    if sys.version_info >= (3, 14):
        message = _MATH_DOMAIN_VALUE.sub(r"\1", message)
    return _NAME_RE.sub(lambda m: NAME_MAP[m.group(1)], message)


def type_name(t):
    twin = TWIN.get(t)
    if twin is not None:
        return twin.__name__
    return t.__name__


def norm(v):
    """A comparable, hashable picture of a value, pooled types as twins.
    Calls no user method (no ==, no repr of user objects)."""
    t = type(v)
    name = type_name(t)
    if isinstance(v, (int, LegacyInt)):
        return (name, operator.index(v))
    if isinstance(v, (float, LegacyFloat)):
        return (name, float.__repr__(float(v)))  # 'nan', '-0.0', 'inf'
    if isinstance(v, complex):
        return (name, complex.__repr__(complex(v)))
    if isinstance(v, Fraction):
        return (name, v.numerator, v.denominator)
    if isinstance(v, Decimal):
        return (name, Decimal.__str__(v))
    if isinstance(v, (tuple, list)):
        return (name, tuple(norm(x) for x in v))
    if isinstance(v, str):
        # A pooled object's repr names its type ("LegacyInt(5)"), by design,
        # where int's is "5": inside a str made of reprs (str of a tuple)
        # it reads as the twin's.
        return (name, _POOLED_REPR.sub(r"\1", v))
    if isinstance(v, bytes):
        return (name, v)
    if v is None or v is NotImplemented:
        return (name,)
    return (name, "<instance>")


def outcome(fn, *args):
    """('value', norm(result)) or ('error', exception type name, message)."""
    try:
        result = fn(*args)
    except Exception as error:  # noqa: BLE001 - compared with the twin's
        return ("error", type(error).__name__, normalise_message(str(error)))
    return ("value", norm(result))


def drop_retried(log):
    """The pooled run's log without the allowed divergence (module docstring):
    a call that declined a pooled argument is dropped when the same class's
    same method is asked again, with the same arguments made plain, in the
    calls that follow it in a row (a LegacyInt's dispatch may first pass a LegacyFloat operand
    on to LegacyFloat's, which asks once more), or when it follows a call of
    that method with plain values that declined too (the pooled type asked
    first, then CPython)."""
    def same_call(a, b):  # class, method and arguments, a pooled subclass's as its base
        return _entry(a)[:3] == _entry(b)[:3]

    kept = []
    for i, entry in enumerate(log):
        declined_pooled = any(entry[3]) and entry[4] == "NotImplemented"
        retried_after = False
        for later in log[i + 1:]:
            if not same_call(later, entry):
                break
            if not any(later[3]):
                retried_after = True
                break
        prev = log[i - 1] if i > 0 else None
        retried_before = (prev is not None and same_call(prev, entry) and not any(prev[3])
                          and prev[4] == "NotImplemented")
        if declined_pooled and (retried_after or retried_before):
            continue
        kept.append(entry)
    return kept


# The twin subclasses as their base, for the arguments of logged calls.
_ARG_BASE = {t.__name__: ("int" if issubclass(t, int) else "float") for p, t in TWIN.items() if p not in POOLED_TYPES}
POOLED_SUBCLASS_LOGS = {"LoudI", "LoudF"}  # the log names of the pooled subclasses' methods


def _arg_collapsed(a):
    if isinstance(a, tuple) and a and a[0] in _ARG_BASE:
        return (_ARG_BASE[a[0]],) + a[1:]
    return a


def _entry(e):
    return (e[0], e[1], tuple(_arg_collapsed(a) for a in e[2]), e[4])


# Since 3.14 three-argument pow() asks the second operand's __rpow__ too.
RPOW_TAKES_MODULUS = sys.version_info >= (3, 14)


def drop_modulus_declined(log):
    """The pooled run's log without the calls of rule 5 (module docstring):
    on 3.14+, an ``__rpow__(other, modulus)`` that declined a pooled
    modulus, asked by CPython before the modulus's own slot."""
    if not RPOW_TAKES_MODULUS:
        return log
    return [e for e in log
            if not (e[1] == "__rpow__" and len(e[3]) == 2 and e[3][1] and e[4] == "NotImplemented")]


def comparable_log(log, pooled_run):
    """The entries to compare, as (class, method, arguments, outcome): the
    "argument was pooled" field left out, a pooled subclass's twin argument
    as its base, the pooled subclasses' own methods (LoudI, LoudF) set
    aside, and in the pooled run the retried calls dropped (module
    docstring)."""
    kept = [e for e in log if e[0] not in POOLED_SUBCLASS_LOGS]
    if pooled_run:
        kept = drop_retried(drop_modulus_declined(kept))
    return [_entry(e) for e in kept]


def own_methods(log, answered_only=False, top_level_only=False):
    """The calls of the pooled subclasses' own methods: (class, method). Not
    the arguments: the other operand may convert itself for the twin
    (Fraction turns itself into a float for a float) and not for the pooled
    object it declines. With `answered_only`, only the calls that returned
    a value: a twin's own call that declined (float's super() declines a
    Fraction) need not happen on the pooled side, whose super() answers it
    through the dispatch; nor one that raised, where the other operand's
    slot raises the same error for the pooled object before CPython asks
    the pooled subclass (``pow(1.5, LoudLF(0.5), 5)`` on 3.14+: float's
    slot refuses a third argument; for the twin, a float subclass, CPython
    first asks ``LoudF.__rpow__``, whose super() refuses it the same way).
    The outcomes themselves are compared in full. With `top_level_only`,
    only the calls that no other logged method made, and not those that
    float's comparison made with an int of its own (_float_comparison_int):
    a twin's own method called from inside another's is called by the other
    type's code with the twin instance (float's comparison with an int
    beyond 2**53 asks ``LoudI.__ne__`` again), where that code is handed a
    plain value on the pooled side (rule 2), and so calls nothing of the
    pooled subclass."""
    return [_entry(e)[:2] for e in log
            if e[0] in POOLED_SUBCLASS_LOGS and (not answered_only or e[4] == "answered")
            and (not top_level_only or (e[5] == 0 and not _float_comparison_int(e)))]


def _float_comparison_int(entry):
    """Whether a twin's logged call is a comparison that float's own code
    made with an int of its own: comparing a float with an int of more than
    48 bits, float turns the float into an int and compares the two ints,
    which asks an int subclass's reflected method (``2.0**62 ==
    LoudI(2**63 - 1)`` calls ``LoudI.__eq__(2**62)``, even at the top level
    of an expression). The pooled side hands float a plain int (rule 2),
    so nothing of the pooled subclass is called."""
    _, method, args = entry[:3]
    if method not in COMPARE or len(args) != 1 or args[0][0] != "int":
        return False
    value = args[0][1]
    return isinstance(value, int) and abs(value) >= 2**48 and float(value) == value


def is_subsequence(needles, haystack):
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


def evaluate(fn, args):
    """Outcome and log of fn(*args)."""
    LOG.clear()
    result = outcome(fn, *args)
    log = [tuple(e) for e in LOG]
    LOG.clear()
    return result, log


def differ(pooled, twin, message_exempt=False, log_exempt=False):
    """None if the pooled (outcome, log) agrees with the twin's, else why not."""
    (p_out, p_log), (t_out, t_log) = pooled, twin
    if message_exempt and p_out[0] == t_out[0] == "error":
        same = p_out[1] == t_out[1]
    else:
        same = p_out == t_out
    if not same:
        return "result"
    if log_exempt:
        return None
    if comparable_log(p_log, True) != comparable_log(t_log, False):
        return "methods"
    if not is_subsequence(own_methods(t_log, answered_only=True, top_level_only=True), own_methods(p_log)):
        return "methods"
    return None


def too_big(name, args):
    """Cells int itself would take minutes or gigabytes for (checked on the
    twin's arguments): skipped on both sides."""
    def big_int(x, limit):
        return isinstance(x, int) and not isinstance(x, bool) and abs(x) > limit
    if name in ("pow", "ipow") and len(args) >= 2:
        base, exp = args[0], args[1]
        modulus = args[2] if len(args) > 2 else None
        if modulus is not None and isinstance(modulus, int) and modulus != 0:
            return False
        if big_int(exp, 4096) and (isinstance(base, Fraction) or (isinstance(base, int) and abs(base) > 1)):
            return True
        if isinstance(exp, Fraction) and exp.denominator == 1 and abs(exp) > 4096:
            return True
    if name in ("lshift", "ilshift") and len(args) == 2:
        if isinstance(args[1], int) and 2**20 < args[1] < 2**56 and args[0]:
            return True
    if name in ("mul", "imul") and len(args) == 2:
        for seq, n in (args, args[::-1]):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and 10**4 < n < 2**56:
                return True
    if name == "round_n" and len(args) == 2 and isinstance(args[1], (int, Fraction)) and abs(args[1]) > 10**4:
        return True
    if name == "repeat_str" and len(args) == 1 and isinstance(args[0], int) and 10**4 < args[0] < 2**56:
        return True
    return False


def check_pools():
    """The pools' invariant, or a description of the breach."""
    for kind in ("int", "float"):
        s = legacyint.pool_stats(kind)
        if s.in_use + s.free != s.capacity:
            return f"pool_stats({kind!r}): in_use {s.in_use} + free {s.free} != capacity {s.capacity}"
    return None


# -- the operands ------------------------------------------------------------

def _fmt_int(v):
    for k, s in ((LONG_MAX, "LONG_MAX"), (LONG_MIN, "LONG_MIN"), (2**62, "2**62"), (2**63, "2**63"),
                 (-(2**63), "-2**63"), (10**30, "10**30")):
        if v == k:
            return s
    return repr(v)


def pooled_operand(cls, value):
    """(label, factory): factory(True) builds the pooled object, factory(False) its twin."""
    twin = TWIN[cls]
    text = _fmt_int(value) if isinstance(value, int) else repr(value)
    return (f"{cls.__name__}({text})", lambda pooled: cls(value) if pooled else twin(value))


def shared_operand(label, make):
    return (label, lambda pooled: make())


POOLED_INT_VALUES = [0, 5, -7, 300, LONG_MAX, LONG_MIN]
POOLED_FLOAT_VALUES = [0.0, -0.0, 0.5, -2.5, 7.0, math.nan, math.inf]

POOLED = (
    [pooled_operand(cls, v) for v in POOLED_INT_VALUES for cls in (LegacyInt, PlainLI, LoudLI)]
    + [pooled_operand(cls, v) for v in POOLED_FLOAT_VALUES for cls in (LegacyFloat, PlainLF, LoudLF)]
)

_INTS = [0, 1, -1, 5, -7, 2**62, 2**63, -(2**63), 10**30, True, False]
_FLOATS = [0.0, -0.0, 1.5, -2.5, math.nan, math.inf, -math.inf, 1e300, 5e-324]

OTHERS = (
    [shared_operand(_fmt_int(v), lambda v=v: v) for v in _INTS]
    + [shared_operand(repr(v), lambda v=v: v) for v in _FLOATS]
    + [shared_operand(repr(v), lambda v=v: v) for v in (1 + 2j, 0j)]
    + [
        shared_operand("Fraction(1, 2)", lambda: Fraction(1, 2)),
        shared_operand("Fraction(7)", lambda: Fraction(7)),
        shared_operand("Decimal('0.5')", lambda: Decimal("0.5")),
        shared_operand("Decimal('7')", lambda: Decimal("7")),
        shared_operand("'ab'", lambda: "ab"),
        shared_operand("b'ab'", lambda: b"ab"),
        shared_operand("[1]", lambda: [1]),
        shared_operand("(1,)", lambda: (1,)),
        shared_operand("None", lambda: None),
        shared_operand("object()", object),
        shared_operand("SubInt(3)", lambda: SubInt(3)),
        shared_operand("LogInt(3)", lambda: LogInt(3)),
        shared_operand("NoReflInt(3)", lambda: NoReflInt(3)),
        shared_operand("SubFloat(1.5)", lambda: SubFloat(1.5)),
        shared_operand("LogFloat(1.5)", lambda: LogFloat(1.5)),
        shared_operand("SubComplex(1+1j)", lambda: SubComplex(1 + 1j)),
        shared_operand("SubFraction(1, 3)", lambda: SubFraction(1, 3)),
        shared_operand("Foreign()", Foreign),
        shared_operand("IndexOnly()", IndexOnly),
        shared_operand("FloatOnly()", FloatOnly),
    ]
    + [
        pooled_operand(LegacyInt, 3),
        pooled_operand(LegacyInt, 2**62),
        pooled_operand(LegacyInt, -1),
        pooled_operand(LegacyFloat, 2.5),
        pooled_operand(LegacyFloat, -0.0),
        pooled_operand(PlainLI, 4),
        pooled_operand(LoudLI, 6),
        pooled_operand(PlainLF, 0.25),
        pooled_operand(LoudLF, 1.5),
    ]
)

# -- the operators -----------------------------------------------------------

BINARY = {  # name: (symbol or template, function)
    "add": ("{a} + {b}", operator.add),
    "sub": ("{a} - {b}", operator.sub),
    "mul": ("{a} * {b}", operator.mul),
    "truediv": ("{a} / {b}", operator.truediv),
    "floordiv": ("{a} // {b}", operator.floordiv),
    "mod": ("{a} % {b}", operator.mod),
    "divmod": ("divmod({a}, {b})", divmod),
    "pow": ("{a} ** {b}", operator.pow),
    "lshift": ("{a} << {b}", operator.lshift),
    "rshift": ("{a} >> {b}", operator.rshift),
    "and": ("{a} & {b}", operator.and_),
    "or": ("{a} | {b}", operator.or_),
    "xor": ("{a} ^ {b}", operator.xor),
    "eq": ("{a} == {b}", operator.eq),
    "ne": ("{a} != {b}", operator.ne),
    "lt": ("{a} < {b}", operator.lt),
    "le": ("{a} <= {b}", operator.le),
    "gt": ("{a} > {b}", operator.gt),
    "ge": ("{a} >= {b}", operator.ge),
}

INPLACE_SYMBOLS = {"iadd": "+", "isub": "-", "imul": "*", "itruediv": "/", "ifloordiv": "//", "imod": "%",
                   "ipow": "**", "ilshift": "<<", "irshift": ">>", "iand": "&", "ior": "|", "ixor": "^"}
INPLACE = {}
for _name, _sym in INPLACE_SYMBOLS.items():
    _ns = {}
    exec(f"def {_name}(a, b):\n    a {_sym}= b\n    return a\n", _ns)  # noqa: S102 - fixed source
    INPLACE[_name] = (f"x = {{a}}; x {_sym}= {{b}}", _ns[_name])


def _op_hash(x):
    h = hash(x)
    if (isinstance(x, (float, LegacyFloat)) and math.isnan(x) or isinstance(x, complex) and cmath.isnan(x)
            or isinstance(x, Decimal) and x.is_nan()):
        return ("hash of a nan", type(h).__name__)  # id-based since 3.10: only the type is comparable
    if not isinstance(x, (int, float, complex, Fraction, Decimal, LegacyInt, LegacyFloat)):
        return ("hash of an object", type(h).__name__)  # id-based: each side has its own object
    return h


UNARY = {
    "neg": ("-{a}", operator.neg),
    "pos": ("+{a}", operator.pos),
    "abs": ("abs({a})", abs),
    "invert": ("~{a}", operator.invert),
    "int": ("int({a})", int),
    "float": ("float({a})", float),
    "complex": ("complex({a})", complex),
    "bool": ("bool({a})", bool),
    "index": ("operator.index({a})", operator.index),
    "hash": ("hash({a})", _op_hash),
    "round": ("round({a})", round),
    "floor": ("math.floor({a})", math.floor),
    "ceil": ("math.ceil({a})", math.ceil),
    "trunc": ("math.trunc({a})", math.trunc),
    "str": ("str({a})", str),
    "sqrt": ("math.sqrt({a})", math.sqrt),
    "log": ("math.log({a})", math.log),
    "cmath_sqrt": ("cmath.sqrt({a})", cmath.sqrt),
    "isnan": ("math.isnan({a})", math.isnan),
    "as_integer_ratio": ("{a}.as_integer_ratio()", lambda a: a.as_integer_ratio()),
    "is_integer": ("{a}.is_integer()", lambda a: a.is_integer()),
    "bit_length": ("{a}.bit_length()", lambda a: a.bit_length()),
    "hex": ("hex({a})", hex),
    "real_imag": ("({a}.real, {a}.imag)", lambda a: (a.real, a.imag)),
    "conjugate": ("{a}.conjugate()", lambda a: a.conjugate()),
    "sum": ("sum([{a}, 1])", lambda a: sum([a, 1])),
    "max": ("max({a}, 1)", lambda a: max(a, 1)),
    "sorted": ("sorted([{a}, 1, -1.5])", lambda a: sorted([a, 1, -1.5])),
    "repeat_str": ("'ab' * {a}", lambda a: "ab" * a),
    "subscript": ("(1, 2, 3)[{a}]", lambda a: (1, 2, 3)[a]),
}

if not hasattr(int, "is_integer"):
    # int.is_integer() is 3.12+; LegacyInt has it on every version, by design
    # (tests/test_semantics.py): no twin to compare with before 3.12.
    del UNARY["is_integer"]

ROUND_NDIGITS = [None, 0, 1, -1, 2, -2, 400, -400, 2**63]
ROUND_POOLED_NDIGITS = [pooled_operand(LegacyInt, 1), pooled_operand(LegacyInt, -1), pooled_operand(PlainLI, 2),
                        pooled_operand(LegacyFloat, 1.0)]

FORMAT_SPECS = ["", "d", "x", "X", "o", "b", "c", "n", ",", "_", ".2f", "e", "g", "G", "%", "z", "s", "+#010b",
                ">10", "<8", "^9", "=+12,", "z.2f", ".0f", "#x", "_x", ",x", ",d", ".2d", "%x", "q", "10.3e",
                "a", ".3", "+", " ", "08", ",.2f", "_.3e", "z.1%", "#o", "-", ".1000f", "=", "0=10"]

# (message exemptions) cell name pattern -> why only the exception type is
# compared there. Empty: every message the matrix reaches can match.
MESSAGE_EXEMPT = {}


def _exempt(name):
    return any(re.search(pattern, name) for pattern in MESSAGE_EXEMPT)


# -- the cells ---------------------------------------------------------------

def _cells_binary(names, table):
    for name in names:
        template, fn = table[name]
        for p_label, p_make in POOLED:
            for o_label, o_make in OTHERS:
                yield (name, template.format(a=p_label, b=o_label), fn, (p_make, o_make))
                yield (name, template.format(a=o_label, b=p_label), fn, (o_make, p_make))


POW3_POOLED = [pooled_operand(cls, v) for cls, v in (
    (LegacyInt, 0), (LegacyInt, 5), (LegacyInt, -7), (LegacyInt, LONG_MAX), (PlainLI, 3), (LoudLI, 4),
    (LegacyFloat, 5.0), (LegacyFloat, -0.0), (LegacyFloat, math.nan), (PlainLF, 2.0), (LoudLF, 0.5),
)]
POW3_OTHERS = [o for o in OTHERS if o[0] in {
    "0", "1", "-1", "5", "-7", "2**63", "10**30", "True", "1.5", "-0.0", "nan", "(1+2j)", "Fraction(1, 2)",
    "Decimal('7')", "'ab'", "None", "SubInt(3)", "LogInt(3)", "NoReflInt(3)", "LogFloat(1.5)", "Foreign()",
    "IndexOnly()", "LegacyInt(3)", "LegacyFloat(2.5)", "LoudLI(6)"}]


def _cells_pow3():
    template = "pow({a}, {b}, {c})"
    # The modulus position last: a crash there (issue 10, item 1) stops the
    # child, and the parent resumes after it only so many times.
    for position in (0, 1, 2):
        for p_label, p_make in POW3_POOLED:
            for o1_label, o1_make in POW3_OTHERS:
                for o2_label, o2_make in POW3_OTHERS:
                    labels = [o1_label, o2_label]
                    makes = [o1_make, o2_make]
                    labels.insert(position, p_label)
                    makes.insert(position, p_make)
                    yield ("pow", template.format(a=labels[0], b=labels[1], c=labels[2]), pow, tuple(makes))
    for a in POW3_POOLED:
        for b in POW3_POOLED:
            for c in POW3_POOLED:
                yield ("pow", template.format(a=a[0], b=b[0], c=c[0]), pow, (a[1], b[1], c[1]))


def _cells_unary():
    for p_label, p_make in POOLED:
        for name, (template, fn) in UNARY.items():
            yield (name, template.format(a=p_label), fn, (p_make,))
        for n in ROUND_NDIGITS:
            yield ("round_n", f"round({p_label}, {_fmt_int(n) if n is not None else None})", round,
                   (p_make, lambda pooled, n=n: n))
        for n_label, n_make in ROUND_POOLED_NDIGITS:
            yield ("round_n", f"round({p_label}, {n_label})", round, (p_make, n_make))
    for n_label, n_make in ROUND_POOLED_NDIGITS:
        # Not Decimal: Decimal.__round__ takes only an int (PyLong_Check) for
        # ndigits, as Decimal(x) does; a LegacyInt is refused there by design.
        for x in (5, 1234, -1234, 2**63, 2.675, -0.0, math.nan, Fraction(7, 3)):
            yield ("round_n", f"round({x!r}, {n_label})", round, (lambda pooled, x=x: x, n_make))


def _cells_format():
    for p_label, p_make in POOLED:
        for spec in FORMAT_SPECS:
            yield ("format", f"format({p_label}, {spec!r})", format, (p_make, lambda pooled, s=spec: s))
        yield ("format", f"'%d %s' % ({p_label}, {p_label})", lambda a: "%d %s" % (a, a), (p_make,))
        yield ("format", f"f'{{{p_label}:>6}}'", lambda a: f"{a:>6}", (p_make,))


GROUPS = {
    "add_sub_mul": lambda: _cells_binary(["add", "sub", "mul"], BINARY),
    "division": lambda: _cells_binary(["truediv", "floordiv", "mod", "divmod"], BINARY),
    "power": lambda: _cells_binary(["pow"], BINARY),
    "bitwise": lambda: _cells_binary(["lshift", "rshift", "and", "or", "xor"], BINARY),
    "comparisons": lambda: _cells_binary(["eq", "ne", "lt", "le", "gt", "ge"], BINARY),
    "inplace_arith": lambda: _cells_binary(["iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow"],
                                           INPLACE),
    "inplace_bitwise": lambda: _cells_binary(["ilshift", "irshift", "iand", "ior", "ixor"], INPLACE),
    "pow3": _cells_pow3,
    "unary": _cells_unary,
    "format": _cells_format,
}


def unreachable(name, pooled_args):
    """Cells that no pooled type's slot is ever asked about: three-argument
    pow with an instance of a pooled subclass that overrides __pow__ or
    __rpow__ (LoudLI, LoudLF) as the modulus, or before CPython 3.14 as the
    exponent. CPython's slot for such a subclass (slot_nb_power) calls
    ``__pow__`` of the first operand or ``__rpow__`` of the second, never a
    method of the modulus, and before 3.14 not ``__rpow__`` either ("Three-arg
    power doesn't use __rpow__"); the pooled subclass is not an int, so
    int's own slot declines it too: TypeError, where an int subclass is
    taken by int's slot. Skipped on both sides. Since 3.14 an exponent's
    ``__rpow__`` is called with the modulus, so those cells reach the pooled
    slot (through super()) and are compared."""
    if name != "pow" or len(pooled_args) != 3:
        return False
    return any(type(x) in (LoudLI, LoudLF) for x in pooled_args[1 if not RPOW_TAKES_MODULUS else 2:])


def crashes_cpython(name, args):
    """Cells that crash CPython 3.13.0 itself, whatever the operands' types:
    three-argument pow with a Decimal modulus and a base that is not a
    Decimal (``pow(2, 3, Decimal(7))`` is a segmentation fault there, fixed
    in 3.13.1). Skipped on both sides; checked on each side's arguments."""
    if sys.version_info[:3] != (3, 13, 0) or name != "pow" or len(args) != 3:
        return False
    return isinstance(args[2], Decimal) and not isinstance(args[0], Decimal)


def outside_the_claim(name, pooled_args):
    """Cells the claim does not cover, skipped on both sides: those no
    pooled slot is asked about (`unreachable`), and round(x, n) of a
    Decimal or a Fraction with a pooled n: Decimal.__round__ takes nothing
    but an exact int (PyLong_Check; no __index__), and Fraction.__round__
    makes a Fraction from its ndigits arithmetic, which takes only a real
    int or float. Neither asks the pooled type anything."""
    if unreachable(name, pooled_args):
        return True
    return (name == "round_n" and len(pooled_args) == 2 and isinstance(pooled_args[0], (Decimal, Fraction))
            and is_pooled(pooled_args[1]))


# Cells whose method logs are not compared, only their outcomes; pattern ->
# why. Comparing a pooled *subclass* instance with an int or float subclass
# that overrides comparisons, written with the latter on the left: CPython
# calls that subclass's method with the pooled object first (it declines
# it: super() cannot compare a LegacyInt), then the pooled type's
# tp_richcompare, which is called the same way for `pooled < x` and for
# `x > pooled` and so cannot know it answers second; it answers as for the
# pooled subclass on the left, where the twin's own int or float comparison
# answers and the other's method is not asked. The outcome is the same.
COMPARISON_NAMES = {"eq", "ne", "lt", "le", "gt", "ge"}


def comparison_order_exempt(name, pooled_args):
    """Rule 4 (module docstring): whether only the outcome of this
    operation, evaluated on these pooled-run operands, is compared."""
    return (name in COMPARISON_NAMES and len(pooled_args) == 2
            and type(pooled_args[0]) in (LogInt, NoReflInt, LogFloat)
            and type(pooled_args[1]) in (PlainLI, LoudLI, PlainLF, LoudLF))


def run_cell(name, fn, makes):
    """(pooled (outcome, log), twin (outcome, log)), or None if skipped."""
    twin_args = [make(False) for make in makes]
    if too_big(name, twin_args) or crashes_cpython(name, twin_args):
        return None
    pooled_args = [make(True) for make in makes]
    if outside_the_claim(name, pooled_args) or crashes_cpython(name, pooled_args):
        return None
    pooled = evaluate(fn, pooled_args)
    twin = evaluate(fn, twin_args)
    return pooled, twin


def shape(name, makes):
    """What a crash is blamed on: the operator and the pooled operands'
    families (LegacyInt or a subclass, LegacyFloat or a subclass; the other
    operands as '*'). After a crash the parent names the shape, and the rest
    of the cells of that shape run each in a forked child, at most
    CRASHES_PER_SHAPE of them crashing: the rest of the shape is then
    counted as not run."""
    def family(x):
        if isinstance(x, LegacyInt):
            return "LegacyInt"
        if isinstance(x, LegacyFloat):
            return "LegacyFloat"
        return "*"
    return name + "(" + ", ".join(family(m(True)) for m in makes) + ")"


CRASHES_PER_SHAPE = 4


def run_cell_forked(name, fn, makes):
    """run_cell in a forked child: its result, or ("crash", signal name)."""
    import pickle
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no cleanup, no buffered output of the parent's
        os.close(read_end)
        try:
            data = pickle.dumps(run_cell(name, fn, makes))
        except BaseException:  # noqa: BLE001 - reported as a crash-free failure below
            data = b""
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return ("crash", signal.Signals(os.WTERMSIG(status)).name)
    if not chunks:
        return ("crash", f"exit status {os.WEXITSTATUS(status)}")
    return pickle.loads(b"".join(chunks))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--group")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--progress")
    parser.add_argument("--results")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--fork-shapes", help="a file of shapes (one a line) whose cells run in a forked child")
    parser.add_argument("--only", help="run the cells whose name contains this, printing each outcome")
    args = parser.parse_args(argv)
    fork_shapes = set()
    if args.fork_shapes and os.path.exists(args.fork_shapes):
        with open(args.fork_shapes) as f:
            fork_shapes = {line.rstrip("\n") for line in f if line.strip()}
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # crashes are expected here: no core files
    except (ImportError, ValueError, OSError):
        pass
    if args.list:
        for group, cells in GROUPS.items():
            print(group, sum(1 for _ in cells()))
        return 0
    groups = [args.group] if args.group else list(GROUPS)
    progress = os.open(args.progress, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if args.progress else None
    results = open(args.results, "a") if args.results else sys.stdout  # noqa: SIM115
    counts = {"cells": 0, "skipped": 0, "mismatches": 0}

    def report(kind, cell, detail):
        counts["mismatches"] += 1
        results.write(json.dumps({"kind": kind, "cell": cell, **detail}) + "\n")
        results.flush()

    shape_crashes, not_run = {}, {}
    for group in groups:
        for index, (name, cell, fn, makes) in enumerate(GROUPS[group]()):
            if index < args.start or (args.only and args.only not in cell):
                continue
            label = f"{group}: {cell}"
            cell_shape = shape(name, makes)
            if progress is not None:
                os.write(progress, f"{index}\t{cell_shape}\t{label}\n".encode("utf-8", "backslashreplace"))
            if cell_shape in fork_shapes:
                if shape_crashes.get(cell_shape, 0) >= CRASHES_PER_SHAPE:
                    not_run[cell_shape] = not_run.get(cell_shape, 0) + 1
                    continue
                got = run_cell_forked(name, fn, makes)
                if got and got[0] == "crash":
                    shape_crashes[cell_shape] = shape_crashes.get(cell_shape, 0) + 1
                    report("crash", label, {"pooled": f"killed by {got[1]}", "twin": "no crash"})
                    continue
            else:
                got = run_cell(name, fn, makes)
            if got is None:
                counts["skipped"] += 1
                continue
            counts["cells"] += 1
            pooled, twin = got
            if args.only:
                print(label, "\n  pooled:", pooled, "\n  twin:  ", twin)
            log_exempt = comparison_order_exempt(name, [make(True) for make in makes])
            why = differ(pooled, twin, _exempt(label), log_exempt)
            if why:
                report(why, label, {"pooled": repr(pooled[0]), "twin": repr(twin[0]),
                                    "pooled_log": repr(pooled[1]), "twin_log": repr(twin[1])})
            breach = check_pools()
            if breach:
                report("pool", label, {"pooled": breach, "twin": "in_use + free == capacity"})
    for cell_shape, n in not_run.items():
        results.write(json.dumps({"kind": "not_run", "shape": cell_shape, "cells": n,
                                  "crashes": shape_crashes[cell_shape]}) + "\n")
    results.write(json.dumps({"kind": "done", **counts}) + "\n")
    results.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
