"""The inner gates of a node, one shape for both granularities (LINES.md).

A line node (`z1 = w1 * x + b1`, op "expr") stores its inner binary/unary gates; a
gate-granularity op node is read as a line of one gate. Misconception rules look at one
inner gate at a time: a learner's slip at that gate (their own value at the multiply, the
2 of the square left out) changes the line's local derivative, and `Line.changed_local`
says by how much, without re-running anything.

Pure Python; reads only what the stored solution holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from exercises.engine import expressions as ex
from exercises.engine.expressions import render
from exercises.engine.ops import Op, get

INPUT, GATE, CONST = "input", "gate", "const"


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of an inner gate: the line's input at position `ref`, an earlier gate
    of the line (`ref` is its index), or a constant."""

    kind: str
    ref: int
    value: float
    label: str  # a constant's text; "" otherwise (read names through the Line)


@dataclass(frozen=True, slots=True)
class Gate:
    op: Op
    args: tuple[Arg, ...]
    data: float
    local: tuple[float, ...]


@dataclass
class Line:
    """The gates of one op node, with the derivatives a rule needs to change one local."""

    node: int
    names: tuple[str, ...]  # the node's inputs' labels, by position
    gates: tuple[Gate, ...]
    expression: str | None  # the program's text for a line node; None for a lone gate

    @cached_property
    def adjoint(self) -> tuple[float, ...]:
        """∂line/∂gate for every inner gate (the last gate is the line's value)."""
        adj = [0.0] * len(self.gates)
        adj[-1] = 1.0
        for g in range(len(self.gates) - 1, -1, -1):
            gate = self.gates[g]
            for a, arg in enumerate(gate.args):
                if arg.kind == GATE:
                    adj[arg.ref] += adj[g] * gate.local[a]
        return tuple(adj)

    def tangent(self, position: int) -> tuple[float, ...]:
        """∂gate/∂(the line's input at `position`) for every inner gate."""
        cache = self._tangents
        if position not in cache:
            tan: list[float] = []
            for gate in self.gates:
                tan.append(sum(gate.local[a] * self._arg_tangent(arg, position, tan)
                               for a, arg in enumerate(gate.args)))
            cache[position] = tuple(tan)
        return cache[position]

    @cached_property
    def _tangents(self) -> dict[int, tuple[float, ...]]:
        return {}

    def paths(self, position: int) -> list[tuple[int, int]]:
        """(gate, argument) pairs that the line's input at `position` flows through."""
        cache = self._paths
        if position not in cache:
            under: set[int] = set()
            found = []
            for g, gate in enumerate(self.gates):
                for a, arg in enumerate(gate.args):
                    if (arg.kind == INPUT and arg.ref == position) or (
                            arg.kind == GATE and arg.ref in under):
                        found.append((g, a))
                        under.add(g)
            cache[position] = found
        return cache[position]

    @cached_property
    def _paths(self) -> dict[int, list[tuple[int, int]]]:
        return {}

    @staticmethod
    def _arg_tangent(arg: Arg, position: int, tan) -> float:
        if arg.kind == INPUT:
            return 1.0 if arg.ref == position else 0.0
        if arg.kind == GATE:
            return tan[arg.ref]
        return 0.0

    def reaches(self, g: int, a: int, position: int) -> float:
        """∂(gate g's argument a)/∂(input at position): 0 when the input is not under it."""
        arg = self.gates[g].args[a]
        return self._arg_tangent(arg, position, self.tangent(position))

    def changed_local(self, position: int, local: float, g: int, a: int, slip: float) -> float:
        """The line's local derivative for input `position` had gate g's local for its
        argument a been `slip` instead: a change along every path through that argument."""
        gate = self.gates[g]
        return local + (slip - gate.local[a]) * self.adjoint[g] * self.reaches(g, a, position)

    def text(self, g: int) -> str:
        """Gate g written with the program's names, as the line itself is written (the
        engine's renderer: 'w1·x', '(a2 − y)^2', '0.5·(t − o)^2')."""
        return render(self.tree(g), "text")

    def arg_text(self, g: int, a: int, nested: bool = False) -> str:
        arg = self.gates[g].args[a]
        if arg.kind == INPUT:
            return self.names[arg.ref]
        if arg.kind == CONST:
            return f"({arg.label})" if nested and arg.label.startswith("-") else arg.label
        return self.text(arg.ref)

    def tree(self, g: int) -> tuple:
        """Gate g as an expression tree over the inputs' labels (see engine/expressions)."""
        gate = self.gates[g]
        children = []
        for arg in gate.args:
            if arg.kind == INPUT:
                children.append(ex.name(self.names[arg.ref]))
            elif arg.kind == CONST:
                children.append(ex.const(Fraction(arg.label), arg.label))
            else:
                children.append(self.tree(arg.ref))
        return ex.gate(gate.op, *children)


