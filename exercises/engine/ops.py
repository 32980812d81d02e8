"""The op registry: every operation states its forward value and its local derivative.

Adding an op is one `register(Op(...))` entry below: forward, local derivatives, the
formula a hint shows for each input, its display symbol and the gate rule in the notes'
words. `local_derivative(inputs, out)` returns ∂out/∂input for each input, in order; it
may use the op's own output (σ' = σ(1−σ)) because the backward pass has it at hand.

Formulas are templates: {a} and {b} are the inputs' names, {out} the op's name, {n} a
power's exponent and {n1} the exponent less one. Each comes as plain text and LaTeX.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from .numbers import Number


class DomainError(ArithmeticError):
    """An op was applied outside its domain (log of 0, division by zero, …)."""


@dataclass(frozen=True)
class Op:
    name: str
    arity: int
    symbol: str
    forward: Callable[..., Number]
    local_derivative: Callable[[tuple, Number], tuple]
    formulas: tuple[tuple[str, str], ...]  # per input: (text, latex)
    gate: str  # the rule in the notes' words, for hints
    sympy: Callable[..., object]
    exponent: Fraction | None = None  # only for pow, whose exponent is part of the op
    aliases: tuple[str, ...] = field(default=())

    def formula(self, index: int, names: dict[str, str], latex: bool = False) -> str:
        template = self.formulas[index][1 if latex else 0]
        return template.format(**names)


REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    REGISTRY[op.name] = op
    return op


def _sp():
    import sympy  # imported lazily: sympy is for display and tests, never the hot path

    return sympy


def _div(a, b):
    if b == 0:
        raise DomainError("division by zero")
    return a / b


def _log(a):
    if a <= 0:
        raise DomainError("log of a value that is not positive")
    return math.log(a)


def _sqrt(a):
    if a < 0:
        raise DomainError("square root of a negative value")
    if isinstance(a, Fraction):
        num, den = math.isqrt(a.numerator), math.isqrt(a.denominator)
        if num * num == a.numerator and den * den == a.denominator:
            return Fraction(num, den)
    return math.sqrt(a)


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        raise DomainError("exp of a value too large to represent") from None


def _sigmoid(a):
    # Two forms so neither overflows: exp(-a) for a ≥ 0, exp(a) otherwise.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_slope(z):
    # σ'(z) = e/(1+e)² with e = exp(−|z|): the same value as σ(1−σ), without the
    # cancellation of 1−σ in the tails (σ'(20) keeps all its digits).
    e = math.exp(-abs(z))
    return e / (1.0 + e) ** 2


def _tanh_slope(z):
    # 1 − tanh² = 4e/(1+e)² with e = exp(−2|z|), exact in the tails as above.
    e = math.exp(-2 * abs(z))
    return 4 * e / (1.0 + e) ** 2


def _sqrt_derivative(inputs, out):
    if out == 0:
        raise DomainError("the derivative of sqrt is undefined at 0")
    return (1 / (2 * out),)


def _sympy_sigmoid(a):
    sp = _sp()
    return 1 / (1 + sp.exp(-a))


register(Op(
    "add", 2, "+",
    forward=lambda a, b: a + b,
    local_derivative=lambda inputs, out: (1, 1),
    formulas=(("1", "1"), ("1", "1")),
    gate="an add gate distributes the upstream gradient unchanged to every input",
    sympy=lambda a, b: a + b,
    aliases=("plus",),
))
register(Op(
    "sub", 2, "−",
    forward=lambda a, b: a - b,
    local_derivative=lambda inputs, out: (1, -1),
    formulas=(("1", "1"), ("-1", "-1")),
    gate="a subtract gate passes the upstream gradient to its first input and its negative "
         "to the second",
    sympy=lambda a, b: a - b,
    aliases=("-", "minus"),
))
register(Op(
    "mul", 2, "×",
    forward=lambda a, b: a * b,
    local_derivative=lambda inputs, out: (inputs[1], inputs[0]),
    formulas=(("{b}", "{b}"), ("{a}", "{a}")),
    gate="a multiply gate swaps: each input's local derivative is the other input's value",
    sympy=lambda a, b: a * b,
    aliases=("*", "·", "x", "mult", "times"),
))
register(Op(
    "div", 2, "÷",
    forward=_div,
    local_derivative=lambda inputs, out: (1 / inputs[1], -inputs[0] / inputs[1] ** 2),
    formulas=(("1/{b}", r"\frac{{1}}{{{b}}}"), ("-{a}/{b}²", r"-\frac{{{a}}}{{{b}^2}}")),
    gate="a divide gate p/v has local derivative 1/v for p and −p/v² for v",
    sympy=lambda a, b: a / b,
    aliases=("/", "div"),
))
register(Op(
    "neg", 1, "−",
    forward=lambda a: -a,
    local_derivative=lambda inputs, out: (-1,),
    formulas=(("-1", "-1"),),
    gate="a negate gate flips the sign of the upstream gradient",
    sympy=lambda a: -a,
    aliases=("neg",),
))
register(Op(
    "exp", 1, "exp",
    forward=_exp,
    local_derivative=lambda inputs, out: (out,),
    formulas=(("exp({a}) = {out}", r"e^{{{a}}} = {out}"),),
    gate="an exp gate's local derivative is its own output, exp(a)",
    sympy=lambda a: _sp().exp(a),
    aliases=("e^x",),
))
register(Op(
    "log", 1, "log",
    forward=_log,
    local_derivative=lambda inputs, out: (1 / inputs[0],),
    formulas=(("1/{a}", r"\frac{{1}}{{{a}}}"),),
    gate="a log gate's local derivative is 1 over its input",
    sympy=lambda a: _sp().log(a),
    aliases=("ln",),
))
register(Op(
    "sqrt", 1, "√",
    forward=_sqrt,
    local_derivative=_sqrt_derivative,
    formulas=(("1/(2·√{a})", r"\frac{{1}}{{2\sqrt{{{a}}}}}"),),
    gate="a square-root gate's local derivative is 1/(2√a)",
    sympy=lambda a: _sp().sqrt(a),
    aliases=("sqrt",),
))
register(Op(
    "sigmoid", 1, "σ",
    forward=_sigmoid,
    local_derivative=lambda inputs, out: (_sigmoid_slope(inputs[0]),),
    formulas=(("{out}·(1−{out})", r"{out}\,(1-{out})"),),
    gate="a sigmoid gate's local derivative is σ(z)(1−σ(z)), computed from its own output",
    sympy=_sympy_sigmoid,
    aliases=("sigma", "sigmoid"),
))
register(Op(
    "tanh", 1, "tanh",
    forward=math.tanh,
    local_derivative=lambda inputs, out: (_tanh_slope(inputs[0]),),
    formulas=(("1−{out}²", r"1-{out}^2"),),
    gate="a tanh gate's local derivative is 1 − tanh(z)², computed from its own output",
    sympy=lambda a: _sp().tanh(a),
))
register(Op(
    "relu", 1, "ReLU",
    forward=lambda a: a if a > 0 else a * 0,
    local_derivative=lambda inputs, out: (1 if inputs[0] > 0 else 0,),
    formulas=(("1 if {a} > 0 else 0", r"[{a} > 0]"),),
    gate="a ReLU gate routes the gradient through when its input is positive and blocks it "
         "otherwise",
    sympy=lambda a: _sp().Max(a, 0),
    aliases=("relu",),
))
register(Op(
    "abs", 1, "|·|",
    forward=abs,
    local_derivative=lambda inputs, out: ((inputs[0] > 0) - (inputs[0] < 0),),
    formulas=(("sign({a})", r"\operatorname{{sign}}({a})"),),
    gate="an abs gate passes the gradient with the sign of its input",
    sympy=lambda a: _sp().Abs(a),
    aliases=("abs", "|x|"),
))
register(Op(
    "max", 2, "max",
    forward=lambda a, b: a if a >= b else b,
    local_derivative=lambda inputs, out: (1, 0) if inputs[0] >= inputs[1] else (0, 1),
    formulas=(("1 if {a} ≥ {b} else 0", r"[{a} \ge {b}]"), ("1 if {b} > {a} else 0",
                                                             r"[{b} > {a}]")),
    gate="a max gate routes the whole gradient to the larger input and nothing to the other",
    sympy=lambda a, b: _sp().Max(a, b),
))
register(Op(
    "min", 2, "min",
    forward=lambda a, b: a if a <= b else b,
    local_derivative=lambda inputs, out: (1, 0) if inputs[0] <= inputs[1] else (0, 1),
    formulas=(("1 if {a} ≤ {b} else 0", r"[{a} \le {b}]"), ("1 if {b} < {a} else 0",
                                                             r"[{b} < {a}]")),
    gate="a min gate routes the whole gradient to the smaller input and nothing to the other",
    sympy=lambda a, b: _sp().Min(a, b),
))


def _exponent_label(n: Fraction) -> str:
    return str(n.numerator) if n.denominator == 1 else f"({n})"


@lru_cache(maxsize=256)
def power(exponent: Fraction) -> Op:
    """The op u = v**n for one literal exponent n (the exponent is part of the op)."""
    n = Fraction(exponent)
    exact_n = n.numerator if n.denominator == 1 else n
    label = _exponent_label(n)

    def forward(a):
        if a == 0 and n < 0:
            raise DomainError("0 raised to a negative power")
        if a < 0 and n.denominator != 1:
            raise DomainError("a negative value raised to a fractional power")
        return a ** exact_n

    def local_derivative(inputs, out):
        a = inputs[0]
        if n == 0:
            return (a * 0,)  # v**0 is constant: slope 0 everywhere, 0 included
        if a == 0 and n < 1:
            raise DomainError("the power rule's derivative is undefined at 0")
        return (exact_n * a ** (exact_n - 1),)

    # 2·u rather than 2·u^1; n·u^(n−1) otherwise.
    lower = _exponent_label(n - 1)
    text = f"{label}·{{a}}" if n == 2 else f"{label}·{{a}}^{lower}"
    latex = f"{label}\\,{{a}}" if n == 2 else f"{label}\\,{{a}}^{{{{{lower}}}}}"
    return Op(
        "pow", 1, f"^{label}",
        forward=forward,
        local_derivative=local_derivative,
        formulas=((text, latex),),
        gate=f"a power gate v**{label} has local derivative {label}·v^{_exponent_label(n - 1)} "
             "(bring the exponent down)",
        sympy=lambda a: a ** _sp().Rational(n.numerator, n.denominator),
        exponent=n,
    )


# Ops a program may call by name, as functions: name -> arity.
FUNCTIONS = {name: REGISTRY[name].arity for name in
             ("exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs", "max", "min")}


def get(name: str, exponent: Fraction | None = None) -> Op:
    if name == "pow":
        if exponent is None:
            raise KeyError("pow needs an exponent")
        return power(Fraction(exponent))
    return REGISTRY[name]


def by_symbol(symbol: str, arity: int) -> Op | None:
    """Find an op from a diagram's label: '+', '×', 'σ', '^2', '1/x', …"""
    text = symbol.strip()
    lowered = text.lower()
    for prefix in ("^", "**"):
        if text.startswith(prefix):
            try:
                return power(Fraction(text[len(prefix):].strip("()")))
            except (ValueError, ZeroDivisionError):
                return None
    superscripts = {"²": 2, "³": 3}
    if text in superscripts or (text[-1:] in superscripts and len(text) == 2):
        return power(Fraction(superscripts[text[-1]]))
    if text == "1/x":
        return power(Fraction(-1))
    for op in REGISTRY.values():
        if op.arity != arity:
            continue
        if text == op.symbol or lowered == op.name or lowered in op.aliases or text in op.aliases:
            return op
    if arity == 1 and text in ("-", "−"):
        return REGISTRY["neg"]
    return None
