"""What-if runs on a solved graph: one gradient-descent step, and a nudge of one input.

Pure Python, no Django. These are the numbers the `update` and `nudge` exercise kinds ask
for; they are computed here once, when a variant is made, and frozen with its solution.
Exact where the program is: a learning rate or a step is read as the decimal it is written
as (0.001 is 1/1000), so the notes' "nudge x = 2 by 0.001" gives a loss of exactly 7.003
and a slope of exactly 3, where floats would give 2.9999999999996696.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import numbers
from .errors import ProgramError
from .graph import INPUT, Graph
from .numbers import Number

MAX_STEP = 1e6  # a learning rate or step beyond this is a typo, not an exercise


def exact(value: object, what: str) -> Number:
    """A setting as an exact number: 0.5 → 1/2, "0.001" → 1/1000, "1/3" → 1/3. Floats and
    decimal text keep their decimal meaning; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number")
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number")
        result = numbers.parse_literal(repr(value))
    elif isinstance(value, str) and len(value) <= 40:
        parts = value.strip().split("/")
        try:
            if len(parts) > 2:
                raise ValueError
            result = numbers.parse_literal(parts[0].strip())
            if len(parts) == 2:
                result /= numbers.parse_literal(parts[1].strip())
        except (ValueError, ArithmeticError):
            raise ValueError(f"{what} must be a number like 0.5 or 1/2, not {value!r}") from None
    else:
        raise ValueError(f"{what} must be a number")
    if abs(result) > MAX_STEP:
        raise ValueError(f"{what} must be at most {MAX_STEP:g} in size")
    return result


def inputs(graph: Graph) -> list[str]:
    """The graph's non-constant inputs, in order: the default parameters of an update."""
    return [name for name, kind in zip(graph.names, graph.kinds, strict=True) if kind == INPUT]


def gradient_step(graph: Graph, learning_rate: Number,
                  parameters: list[str]) -> dict[str, Number]:
    """w − η·∂L/∂w for each parameter of a solved graph (one step of gradient descent)."""
    index_of, grads = graph.index_of, graph.grads
    if grads is None:
        raise ValueError("solve the graph before taking a gradient step")
    return {name: numbers.check(graph.data[index_of[name]] - learning_rate * grads[index_of[name]])
            for name in parameters}


def nudge(graph: Graph, name: str, h: Number) -> tuple[Number, Number]:
    """(L(x + h), (L(x + h) − L(x))/h) for input `name` of a solved graph. The graph is run
    forward again with the nudged input and then put back as it was (its gradients stand:
    they belong to the restored values). ProgramError if the nudged run fails (log(x) with
    x + h ≤ 0 …)."""
    i = graph.index_of[name]
    out = len(graph) - 1
    before, base = graph.data[i], graph.data[out]
    graph.data[i] = before + h
    try:
        graph.forward()
        nudged = graph.data[out]
    except ProgramError as exc:
        raise ProgramError(f"nudging {name} by {numbers.format_number(h)}: {exc.message}",
                           exc.line) from None
    finally:
        graph.data[i] = before
        graph.forward()
    return nudged, numbers.check((nudged - base) / h)
