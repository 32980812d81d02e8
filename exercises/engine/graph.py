"""Computational graphs: value nodes and op nodes, forward values and reverse-mode gradients.

A graph keeps its nodes in flat lists in topological order (every node after its inputs),
so the forward pass is one loop over the lists and the backward pass one loop in reverse —
no recursion and no object per edge, so a 1,000,000-node chain is as easy as a 3-node one.
`graph.nodes` gives `Node` views for code that reads one node at a time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from itertools import compress, count, repeat
from operator import is_

from . import numbers
from .errors import ProgramError
from .lines import LineOp, line_op
from .numbers import MAX_MAGNITUDE, Number
from .ops import REGISTRY, Op, get

INPUT, CONST, OP = "input", "const", "op"

# Most nodes of any graph are add and multiply gates. The forward and backward loops apply
# these two inline (their rules, a + b and "add distributes, multiply swaps", are the ops'
# own, stated in ops.py) rather than through a function call and a tuple per node: the
# loops are the engine's hot path. Every other op goes through its registry entry.
_ADD, _MUL, _RELU = REGISTRY["add"], REGISTRY["mul"], REGISTRY["relu"]


class Node:
    """One node of a graph, read through the graph's lists."""

    __slots__ = ("_graph", "index")

    def __init__(self, graph: Graph, index: int):
        self._graph = graph
        self.index = index

    name = property(lambda self: self._graph.names[self.index])
    kind = property(lambda self: self._graph.kinds[self.index])
    op: Op | None = property(lambda self: self._graph.ops[self.index])
    inputs: tuple[int, ...] = property(lambda self: self._graph.args[self.index])

    @property
    def data(self) -> Number:
        return self._graph.data[self.index]

    @data.setter
    def data(self, value: Number):
        # For "what if" runs (finite differences): set an input, then forward() again.
        graph = self._graph
        graph.data[self.index] = value
        if type(value) is not float:  # forward() then checks each value as it is made
            graph._exact_leaves = True

    line = property(lambda self: self._graph.lines[self.index])
    source = property(lambda self: self._graph.sources.get(self.index))

    @property
    def grad(self) -> Number | None:
        grads = self._graph.grads
        return grads[self.index] if grads is not None else None

    @property
    def local(self) -> tuple | None:
        """∂self/∂input for each input, once the backward pass has run."""
        locals_ = self._graph.locals
        return locals_[self.index] if locals_ is not None else None

    def __eq__(self, other):
        return isinstance(other, Node) and other._graph is self._graph and (
            other.index == self.index)

    def __hash__(self):
        return hash((id(self._graph), self.index))

    def __repr__(self):
        return f"Node({self.name!r}, {self.kind}, data={self.data}, grad={self.grad})"


_new_node = object.__new__


class _ByName(Mapping):
    def __init__(self, graph: Graph):
        self._graph = graph

    def __getitem__(self, name: str) -> Node:
        return Node(self._graph, self._graph.index_of[name])

    def __contains__(self, name) -> bool:
        return name in self._graph.index_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._graph.index_of)

    def __len__(self) -> int:
        return len(self._graph.index_of)


