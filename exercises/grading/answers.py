"""Reading what a learner typed: numbers and arithmetic, never code.

    4   -0.25   1/4   3e-2   0.5*(1-0.5)   2*0.6225*(1-0.6225)   sigmoid(0.5)*(1-sigmoid(0.5))

The text goes through Python's `ast` parser and a whitelist walk: only number literals,
+ − × ÷ **, unary signs and a few named functions are accepted, and the walk evaluates
them itself with the engine's op registry on exact Fractions (so 1/3 stays 1/3). Nothing
is ever handed to eval. Limits on length, nesting and exponents refuse hostile input
(`9**9**9**9`, 10,000 parentheses) in microseconds, with a message a learner can act on.

An answer that cannot be read is *invalid* (reported, costs no attempt); an empty one is
*missing* (simply wrong).
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from exercises.engine import numbers
from exercises.engine.numbers import Number
from exercises.engine.ops import REGISTRY, DomainError, power

MAX_CHARS = 200
MAX_PARENTHESES = 32  # nesting depth; real answers use a handful
MAX_DEPTH = 100  # operators in a chain (1+1+…+1); bounds the evaluator's recursion
MAX_EXPONENT = 100  # same bound as exponents in programs

FUNCTIONS = ("exp", "log", "sigmoid", "sqrt", "tanh")
_ALIASES = {"ln": "log", "sigma": "sigmoid"}
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}

# Most answers are one plain number: read those without building a syntax tree.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

# Typographic forms learners paste from notes or phones, mapped before parsing. Superscript
# squares must go before NFKC, which would turn 3² into 32.
_TYPOGRAPHY = str.maketrans({
    "−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "⋅": "*", "∙": "*", "÷": "/",
    "∕": "/", "⁄": "/", "^": "**", "²": "**2", "³": "**3", "σ": "sigmoid",
})


# A decimal comma (0,5 — how most of Europe writes a half) is read as a decimal point in
# every language, so a regrade, which has no request and no language, reads an answer the
# same way as the submission did. Only a comma that could be either is refused: one
# followed by exactly three digits after a group that does not start with 0 (1,000 is a
# thousand to an English reader and one to a German one).
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d.,])")
# Vulgar fractions (½, ¾, 1½): NFKC would give "1⁄2" with a fraction slash, and 1½ → 11⁄2.
_VULGAR = re.compile(r"(\d*)([\u00bc-\u00be\u2150-\u215e\u2189])")


def _vulgar(match: re.Match) -> str:
    whole, char = match.groups()
    numerator, _, denominator = unicodedata.normalize("NFKC", char).partition("\u2044")
    fraction = f"{numerator}/{denominator}"
    return f"({whole}+{fraction})" if whole else f"({fraction})"


def _decimal_comma(match: re.Match) -> str:
    whole, decimals = match.groups()
    if len(decimals) == 3 and not whole.startswith("0"):
        raise AnswerError(f"{_quote(match.group(0))} could be a thousands separator or a "
                          f"decimal comma: write {whole}{decimals} or {whole}.{decimals}")
    return f"{whole}.{decimals}"


class AnswerError(ValueError):
    """An answer that cannot be read as a number."""


@dataclass(frozen=True, slots=True)
class Answer:
    raw: str | None  # as typed; None when nothing was given
    value: float | None  # the number, when it could be read
    error: str | None = None  # why it could not be read

    @property
    def missing(self) -> bool:
        return self.raw is None

    @property
    def valid(self) -> bool:
        return self.error is None


def read_answer(raw: object) -> Answer:
    """Never raises: missing, valid (with value) or invalid (with error)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Answer(None, None)
    text = _raw_text(raw)
    if isinstance(raw, str) and len(raw) <= MAX_CHARS and _PLAIN_NUMBER.fullmatch(
            stripped := raw.strip()):
        # Fast path for one plain number: float() rounds a decimal correctly, exactly as
        # the exact route would, at a fraction of the cost.
        value = float(stripped)
        underflow = value == 0 and any(c in "123456789" for c in stripped.lower().split("e")[0])
        if math.isfinite(value) and abs(value) <= numbers.MAX_MAGNITUDE and not underflow:
            return Answer(text, value)
        return Answer(text, None, f"{_quote(stripped)} is out of range")
    try:
        return Answer(text, to_float(evaluate(raw)))
    except AnswerError as exc:
        return Answer(text, None, str(exc))


