"""Closed forms with sympy: for display ("σ(1/2)" rather than 0.6225) and for cross-checks.

sympy never sees user text here: expressions are built from the graph's ops, which each
know their own sympy form. This is off the hot path; graphs past a size limit are skipped.
"""

from __future__ import annotations

from fractions import Fraction

from .graph import Graph
from .lines import is_line

MAX_CLOSED_FORM_NODES = 80
MAX_CLOSED_FORM_CHARS = 120


def _sympy_number(value):
    import sympy

    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return sympy.Float(value, 17)


def closed_forms(graph: Graph) -> list[tuple[object, object]] | None:
    """(data, grad) as sympy expressions for every node, or None for a graph too big to show."""
    import sympy

    if len(graph) > MAX_CLOSED_FORM_NODES:
        return None
    data: list = []
    for node in graph.nodes:
        if node.op is None:
            data.append(_sympy_number(node.data))
        else:
            data.append(node.op.sympy(*(data[i] for i in node.inputs)))
    grads: list = [sympy.Integer(0)] * len(graph)
    grads[-1] = sympy.Integer(1)
    for node in reversed(graph.nodes):
        if node.op is None:
            continue
        args = tuple(data[i] for i in node.inputs)
        for i, d in zip(node.inputs, _symbolic_local(node, args, data[node.index]), strict=True):
            grads[i] = grads[i] + grads[node.index] * d
    return list(zip(data, grads, strict=True))


def _symbolic_local(node, args, out):
    import sympy

    op = node.op
    if is_line(op):
        # A line: its expression (from its gates' sympy forms) differentiated by each name.
        # Piecewise gates inside it leave Heaviside/sign terms, decided by the numbers.
        names = [sympy.Symbol(f"_in{k}", real=True) for k in range(op.arity)]
        expr = op.sympy(*names)
        at = dict(zip(names, args, strict=True))
        return tuple(sympy.diff(expr, s).subs(at) for s in names)
    if op.name in ("relu", "abs", "max", "min"):
        # Piecewise ops: which branch applies is decided by the numbers, as in the engine.
        return tuple(sympy.Integer(int(d)) for d in node.local)
    # Local derivatives of sympy arguments are sympy expressions, or plain numbers for the
    # constant ones (add's 1, neg's −1): convert those, never parse text.
    return tuple(d if isinstance(d, sympy.Basic) else _sympy_number(d)
                 for d in op.local_derivative(args, out))


def closed_form_texts(graph: Graph) -> list[dict]:
    """Short str/LaTeX closed forms per node; a form that is just a long float is left out."""
    import sympy

    forms = closed_forms(graph)
    result: list[dict] = []
    if forms is None:
        return [{} for _ in graph.nodes]
    for data, grad in forms:
        item = {}
        for key, expr in (("data", data), ("grad", grad)):
            if expr.has(sympy.Float):
                continue
            text = str(expr)
            if len(text) <= MAX_CLOSED_FORM_CHARS:
                item[key] = text
                item[f"{key}_latex"] = sympy.latex(expr)
        result.append(item)
    return result


def sympy_gradients(graph: Graph) -> dict[str, float]:
    """∂output/∂input for every input by sympy's own differentiation (for cross-checks)."""
    import sympy

    # Real symbols, so that d|v|/dv is sign(v) rather than an expression in re() and im().
    symbols = {n.index: sympy.Symbol(f"v{n.index}", real=True)
               for n in graph.nodes if n.kind == "input"}
    exprs: list = []
    for node in graph.nodes:
        if node.op is not None:
            exprs.append(node.op.sympy(*(exprs[i] for i in node.inputs)))
        elif node.kind == "input":
            exprs.append(symbols[node.index])
        else:
            exprs.append(_sympy_number(node.data))
    values = {symbols[i]: _sympy_number(graph.nodes[i].data) for i in symbols}
    output = exprs[-1]
    return {graph.nodes[i].name: float(sympy.diff(output, s).subs(values).evalf(30))
            for i, s in symbols.items()}
