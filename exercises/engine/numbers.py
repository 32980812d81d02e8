"""Numbers in the engine: exact rationals where the maths is exact, floats elsewhere.

Integer and decimal literals become `Fraction`s so that programs made of + − × ÷ and
integer powers give exact answers (0.1 + 0.2 is 3/10, not 0.30000000000000004).
Transcendental ops return floats, and Python's arithmetic then keeps everything
downstream a float.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

Number = Fraction | float

# Exact arithmetic can explode (x**64 ** 64 …); past this many bits we refuse rather than
# spend seconds on a number no learner could type.
MAX_EXACT_BITS = 4096
MAX_MAGNITUDE = 1e300
MAX_BITS_ABOVE_ONE = 996  # 2**996 ≈ 1e300: the same bound for exact values


class NumberTooLarge(ArithmeticError):
    pass


@lru_cache(maxsize=4096)  # a program repeats its literals; Fractions are immutable
def parse_literal(text: str) -> Fraction:
    """A decimal or integer literal as an exact Fraction ("0.1" -> 1/10, "3e-2" -> 3/100)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if value.adjusted() > 300:
        raise NumberTooLarge(f"{text} is too large")
    if value and value.adjusted() < -300:
        raise NumberTooLarge(f"{text} is too close to zero to use")
    return Fraction(value)


def from_python(value: int | float | Fraction) -> Number:
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return value  # code that passes floats wants float arithmetic; literals are exact
    return value


def check(value: Number) -> Number:
    """Refuse values that are not finite or whose exact form is absurdly large."""
    if isinstance(value, Fraction):
        num_bits, den_bits = value.numerator.bit_length(), value.denominator.bit_length()
        if num_bits - den_bits > MAX_BITS_ABOVE_ONE:
            raise NumberTooLarge("a value is too large")
        if num_bits <= MAX_EXACT_BITS and den_bits <= MAX_EXACT_BITS:
            return value
        # Too many digits to keep exact (1.000001 ** 729): carry on as a float, which is
        # what the learner would compute anyway; only a truly huge magnitude is refused.
        try:
            value = float(value)
        except OverflowError:
            raise NumberTooLarge("a value is too large") from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise ArithmeticError("a value is not a finite real number")
    if abs(value) > MAX_MAGNITUDE:
        raise NumberTooLarge("a value is too large")
    return value


# Backprop over exact values sums products g·d, each a Python-level Fraction operation. Most
# of them change nothing: a gradient's first contribution is added to the int 0, and the
# output's seed 1 (passed on unchanged by add gates) multiplies local derivatives, as an add
# gate's local derivative 1 multiplies gradients. These two skip that work, same result.
def times(g, d):
    """g·d, where 1·d is d and g·1 is g."""
    if g.__class__ is int and g == 1:
        return d
    if d.__class__ is int and d == 1:
        return g
    return g * d


def plus(total, d):
    """total + d, where 0 + d is d (but a float keeps Python's 0 + -0.0 = 0.0)."""
    if total.__class__ is int and total == 0 and d.__class__ is not float:
        return d
    return total + d


def is_exact(value: Number) -> bool:
    return isinstance(value, Fraction)


def to_float(value: Number) -> float:
    return float(value)


def format_number(value: Number, digits: int = 4) -> str:
    """Short human form: integers as integers, everything else to `digits` significant digits."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    if as_float == int(as_float) and abs(as_float) < 1e15:
        return str(int(as_float))
    text = f"{as_float:.{digits}g}"
    return text


def exact_text(value: Number) -> str:
    """Exact form for display: '7/2', '-3', or a float's repr when not exact."""
    if isinstance(value, Fraction):
        return str(value)
    return repr(float(value))