def evaluate(raw: object) -> Number:
    """The exact (Fraction) or float value of an answer; AnswerError if it is not one."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise AnswerError("an answer must be a number or arithmetic like 1/4")
    if isinstance(raw, int | float):
        try:
            # A JSON number like 0.1 means the decimal 0.1: keep it exact.
            value = numbers.parse_literal(repr(raw)) if isinstance(raw, float) else raw
            return numbers.check(numbers.from_python(value))
        except ArithmeticError:
            raise AnswerError("the answer is too large") from None
        except ValueError:
            raise AnswerError("the answer is not a finite number") from None
    text = _normalise(raw)
    if _PLAIN_NUMBER.fullmatch(text):
        try:
            return numbers.parse_literal(text)
        except numbers.NumberTooLarge:
            raise AnswerError(f"{_quote(text)} is out of range") from None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise AnswerError(f"could not read {_quote(raw)} as a number or arithmetic "
                          "(e.g. 0.25, 1/4, 2*0.5*(1-0.5))") from None
    return _Evaluator(text).value(tree.body, 0)


def to_float(value: Number) -> float:
    try:
        result = float(value)
    except OverflowError:
        raise AnswerError("the answer is too large") from None
    if not math.isfinite(result) or abs(result) > numbers.MAX_MAGNITUDE:
        raise AnswerError("the answer is too large")
    return result


def _raw_text(raw: object) -> str:
    # JSON numbers arrive as int/float: keep their shortest form (0.25, not 0.250000…).
    text = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, float) else str(raw)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + "…"


def _quote(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _normalise(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise AnswerError(f"the answer is {len(text)} characters long; the limit is "
                          f"{MAX_CHARS}")
    text = _VULGAR.sub(_vulgar, text.strip().translate(_TYPOGRAPHY))
    text = unicodedata.normalize("NFKC", text)
    text = _DECIMAL_COMMA.sub(_decimal_comma, text)
    for char in text:
        if not char.isascii() or (not char.isprintable() and char not in " \t"):
            raise AnswerError(f"unexpected character {char!r} in the answer")
    # Checked on the text so a 10,000-deep nest never reaches the parser's recursion.
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    if deepest > MAX_PARENTHESES:
        raise AnswerError(f"the answer nests parentheses {deepest} deep; the limit is "
                          f"{MAX_PARENTHESES}")
    if len(text) > MAX_CHARS:  # the ^ → ** and ² → **2 mappings can lengthen it
        raise AnswerError(f"the answer is too long; the limit is {MAX_CHARS} characters")
    return text


class _Evaluator:
    """Whitelist walk over the parsed answer, computing as it goes (exact where it can)."""

    def __init__(self, text: str):
        self.text = text

    def value(self, node: ast.expr, depth: int) -> Number:
        if depth > MAX_DEPTH:
            raise AnswerError(f"the answer is nested more than {MAX_DEPTH} deep")
        try:
            result = self._value(node, depth + 1)
            return numbers.check(result)
        except (DomainError, ZeroDivisionError) as exc:
            message = "division by zero" if isinstance(exc, ZeroDivisionError) else str(exc)
            raise AnswerError(f"the answer cannot be computed: {message}") from None
        except (OverflowError, ArithmeticError):
            raise AnswerError("the answer is too large to compute") from None

    def _value(self, node: ast.expr, depth: int) -> Number:
        if isinstance(node, ast.Constant):
            return self._literal(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.value(node.operand, depth)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left = self.value(node.left, depth)
            right = self.value(node.right, depth)
            if isinstance(node.op, ast.Pow):
                return _power(left, right)
            name = _BINARY.get(type(node.op))
            if name is None:
                raise AnswerError(f"the operator in {_quote(self._segment(node))} is not "
                                  "allowed; use + - * / **")
            return REGISTRY[name].forward(left, right)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Name):
            raise AnswerError(f"{node.id!r} is not a number: type the value itself "
                              "(names of nodes or constants are not read)")
        if isinstance(node, ast.Tuple):
            raise AnswerError("the answer has a comma between two numbers: write one "
                              "number, with a decimal point or comma (1.5 or 1,5)")
        raise AnswerError(f"{_quote(self._segment(node))} is not allowed in an answer")

    def _literal(self, node: ast.Constant) -> Number:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise AnswerError(f"{_quote(self._segment(node))} is not a number")
        try:
            # The source text, not Python's float, so 0.1 is exactly 1/10.
            return numbers.parse_literal(self._segment(node))
        except numbers.NumberTooLarge:
            raise AnswerError(f"{_quote(self._segment(node))} is out of range") from None
        except ValueError as exc:
            raise AnswerError(str(exc)) from None

    def _call(self, node: ast.Call, depth: int) -> Number:
        func = node.func.id if isinstance(node.func, ast.Name) else None
        func = _ALIASES.get(func, func)
        if func not in FUNCTIONS:
            raise AnswerError(f"{_quote(self._segment(node.func))} is not a known function "
                              f"(known: {', '.join(FUNCTIONS)})")
        if len(node.args) != 1 or node.keywords:
            raise AnswerError(f"{func}() takes exactly one number")
        return REGISTRY[func].forward(self.value(node.args[0], depth))

    def _segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or type(node).__name__


def _power(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise AnswerError(f"exponents in answers are limited to ±{MAX_EXPONENT}")
    if isinstance(exponent, float):  # an exponent that came out of exp/log: float maths
        if base < 0:
            raise AnswerError("a negative number to a non-whole power is not a real number")
        return float(base) ** exponent
    n = Fraction(exponent)
    if isinstance(base, Fraction) and n.denominator == 1:
        # Exact powers grow by |n|× in size: estimate first, fall back to float if huge.
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
        if bits * abs(n.numerator) > numbers.MAX_EXACT_BITS:
            base = float(base)
    return power(n).forward(base)