def lone_gate(op: Op, inputs: tuple[int, ...], kinds: list[str], data: list[float],
              labels: list[str], value: float, local: tuple[float, ...]) -> tuple[Gate]:
    """A gate-granularity op node, read as a line of one gate."""
    args = tuple(Arg(CONST, k, data[j], labels[j]) if kinds[j] == CONST
                 else Arg(INPUT, k, data[j], "") for k, j in enumerate(inputs))
    return (Gate(op, args, value, local),)


def read_gates(item: dict, inputs: tuple[int, ...], data: list[float]) -> tuple[Gate, ...]:
    """The stored `gates` of a line node."""
    stored = item["gates"]
    position = {name: k for k, name in enumerate(item["inputs"])}
    gates: list[Gate] = []
    for spec in stored:
        args = []
        for ref in spec["args"]:
            if isinstance(ref, bool):
                raise ValueError("a gate argument cannot be true/false")
            if isinstance(ref, int):
                if not 0 <= ref < len(gates):
                    raise ValueError(f"gate argument {ref} is not an earlier gate")
                args.append(Arg(GATE, ref, gates[ref].data, ""))
            elif isinstance(ref, str):
                k = position[ref]
                args.append(Arg(INPUT, k, data[inputs[k]], ""))
            else:
                text = str(ref["const"])
                args.append(Arg(CONST, -1, float(Fraction(text)), text))
        exponent = spec.get("exponent")
        gate_op = get(spec["op"], Fraction(exponent) if exponent is not None else None)
        gates.append(Gate(gate_op, tuple(args), float(spec["data"]),
                          tuple(float(d) for d in spec["local"])))
    return tuple(gates)


def line_op(arity: int, gates: tuple[Gate, ...]) -> Op:
    """An `Op` for a stored line node, run through its own gates. (The grader needs its
    forward for follow-through of forward values; local derivatives are stored.)"""

    def values(inputs) -> list:
        out: list = []
        for gate in gates:
            args = [inputs[arg.ref] if arg.kind == INPUT else out[arg.ref] if arg.kind == GATE
                    else Fraction(arg.label) for arg in gate.args]
            out.append(gate.op.forward(*args))
        return out

    def local_derivative(inputs, out):
        forward = values(inputs)
        adj = [0.0] * len(gates)
        adj[-1] = 1.0
        result = [0.0] * arity
        for g in range(len(gates) - 1, -1, -1):
            gate = gates[g]
            args = [inputs[arg.ref] if arg.kind == INPUT else forward[arg.ref]
                    if arg.kind == GATE else Fraction(arg.label) for arg in gate.args]
            for arg, d in zip(gate.args, gate.op.local_derivative(tuple(args), forward[g]),
                              strict=True):
                if arg.kind == GATE:
                    adj[arg.ref] += adj[g] * d
                elif arg.kind == INPUT:
                    result[arg.ref] += adj[g] * d
        return tuple(result)

    return Op("expr", arity, "expr", forward=lambda *inputs: values(inputs)[-1],
              local_derivative=local_derivative,
              formulas=tuple(("its line's derivative", r"\text{{its line's derivative}}")
                             for _ in range(arity)),
              # a line of one gate states that gate's rule (z2 = w2·a1: multiply swaps)
              gate=gates[0].op.gate if len(gates) == 1 else
              "a line's local derivative for each name is the chain rule over its own gates",
              sympy=lambda *args: None)
