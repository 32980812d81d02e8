"""How hints and explanations write maths, each piece as a (plain text, LaTeX) pair.

Plain text uses the notes' Unicode (∂L/∂x, ×, σ); the LaTeX side is prose with inline
math in \\( … \\), ready for KaTeX/MathJax auto-render in the page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from exercises.engine import numbers
from exercises.engine.expressions import render
from exercises.engine.lines import LineOp, line_op
from exercises.engine.parser import parse_expression

from .solution import Solved

Piece = tuple[str, str]  # (plain text, LaTeX)

_DOUBLE_BRACKETS = re.compile(r"\(\((-[^()]*)\)\)")
_INDEXED = re.compile(r"^([A-Za-z]+)_?(\d+)$")  # w1, z_2, sub_1 → subscripted


def prose(text: str) -> Piece:
    return text, text


def math(text: str, latex: str) -> Piece:
    return text, f"\\({latex}\\)"


def join(pieces: list[Piece], sep: str = "") -> Piece:
    return sep.join(p[0] for p in pieces), sep.join(p[1] for p in pieces)


@lru_cache(maxsize=4096)
def latex_name(label: str) -> str:
    """x → x, w1 → w_{1}, sub_1 → \\mathrm{sub}_{1}, a_long_name → \\mathrm{a\\_long\\_name}."""
    if _looks_numeric(label):
        return label
    indexed = _INDEXED.match(label)
    if indexed:
        stem, digits = indexed.groups()
        return f"{_latex_stem(stem)}_{{{digits}}}"
    return _latex_stem(label)


def _latex_stem(stem: str) -> str:
    if len(stem) == 1:
        return stem
    return "\\mathrm{" + stem.replace("_", "\\_") + "}"


def _looks_numeric(label: str) -> bool:
    return bool(label) and (label[0].isdigit() or label[0] == "-")


def operand(label: str, latex: bool = False) -> str:
    """A label as it appears inside a larger expression (negative numbers in brackets)."""
    text = latex_name(label) if latex else label
    return f"({text})" if label.startswith("-") else text


def number(value: float) -> str:
    return numbers.format_number(value)


def number_operand(value: float) -> str:
    text = number(value)
    return f"({text})" if text.startswith("-") else text


@lru_cache(maxsize=4096)
def partial_parts(top: str, bottom: str) -> tuple[str, str]:
    """∂top/∂bottom as bare maths (text, LaTeX), for building longer equations."""
    return (f"∂{top}/∂{bottom}",
            f"\\frac{{\\partial {latex_name(top)}}}{{\\partial {latex_name(bottom)}}}")


# How each op's node is written: plain template, LaTeX template ({a}, {b} are operands).
_EXPRESSIONS = {
    "add": ("{a} + {b}", "{a} + {b}"),
    "sub": ("{a} − {b}", "{a} - {b}"),
    "mul": ("{a} × {b}", "{a} \\times {b}"),
    "div": ("{a} / {b}", "\\frac{{{a}}}{{{b}}}"),
    "neg": ("−{a}", "-{a}"),
    "exp": ("exp({a})", "e^{{{a}}}"),
    "log": ("log({a})", "\\log({a})"),
    "sqrt": ("√{a}", "\\sqrt{{{a}}}"),
    "sigmoid": ("σ({a})", "\\sigma({a})"),
    "tanh": ("tanh({a})", "\\tanh({a})"),
    "relu": ("ReLU({a})", "\\mathrm{{ReLU}}({a})"),
    "abs": ("|{a}|", "\\lvert {a} \\rvert"),
    "max": ("max({a}, {b})", "\\max({a}, {b})"),
    "min": ("min({a}, {b})", "\\min({a}, {b})"),
}


def line_of(solved: Solved, i: int) -> LineOp | None:
    """Node i's line as the engine compiles it (its expression tree and symbolic local
    derivatives), read from the stored expression by the engine's whitelist parser; None
    for a gate-granularity node. Kept per expression: a program's lines are shared by all
    its variants and submissions."""
    expression = solved.expressions.get(i)
    if expression is None:
        return None
    inputs = tuple(solved.names[j] for j in solved.inputs[i])
    line = _compiled(expression[0], inputs, solved.names[i])
    return line if line.input_names == inputs else None


@lru_cache(maxsize=2048)
def _compiled(expression: str, inputs: tuple[str, ...], name: str) -> LineOp:
    return line_op(parse_expression(expression, list(inputs)), name)


def _line_leaves(solved: Solved, i: int, values: bool, latex: bool) -> dict[str, str]:
    """How a line's names are written: as the hints write each input (consts by value), or
    as numbers; the line's own name too (its formulas may use it: a1·(1 − a1))."""
    shown = {}
    for j in (*solved.inputs[i], i):
        if values:
            shown[solved.names[j]] = number_operand(solved.data[j])
        else:
            label = solved.labels[j]
            shown[solved.names[j]] = latex_name(label) if latex else label
    return shown