class Graph:
    def __init__(self):
        # One column per node attribute. `ops` and `args` always hold every node; the other
        # four may lag behind them, for nodes add_op gave an automatic name and no line
        # (see `_catch_up`): that path appends to two lists only.
        self.ops: list[Op | None] = []
        self.args: list[tuple[int, ...]] = []
        # A node's name; None for a bulk-built node whose default name nobody has read yet,
        # an Op for add_op's automatic name (see `names`): a million-node graph from code
        # need not make a million strings.
        self._names: list[str | Op | None] = []
        self._unnamed = False
        self._kinds: list[str] = []
        self._data: list[Number | None] = []
        self._lines: list[int | None] = []
        self.sources: dict[int, str] = {}  # how a random input was drawn ("randint(1, 5)")
        self._grads: list[Number] | None = None
        self._exact_leaves = False  # some input or constant is a Fraction, not a float
        self._locals: list[tuple | None] | None = None
        self._index_of: dict[str, int] = {}
        self.reserved: set[str] = set()  # names a program assigns later: not for intermediates
        self._next_suffix: dict[str, int] = {}  # so fresh names don't rescan from _1
        self._views: list[Node] = []
        self._named_upto = 0  # every node before this index has its name
        self.granularity = "gate"  # a graph from code is made of gates; programs say
        self.boxed: set[int] = set()  # a diagram's operations that have a value box

    def _catch_up(self) -> None:
        """Extend the lagging columns to every node: add_op's automatically named nodes are
        ops, with no data yet and no line, whose names are made when first read."""
        ops, k = self.ops, len(self._kinds)
        missing = len(ops) - k
        if missing:
            self._names += ops[k:]  # an Op stands for its automatic name (`_name_pending`)
            self._unnamed = True
            self._kinds += [OP] * missing
            self._data += [None] * missing
            self._lines += [None] * missing

    @property
    def by_name(self) -> Mapping[str, Node]:
        # Made when asked for, not kept: a graph that refers to itself is freed only by the
        # cycle collector, and a big one left for it costs every later collection.
        return _ByName(self)

    @property
    def kinds(self) -> list[str]:
        self._catch_up()
        return self._kinds

    @property
    def data(self) -> list[Number | None]:
        self._catch_up()
        return self._data

    @property
    def lines(self) -> list[int | None]:
        self._catch_up()
        return self._lines

    # -- building -----------------------------------------------------------------------
    def append(self, name: str | None, kind: str, op: Op | None, args: tuple[int, ...], data,
               line: int | None = None) -> int:
        """The low-level builder (big generated graphs and the parser use it directly):
        returns the index. An op node without a name gets an automatic one (see add_op)."""
        if name is None:
            self._catch_up()
            self._names.append(op)  # named when names are first read
            self._unnamed = True
        else:
            index_of = self.index_of  # catches the columns up
            if name in index_of:
                raise ProgramError(f"'{name}' is defined twice", line)
            index_of[name] = len(self.ops)
            self._names.append(name)
        index = len(self.ops)
        if data is not None and type(data) is not float:
            self._exact_leaves = True
        self._kinds.append(kind)
        self.ops.append(op)
        self.args.append(args)
        self._data.append(data)
        self._lines.append(line)
        return index

    def add_ops(self, ops: list[Op], args: list[tuple[int, ...]],
                names: list[str] | None = None) -> range:
        """The bulk builder for big generated graphs: op node k reads the nodes at indices
        args[k] (forward() refuses any that is not before it). Without `names`, each node
        gets "n<index>" (or, if a node already has that name, the next free "n<index>_<k>")
        when names are first read. Returns the new nodes' indices."""
        self._catch_up()
        start = len(self.ops)
        end = start + len(ops)
        if len(args) != len(ops) or (names is not None and len(names) != len(ops)):
            raise ProgramError("ops, args and names must have the same length", None)
        if names is None:
            self._names += [None] * len(ops)
            self._unnamed = True
        else:
            index_of = self.index_of
            index_of.update(zip(names, range(start, end), strict=True))
            if len(index_of) != end:  # a name given twice, or one the graph already has
                self._index_of = {name: i for i, name in enumerate(self._names)  # as it was
                                  if type(name) is str}
                raise ProgramError("a node name is defined twice", None)
            self._names += names
        self._kinds += [OP] * len(ops)
        self.ops += ops
        self.args += args
        self._data += [None] * len(ops)
        self._lines += [None] * len(ops)
        return range(start, end)

    @property
    def names(self) -> list[str]:
        self._catch_up()
        if self._unnamed:
            self._name_pending()
        return self._names

    @property
    def index_of(self) -> dict[str, int]:
        self._catch_up()
        if self._unnamed:
            self._name_pending()
        return self._index_of

    def _name_pending(self) -> None:
        """Name the nodes added without a name, in order, as if each had been named when it
        was added: "add_1", "mul_2", … after its op (add_op), "n<index>" (add_ops)."""
        self._unnamed = False
        names, index_of = self._names, self._index_of
        for i in range(self._named_upto, len(names)):
            pending = names[i]
            if pending is None:
                name, k = f"n{i}", 2
                while name in index_of or name in self.reserved:
                    name, k = f"n{i}_{k}", k + 1
            elif type(pending) is str:
                continue
            else:  # an Op: add_op's automatic name
                name = self._fresh(pending.name, True)
            names[i] = name
            index_of[name] = i
        self._named_upto = len(names)

    def add_inputs(self, values: list[int | float | Fraction],
                   names: list[str] | None = None) -> range:
        """Many inputs at once (see add_ops); names default to "x<index>"."""
        start = len(self.ops)
        if names is None:
            names = [f"x{i}" for i in range(start, start + len(values))]
        elif len(names) != len(values):
            raise ProgramError("values and names must have the same length", None)
        for name, value in zip(names, values, strict=True):
            self.append(name, INPUT, None, (), numbers.from_python(value))
        return range(start, len(self.ops))

    def add_input(self, name: str, value, line=None, source=None) -> Node:
        index = self.append(name, INPUT, None, (), numbers.from_python(value), line)
        if source:
            self.sources[index] = source
        return Node(self, index)

    def add_const(self, value, name: str | None = None, line=None) -> Node:
        value = numbers.from_python(value)
        if name is None:
            name = self.fresh_name(f"const_{numbers.format_number(value)}", numbered=False)
        return Node(self, self.append(name, CONST, None, (), value, line))

    def add_op(self, op: Op, inputs: Iterable[Node | int], name: str | None = None,
               line=None) -> Node:
        # The public way to build a graph node by node, so it is kept as cheap as the bulk
        # builder's per-node work (bench/engine.py measures both): the inputs are unpacked
        # without a loop for the usual one or two, and a node with an automatic name and no
        # line is two appends: its other columns catch up, and its name is made, when first
        # read (`_catch_up`, `_name_pending`).
        try:
            count = len(inputs)
        except TypeError:  # any iterable will do
            inputs = tuple(inputs)
            count = len(inputs)
        try:  # Nodes, the usual case, without a type test each
            if count == 2:
                a, b = inputs
                args = (a.index, b.index)
            elif count == 1:
                args = (inputs[0].index,)
            else:
                args = tuple([n.index for n in inputs])
        except AttributeError:  # indices (or a mix)
            args = tuple([n if n.__class__ is int else n.index for n in inputs])
        if count != op.arity:
            raise ProgramError(f"{op.name} takes {op.arity} input(s), got {count}", line)
        if name is not None or line is not None:
            return Node(self, self.append(name, OP, op, args, None, line))
        ops = self.ops
        node = _new_node(Node)  # Node(self, index) without the __init__ call
        node._graph = self
        node.index = len(ops)
        ops.append(op)
        self.args.append(args)
        return node

    def fresh_name(self, stem: str, numbered: bool = True) -> str:
        """A name no node has and no program statement will claim (see `reserved`)."""
        self._catch_up()
        if self._unnamed:
            self._name_pending()
        return self._fresh(stem, numbered)

    def _fresh(self, stem: str, numbered: bool) -> str:
        stem = stem.replace("-", "m").replace(".", "_").replace("/", "_").replace("+", "")
        # Two lookups, not a merged set: building must stay linear.
        index_of, reserved = self._index_of, self.reserved
        if not numbered and stem not in index_of and stem not in reserved:
            return stem
        i = self._next_suffix.get(stem, 1 if numbered else 2)
        name = f"{stem}_{i}"
        while name in index_of or name in reserved:
            i += 1
            name = f"{stem}_{i}"
        self._next_suffix[stem] = i + 1
        return name

    # -- reading --------------------------------------------------------------------------
    @property
    def nodes(self) -> list[Node]:
        """Views of every node in order (kept, and extended as the graph grows)."""
        views = self._views
        for i in range(len(views), len(self.ops)):
            views.append(Node(self, i))
        return views

    @property
    def output(self) -> Node:
        return Node(self, len(self.ops) - 1)

    def __len__(self):
        return len(self.ops)

    def __getitem__(self, name: str) -> Node:
        return Node(self, self.index_of[name])

    def consumers(self) -> list[list[tuple[int, int]]]:
        """For each node, the (op node index, input position) pairs that read it."""
        result: list[list[tuple[int, int]]] = [[] for _ in self.ops]
        for index, args in enumerate(self.args):
            for position, i in enumerate(args):
                result[i].append((index, position))
        return result

    def asked(self) -> list[Node]:
        """Nodes a learner is asked about by default: inputs and ops, never consts."""
        return [Node(self, i) for i, kind in enumerate(self.kinds) if kind != CONST]

    # -- numbers --------------------------------------------------------------------------
    def forward(self) -> Graph:
        self._locals = None  # they are read off the data, which this pass may change
        if self._exact_leaves:
            self._forward_checked()
        else:
            self._forward_floats()
        return self

    def _forward_checked(self) -> None:
        """Every value checked as it is made: exact values grow (1.000001 ** 729), and
        check() turns a Fraction with too many digits into a float."""
        data, args, ops = self.data, self.args, self.ops
        add, mul, check, top = _ADD, _MUL, numbers.check, MAX_MAGNITUDE
        i = -1
        try:
            for i, op, a in zip(count(), ops, args):
                # Every builder (the bulk one too) relies on each node coming after its
                # inputs, so that is checked here, where the inputs are unpacked anyway.
                if op is add:
                    x, y = a
                    if not (-1 < x < i and -1 < y < i):
                        raise _NotBefore
                    value = data[x] + data[y]
                elif op is mul:
                    x, y = a
                    if not (-1 < x < i and -1 < y < i):
                        raise _NotBefore
                    value = data[x] * data[y]
                elif op is None:  # an input or a constant
                    continue
                else:
                    value = _apply(op, a, data, i)
                if type(value) is float:
                    # One comparison refuses inf, nan (it compares false) and absurd sizes.
                    if not -top < value < top:
                        raise numbers.NumberTooLarge("a value is too large")
                    data[i] = value
                else:
                    data[i] = check(value)
        except (ArithmeticError, ValueError, TypeError) as exc:
            self._refuse(i, exc)

    def _forward_floats(self) -> None:
        """Float inputs (a graph built from code): add, multiply and ReLU gates make floats
        from floats, so their values are checked all at once at the end, in C (an inf or
        nan anywhere shows in the sum, an absurd size in the max or min); only the other
        ops' values are looked at one by one."""
        data, args, ops = self.data, self.args, self.ops
        add, mul, relu, check = _ADD, _MUL, _RELU, numbers.check
        i = -1
        try:
            for i, op, a in zip(count(), ops, args):
                if op is add:
                    x, y = a
                    if not (-1 < x < i and -1 < y < i):
                        raise _NotBefore
                    data[i] = data[x] + data[y]
                elif op is mul:
                    x, y = a
                    if not (-1 < x < i and -1 < y < i):
                        raise _NotBefore
                    data[i] = data[x] * data[y]
                elif op is None:
                    continue
                elif op is relu:
                    (x,) = a
                    if not -1 < x < i:
                        raise _NotBefore
                    value = data[x]
                    data[i] = value if value > 0 else value * 0  # the op's own forward
                else:
                    value = _apply(op, a, data, i)
                    data[i] = value if type(value) is float else check(value)
        except (ArithmeticError, ValueError, TypeError) as exc:
            # An inf made earlier may be what failed here (sqrt(-inf)): that node is named.
            bad = _first_out_of_range(data, i)
            self._refuse(i, exc) if bad == i else self._refuse(bad, _TOO_LARGE)
        bad = _first_out_of_range(data, len(data))
        if bad < len(data):
            self._refuse(bad, _TOO_LARGE)

    def _refuse(self, i: int, exc: Exception):
        """The ProgramError for node i, which could not be computed."""
        op, a = self.ops[i], self.args[i]
        if op is not None and len(a) != op.arity:
            raise ProgramError(f"{self.names[i]}: {op.name} takes {op.arity} "
                               f"input(s), got {len(a)}", self.lines[i]) from None
        raise ProgramError(f"cannot compute {self.names[i]}: {_reason(exc)}",
                           self.lines[i]) from None

    def backward(self) -> Graph:
        n = len(self.ops)
        i = n
        try:
            if self._exact_leaves:
                grads = self._backward_exact()
            else:
                grads = self._backward_floats()
        except _AtNode as failed:
            i, exc = failed.args
            raise ProgramError(f"cannot differentiate {self.names[i]}: {_reason(exc)}",
                               self.lines[i]) from None
        self._grads = (_checked_grads if self._exact_leaves else _checked_float_grads)(
            self, grads)
        self._locals = None
        return self

    def _backward_exact(self) -> list:
        """The chain rule in exact arithmetic, where every + and × is a Python-level
        Fraction call: those that change nothing (0 + d, 1·d) are skipped."""
        data, args, ops = self.data, self.args, self.ops
        n = len(ops)
        add, mul, plus, times = _ADD, _MUL, numbers.plus, numbers.times
        grads: list = [0] * n
        if n:
            grads[-1] = 1  # an int: exact, and int × Fraction stays a Fraction
        # In reverse order every reader of a node comes before it, so its gradient is
        # complete when the loop reaches it (the reversed iterator reads the list live).
        i = n
        try:
            for i, op, a, g in zip(range(n - 1, -1, -1), reversed(ops), reversed(args),
                                   reversed(grads), strict=True):
                if op is None:
                    continue
                if op is add:
                    local = (1, 1)
                elif op is mul:
                    local = (data[a[1]], data[a[0]])
                else:
                    local = op.local_derivative(tuple([data[x] for x in a]), data[i])
                for x, d in zip(a, local, strict=True):
                    grads[x] = plus(grads[x], times(g, d))
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise _AtNode(i, exc) from None
        return grads

    def _backward_floats(self) -> list:
        """The chain rule in floats, as the code that built the graph from floats asked: the
        output's own gradient is 1.0, and add, multiply and ReLU gates are applied inline."""
        data, args, ops = self.data, self.args, self.ops
        n = len(ops)
        add, mul, relu = _ADD, _MUL, _RELU
        grads: list = [0.0] * n
        if n:
            grads[-1] = 1.0
        i = n
        try:
            for i, op, a, g in zip(range(n - 1, -1, -1), reversed(ops), reversed(args),
                                   reversed(grads), strict=True):
                # Fan-out: a node read by several ops sums what each of them sends back.
                if op is add:
                    x, y = a
                    grads[x] += g
                    grads[y] += g
                elif op is mul:
                    x, y = a
                    grads[x] += g * data[y]
                    grads[y] += g * data[x]
                elif op is None:
                    continue
                elif op is relu:
                    x = a[0]
                    if data[x] > 0:  # its local derivative is 1, else 0
                        grads[x] += g
                elif len(a) == 1:
                    x = a[0]
                    grads[x] += g * op.local_derivative((data[x],), data[i])[0]
                elif len(a) == 2:
                    x, y = a
                    local = op.local_derivative((data[x], data[y]), data[i])
                    grads[x] += g * local[0]
                    grads[y] += g * local[1]
                else:
                    local = op.local_derivative(tuple([data[x] for x in a]), data[i])
                    for x, d in zip(a, local, strict=True):
                        grads[x] += g * d
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise _AtNode(i, exc) from None
        return grads

    @property
    def grads(self) -> list[Number] | None:
        """∂output/∂node for every node once backward() has run: exact (Fractions) in a
        graph of exact values, floats in a graph built from floats."""
        return self._grads

    @property
    def locals(self) -> list[tuple | None] | None:
        """∂node/∂input for each input of each op node, once backward() has run: for
        display and hints, so computed on first use rather than in the backward loop."""
        if self.grads is None:
            return None
        if self._locals is None:
            data, args = self.data, self.args
            self._locals = [
                None if op is None else op.local_derivative(tuple(data[j] for j in args[i]),
                                                            data[i])
                for i, op in enumerate(self.ops)]
        return self._locals

    def solve(self) -> Graph:
        return self.forward().backward()

    # -- serialisation --------------------------------------------------------------------
    def to_dict(self, grads: bool = True) -> dict:
        """JSON-safe form: {"output", "nodes": [...]} in topological order."""
        names = self.names
        out = []
        for i, name in enumerate(names):
            op = self.ops[i]
            item = {
                "name": name,
                "kind": self.kinds[i],
                "op": op.name if op else None,
                "inputs": [names[j] for j in self.args[i]],
                "data": _json_number(self.data[i]),
            }
            if op is not None and op.exponent is not None:
                item["exponent"] = str(op.exponent)
            if isinstance(op, LineOp):  # the op shape's label in the drawing
                item["expression"] = op.expression
                item["expression_latex"] = op.expression_latex
            if grads:
                item["grad"] = _json_number(self.grads[i]) if self.grads is not None else None
            out.append(item)
        return {"output": names[-1], "nodes": out}

    def to_solution(self) -> dict:
        """Everything a grader or instructor needs, with exact forms kept as strings."""
        base = self.to_dict()
        for i, item in enumerate(base["nodes"]):
            item["data_exact"] = numbers.exact_text(self.data[i])
            item["grad_exact"] = numbers.exact_text(self.grads[i])
            local = self.locals[i]
            item["local"] = [_json_number(d) for d in local] if local else []
            op = self.ops[i]
            if op is not None:
                item["symbol"] = op.symbol
            if isinstance(op, LineOp):
                inputs = tuple(self.data[j] for j in self.args[i])
                item["gates"] = op.gates_trace(inputs)
                item["formulas"] = [[op.formula(k), op.formula(k, latex=True)]
                                    for k in range(op.arity)]
            if self.lines[i] is not None:
                item["line"] = self.lines[i]
        return base

    @classmethod
    def from_dict(cls, data: dict) -> Graph:
        """Rebuild a graph from `to_dict`/`to_solution` output (stored data is trusted)."""
        graph = cls()
        for item in topological_order(data["nodes"]):
            kind = item["kind"]
            value = _parse_stored(item.get("data_exact", item.get("data")))
            if kind == INPUT:
                graph.add_input(item["name"], value)
            elif kind == CONST:
                graph.add_const(value, name=item["name"])
            elif item["op"] == "expr":
                from .parser import parse_expression

                graph.granularity = "line"
                tree = parse_expression(item["expression"], item["inputs"])
                op = line_op(tree, item["name"])
                graph.add_op(op, [graph.index_of[n] for n in op.input_names], name=item["name"])
            else:
                exponent = item.get("exponent")
                op = get(item["op"], Fraction(exponent) if exponent is not None else None)
                graph.add_op(op, [graph.index_of[i] for i in item["inputs"]], name=item["name"])
        if graph.names[-1] != data["output"]:
            raise ProgramError(f"the output '{data['output']}' must be the last node", None)
        return graph


