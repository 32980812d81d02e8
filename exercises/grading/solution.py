"""The stored solution, read once into flat lists the grader can index quickly.

Grading works from the solution dict the database stores per variant (`Graph.to_solution`)
and never re-solves the program: what the learner is graded against is exactly what the
instructor saw. Values are floats here — every comparison is within a tolerance anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from exercises.engine import numbers
from exercises.engine.graph import CONST, OP, topological_order
from exercises.engine.ops import Op, get

from .gates import Gate, Line, line_op, lone_gate, read_gates


class SolutionError(ValueError):
    """The stored solution is not one the grader can read (a bug upstream, not the learner's)."""


@dataclass(slots=True)
class Solved:
    names: list[str]
    kinds: list[str]
    ops: list[Op | None]
    inputs: list[tuple[int, ...]]
    data: list[float]
    grad: list[float]
    local: list[tuple[float, ...]]  # ∂node/∂input per input (empty for leaves)
    labels: list[str]  # how a node is written in hints: consts by value ("2"), others by name
    consumers: list[list[tuple[int, int]]]  # per node: (op node, input position) reading it
    index: dict[str, int]
    output: int
    # Per line node its inner gates (None for a gate-granularity node; LINES.md), and its
    # node's own text (program syntax, LaTeX).
    gates: list[tuple[Gate, ...] | None] = field(default_factory=list)
    expressions: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Hints depend only on the solution, node, level and ask: a prepared solution graded
    # many times builds each one once.
    hints: dict = field(default_factory=dict)
    # What the solution froze besides its nodes, for the kinds that need more than data,
    # grads and locals: {"update": {...}, "nudge": {...}} (see kinds.py).
    frozen: dict = field(default_factory=dict)
    _lines: dict[int, Line] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.names)

    def line(self, i: int) -> Line:
        """Op node i as a line of inner gates (built once per prepared solution)."""
        line = self._lines.get(i)
        if line is None:
            expression = self.expressions.get(i)
            gates = self.gates[i] or lone_gate(self.ops[i], self.inputs[i], self.kinds,
                                               self.data, self.labels, self.data[i],
                                               self.local[i])
            line = Line(i, tuple(self.labels[j] for j in self.inputs[i]), gates,
                        expression[0] if expression else None)
            self._lines[i] = line
        return line

    def default_asked(self, ask: str) -> list[int]:
        keep = asked_kinds(ask)
        return [i for i, kind in enumerate(self.kinds) if kind in keep]


def asked_kinds(ask: str) -> tuple[str, ...]:
    """The kinds of node asked about by default. Gradients: every input and op (consts are
    given). Values: the ops (inputs are given)."""
    return (OP,) if ask == "data" else ("input", OP)


def read_solution(solution: dict) -> Solved:
    """The stored solution dict as a `Solved` (also public as `prepare`)."""
    try:
        items = solution["nodes"]
        if not items:
            raise SolutionError("the solution has no nodes")
        # Stored solutions are topological already; re-sort only if one is not.
        position = {item["name"]: i for i, item in enumerate(items)}
        if any(position[src] >= i for i, item in enumerate(items) for src in item["inputs"]):
            items = topological_order(items)
            position = {item["name"]: i for i, item in enumerate(items)}
        solved = _read(items, position)
    except SolutionError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError) as exc:
        raise SolutionError(f"unreadable solution: {exc.__class__.__name__}: {exc}") from None
    output = solved.index.get(solution.get("output", solved.names[-1]))
    if output is None:
        raise SolutionError("the solution's output is not one of its nodes")
    solved.output = output
    solved.frozen = {key: value for key, value in solution.items()
                     if key not in ("output", "nodes")}
    return solved


def _read(items: list[dict], position: dict[str, int]) -> Solved:
    n = len(items)
    names, kinds, ops, inputs, data, grad, local, labels, gates = ([] for _ in range(9))
    expressions: dict[int, tuple[str, str]] = {}
    consumers: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, item in enumerate(items):
        kind = item["kind"]
        args = tuple(position[src] for src in item["inputs"])
        value = float(item["data"])
        line_gates = None
        if kind == OP and item.get("gates"):
            line_gates = read_gates(item, args, data)
            op = line_op(len(args), line_gates)
            text = item.get("expression") or item["name"]
            expressions[i] = (text, item.get("expression_latex") or text)
        else:
            op = _op(item["op"], item.get("exponent")) if kind == OP else None
        names.append(item["name"])
        kinds.append(kind)
        ops.append(op)
        inputs.append(args)
        data.append(value)
        grad.append(float(item["grad"]))
        stored = item.get("local")
        if op is not None and not stored:  # a to_dict() form without locals: derive them
            stored = op.local_derivative(tuple(data[j] for j in args), value)
        local.append(tuple(float(d) for d in stored or ()))
        labels.append(_const_label(item) if kind == CONST else item["name"])
        gates.append(line_gates)  # (a gate-granularity node's one gate: made when asked)
        for p, j in enumerate(args):
            consumers[j].append((i, p))
    return Solved(names, kinds, ops, inputs, data, grad, local, labels, consumers,
                  dict(zip(names, range(n), strict=True)), n - 1, gates, expressions)


@lru_cache(maxsize=512)
def _op(name: str, exponent: str | None) -> Op:
    return get(name, Fraction(exponent) if exponent is not None else None)


def _const_label(item: dict) -> str:
    exact = item.get("data_exact")
    value = Fraction(exact) if exact is not None else float(item["data"])
    return numbers.format_number(value)