def expression(solved: Solved, i: int, values: bool = False) -> tuple[str, str]:
    """The right-hand side of node i: 'x + 2' (or '5 + 2' with values=True); a line node's
    whole expression, 'w1·x + b1', in the program's own names."""
    op = solved.ops[i]
    args = solved.inputs[i]
    line = line_of(solved, i)
    if line is not None:
        text_leaves = _line_leaves(solved, i, values, latex=False)
        latex_leaves = _line_leaves(solved, i, values, latex=True)
        return (render(line.tree, "text", text_leaves.__getitem__),
                render(line.tree, "latex", latex_leaves.__getitem__))

    def arg(k: int, latex: bool) -> str:
        j = args[k]
        if values:
            return number_operand(solved.data[j])
        return operand(solved.labels[j], latex)

    names_text = {"a": arg(0, False), "b": arg(1, False) if len(args) > 1 else ""}
    names_latex = {"a": arg(0, True), "b": arg(1, True) if len(args) > 1 else ""}
    if op.name == "pow":
        label = number(op.exponent)
        return f"{names_text['a']}^{label}", f"{{{names_latex['a']}}}^{{{label}}}"
    text, latex = _EXPRESSIONS[op.name]
    return text.format(**names_text), latex.format(**names_latex)


def definition(solved: Solved, i: int) -> Piece:
    """'y = x + 2' as a math piece."""
    text, latex = expression(solved, i)
    return math(f"{solved.labels[i]} = {text}", f"{latex_name(solved.labels[i])} = {latex}")


def local_formula(solved: Solved, consumer: int, position: int,
                  values: bool = False) -> tuple[str, str]:
    """The op's formula for ∂consumer/∂(its input at position), with names or values. For a
    line node, its expression differentiated (∂z1/∂w1 = x, ∂L/∂a2 = 2·(a2 − y))."""
    op = solved.ops[consumer]
    args = solved.inputs[consumer]
    line = line_of(solved, consumer)
    if line is not None:
        text = line.formula(position, _line_leaves(solved, consumer, values, latex=False))
        latex = line.formula(position, _line_leaves(solved, consumer, values, latex=True),
                             latex=True)
        return text, latex

    def names(latex: bool) -> dict[str, str]:
        if values:
            pick = [number_operand(solved.data[j]) for j in args]
            out = number_operand(solved.data[consumer])
        else:
            pick = [operand(solved.labels[j], latex) for j in args]
            out = operand(solved.labels[consumer], latex)
        return {"a": pick[0], "b": pick[1] if len(pick) > 1 else "", "out": out}

    text = op.formula(position, names(False))
    latex = op.formula(position, names(True), latex=True)
    if values:  # sign((-3)) → sign(-3): a bracketed negative inside a call's own brackets
        text, latex = (_DOUBLE_BRACKETS.sub(r"(\1)", t) for t in (text, latex))
    return text, latex