def topological_order(items: list[dict]) -> list[dict]:
    """Kahn's algorithm over {"name", "inputs"} dicts. Among the nodes ready at each step
    the earliest given goes first, so an order that is already topological is kept."""
    position = {}
    for k, item in enumerate(items):
        if item["name"] in position:
            raise ProgramError(f"two nodes are called '{item['name']}'", None)
        position[item["name"]] = k
    waiting = [0] * len(items)
    readers: list[list[int]] = [[] for _ in items]
    for k, item in enumerate(items):
        for source in item.get("inputs", []):
            if source not in position:
                raise ProgramError(f"'{item['name']}' reads unknown node '{source}'", None)
            waiting[k] += 1
            readers[position[source]].append(k)
    ready = [k for k in range(len(items)) if waiting[k] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        k = heapq.heappop(ready)
        order.append(items[k])
        for reader in readers[k]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    if len(order) != len(items):
        stuck = sorted(items[k]["name"] for k in range(len(items)) if waiting[k])
        raise ProgramError(f"the graph has a cycle through {', '.join(stuck[:5])}", None)
    return order


def _checked_float_grads(graph: Graph, grads: list) -> list:
    """A float graph's gradients (floats only): three scans in C show any inf, nan
    (the sum) or absurd size; only then is each one looked at."""
    total = sum(grads)
    if -MAX_MAGNITUDE < total < MAX_MAGNITUDE and max(grads) < MAX_MAGNITUDE and min(
            grads) > -MAX_MAGNITUDE:
        return grads
    return _checked_grads(graph, grads)


def _checked_grads(graph: Graph, grads: list) -> list:
    """Exact zeros and ones as Fractions like the data; a gradient that overflowed is
    refused at the node nearest the output where it did (the one that caused it)."""
    kinds = set(map(type, grads))
    # All floats and ints (a float graph): one sum shows an inf or nan anywhere.
    if kinds <= {float, int} and sum(map(abs, grads)) < MAX_MAGNITUDE:
        if int in kinds:
            _ints_as_fractions(grads)
        return grads
    bad = None
    for i, g in enumerate(grads):
        kind = type(g)
        if kind is float:
            if not -MAX_MAGNITUDE < g < MAX_MAGNITUDE:
                bad = i
        elif kind is not int:
            try:
                grads[i] = numbers.check(g)
            except ArithmeticError:
                bad = i
    if bad is not None:
        raise ProgramError(f"the gradient of {graph.names[bad]} is too large to compute",
                           graph.lines[bad])
    _ints_as_fractions(grads)
    return grads


def _ints_as_fractions(values: list) -> None:
    # Add gates pass the output's exact 1 down unchanged, so whole subtrees of a float graph
    # hold the same few ints: each distinct one is made a Fraction once and shared. The ints
    # are found in C (their positions, by type: an int-valued float must stay a float), and
    # only they are visited in Python.
    made: dict[int, Fraction] = {}
    for i in compress(range(len(values)), map(is_, map(type, values), repeat(int))):
        value = values[i]
        exact = made.get(value)
        if exact is None:
            exact = made[value] = Fraction(value)
        values[i] = exact


def _apply(op: Op, a: tuple[int, ...], data: list, i: int):
    """Node i's value through its op's own forward, once its inputs are checked to come
    before it."""
    if len(a) == 1:
        (x,) = a
        if not -1 < x < i:
            raise _NotBefore
        return op.forward(data[x])
    if len(a) == 2:
        x, y = a
        if not (-1 < x < i and -1 < y < i):
            raise _NotBefore
        return op.forward(data[x], data[y])
    if not all(-1 < x < i for x in a):  # a line node reading three or more names
        raise _NotBefore
    return op.forward(*[data[x] for x in a])


def _first_out_of_range(values: list, end: int) -> int:
    """The index of the first of values[:end] that is inf, nan or absurdly large (`end` if
    none): three scans in C, then a look at each only if they found something."""
    head = values if end == len(values) else values[:end]
    total = sum(head)
    if -MAX_MAGNITUDE < total < MAX_MAGNITUDE and max(head, default=0) < MAX_MAGNITUDE and min(
            head, default=0) > -MAX_MAGNITUDE:
        return end
    for j, value in enumerate(head):
        if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
            return j
    return end


_TOO_LARGE = numbers.NumberTooLarge("a value is too large")


class _AtNode(Exception):
    """(index, exception): the node where a backward pass failed."""


class _NotBefore(ValueError):
    def __str__(self):
        return "it reads a node that does not come before it"


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
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "a value is too large"
    return str(exc) or exc.__class__.__name__
