"""Computational graphs: value nodes and op nodes, forward values and reverse-mode gradients.

Nodes are kept in one list in topological order (every node after its inputs), so the
forward pass is one loop over the list and the backward pass one loop over it reversed —
no recursion, so a 1,000,000-node chain is as easy as a 3-node one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from fractions import Fraction

from . import numbers
from .errors import ProgramError
from .numbers import Number
from .ops import DomainError, Op, get

INPUT, CONST, OP = "input", "const", "op"


class Node:
    __slots__ = ("index", "name", "kind", "op", "inputs", "data", "grad", "local", "line",
                 "source")

    def __init__(self, index, name, kind, op=None, inputs=(), data=None, line=None,
                 source=None):
        self.index = index
        self.name = name
        self.kind = kind
        self.op: Op | None = op
        self.inputs: tuple[int, ...] = inputs
        self.data: Number | None = data
        self.grad: Number | None = None
        self.local: tuple | None = None  # ∂self/∂input for each input, set by backward
        self.line = line  # where the program defined it, for error messages
        self.source = source  # how a random input was drawn ("randint(1, 5)"), if it was

    def __repr__(self):
        return f"Node({self.name!r}, {self.kind}, data={self.data}, grad={self.grad})"


class Graph:
    def __init__(self):
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.reserved: set[str] = set()  # names a program assigns later: not for intermediates
        self._next_suffix: dict[str, int] = {}  # so fresh names don't rescan from _1

    # -- building -----------------------------------------------------------------------
    def _add(self, node: Node) -> Node:
        if node.name in self.by_name:
            raise ProgramError(f"'{node.name}' is defined twice", node.line)
        self.nodes.append(node)
        self.by_name[node.name] = node
        return node

    def add_input(self, name: str, value, line=None, source=None) -> Node:
        return self._add(Node(len(self.nodes), name, INPUT, data=numbers.from_python(value),
                              line=line, source=source))

    def add_const(self, value, name: str | None = None, line=None) -> Node:
        if name is None:
            label = numbers.format_number(numbers.from_python(value))
            name = self.fresh_name(f"const_{label}", numbered=False)
        return self._add(Node(len(self.nodes), name, CONST, data=numbers.from_python(value),
                              line=line))

    def add_op(self, op: Op, inputs: Iterable[Node], name: str | None = None, line=None) -> Node:
        args = tuple(n.index for n in inputs)
        if len(args) != op.arity:
            raise ProgramError(f"{op.name} takes {op.arity} input(s), got {len(args)}", line)
        return self._add(Node(len(self.nodes), name or self.fresh_name(op.name), OP, op=op,
                              inputs=args, line=line))

    def fresh_name(self, stem: str, numbered: bool = True) -> str:
        """A name no node has and no program statement will claim (see `reserved`)."""
        stem = stem.replace("-", "m").replace(".", "_").replace("/", "_").replace("+", "")
        def taken(name):  # two lookups, not a merged set: building must stay linear
            return name in self.by_name or name in self.reserved

        if not numbered and not taken(stem):
            return stem
        i = self._next_suffix.get(stem, 1 if numbered else 2)
        while taken(f"{stem}_{i}"):
            i += 1
        self._next_suffix[stem] = i + 1
        return f"{stem}_{i}"

    # -- reading --------------------------------------------------------------------------
    @property
    def output(self) -> Node:
        return self.nodes[-1]

    def __len__(self):
        return len(self.nodes)

    def __getitem__(self, name: str) -> Node:
        return self.by_name[name]

    def consumers(self) -> list[list[tuple[int, int]]]:
        """For each node, the (op node index, input position) pairs that read it."""
        result: list[list[tuple[int, int]]] = [[] for _ in self.nodes]
        for node in self.nodes:
            for position, i in enumerate(node.inputs):
                result[i].append((node.index, position))
        return result

    def asked(self) -> list[Node]:
        """Nodes a learner is asked about by default: inputs and ops, never consts."""
        return [n for n in self.nodes if n.kind != CONST]

    # -- numbers --------------------------------------------------------------------------
    def forward(self) -> Graph:
        nodes = self.nodes
        check = numbers.check
        for node in nodes:
            op = node.op
            if op is None:
                continue
            ins = node.inputs
            try:
                if len(ins) == 2:
                    value = op.forward(nodes[ins[0]].data, nodes[ins[1]].data)
                else:
                    value = op.forward(nodes[ins[0]].data)
                node.data = check(value)
            except (DomainError, ArithmeticError, ValueError) as exc:
                raise ProgramError(f"cannot compute {node.name}: {_reason(exc)}",
                                   node.line) from None
        return self

    def backward(self) -> Graph:
        nodes = self.nodes
        for node in nodes:
            node.grad = 0
        self.output.grad = Fraction(1)
        for node in reversed(nodes):
            op = node.op
            if op is None:
                continue
            ins = node.inputs
            try:
                local = op.local_derivative(tuple(nodes[i].data for i in ins), node.data)
            except (DomainError, ArithmeticError, ValueError) as exc:
                raise ProgramError(f"cannot differentiate {node.name}: {_reason(exc)}",
                                   node.line) from None
            node.local = local
            g = node.grad
            for i, d in zip(ins, local, strict=True):
                # Fan-out: a node read by several ops sums what each of them sends back.
                nodes[i].grad += g * d
        for node in nodes:
            if isinstance(node.grad, int):
                node.grad = Fraction(node.grad)
        return self

    def solve(self) -> Graph:
        return self.forward().backward()

    # -- serialisation --------------------------------------------------------------------
    def to_dict(self, grads: bool = True) -> dict:
        """JSON-safe form: {"output", "nodes": [...]} in topological order."""
        names = [n.name for n in self.nodes]
        out = []
        for n in self.nodes:
            item = {
                "name": n.name,
                "kind": n.kind,
                "op": n.op.name if n.op else None,
                "inputs": [names[i] for i in n.inputs],
                "data": _json_number(n.data),
            }
            if n.op is not None and n.op.exponent is not None:
                item["exponent"] = str(n.op.exponent)
            if grads:
                item["grad"] = _json_number(n.grad)
            out.append(item)
        return {"output": self.output.name, "nodes": out}

    def to_solution(self) -> dict:
        """Everything a grader or instructor needs, with exact forms kept as strings."""
        base = self.to_dict()
        for item, n in zip(base["nodes"], self.nodes, strict=True):
            item["data_exact"] = numbers.exact_text(n.data)
            item["grad_exact"] = numbers.exact_text(n.grad)
            item["local"] = [_json_number(d) for d in n.local] if n.local else []
            if n.op is not None:
                item["symbol"] = n.op.symbol
            if n.line is not None:
                item["line"] = n.line
        return base

    @classmethod
    def from_dict(cls, data: dict) -> Graph:
        """Rebuild a graph from `to_dict`/`to_solution` output (stored data is trusted)."""
        graph = cls()
        items = data["nodes"]
        for item in topological_order(items):
            kind = item["kind"]
            value = item.get("data_exact", item.get("data"))
            parsed = _parse_stored(value)
            if kind == INPUT:
                graph.add_input(item["name"], parsed)
            elif kind == CONST:
                graph.add_const(parsed, name=item["name"])
            else:
                exponent = item.get("exponent")
                op = get(item["op"], Fraction(exponent) if exponent is not None else None)
                graph.add_op(op, [graph[i] for i in item["inputs"]], name=item["name"])
        if graph.output.name != data["output"]:
            raise ProgramError(f"the output '{data['output']}' must be the last node", None)
        return graph


def topological_order(items: list[dict]) -> list[dict]:
    """Kahn's algorithm over {"name", "inputs"} dicts, keeping the given order where free."""
    by_name = {item["name"]: item for item in items}
    waiting = {item["name"]: 0 for item in items}
    readers: dict[str, list[str]] = {name: [] for name in by_name}
    for item in items:
        for source in item.get("inputs", []):
            if source not in by_name:
                raise ProgramError(f"'{item['name']}' reads unknown node '{source}'", None)
            waiting[item["name"]] += 1
            readers[source].append(item["name"])
    ready = deque(item["name"] for item in items if waiting[item["name"]] == 0)
    order = []
    while ready:
        name = ready.popleft()
        order.append(by_name[name])
        for reader in readers[name]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    if len(order) != len(items):
        stuck = sorted(name for name, count in waiting.items() if count)
        raise ProgramError(f"the graph has a cycle through {', '.join(stuck[:5])}", None)
    return order


def _json_number(value):
    if value is None:
        return None
    return float(value)


def _parse_stored(value):
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            return float(value)
    return value


def _reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "a value is too large"
    return text or exc.__class__.__name__
