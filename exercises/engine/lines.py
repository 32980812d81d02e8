"""Line granularity: one program line is one node, an op over the named nodes it mentions.

A `LineOp` is an `Op` like the registry's (arity, forward, local_derivative, formula,
symbol) made for one line from its expression tree (see expressions.py). It is compiled
once, when the program is parsed (every variant of an exercise reuses it): the line's
gates become a flat list of (op, argument slots), so its value is one loop over them and
its local derivative with respect to each input is backprop over the same gates at the
current values — a node read twice inside the line (y = x * x + x) sums its paths.
Its formulas for hints (∂z1/∂w1 = x) are the gates differentiated symbolically
(expressions.derivative), made on first use and kept.

`collapse` turns a gate graph into a line graph (a Mermaid diagram drawn gate by gate);
`expand` does the opposite for one line (a diagram's expression circle at gate granularity).
"""

from __future__ import annotations

from operator import is_

from . import expressions as ex
from . import numbers
from .errors import ProgramError
from .numbers import MAX_MAGNITUDE, plus, times
from .ops import REGISTRY

_ADD, _MUL = REGISTRY["add"], REGISTRY["mul"]

LINE, GATE = "line", "gate"
GRANULARITIES = (LINE, GATE)


def check_granularity(granularity: str) -> str:
    if granularity not in GRANULARITIES:
        raise ProgramError(f"granularity must be 'line' or 'gate', not {granularity!r}")
    return granularity


def _checked(value):
    if type(value) is float:
        if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
            raise numbers.NumberTooLarge("a value is too large")
        return value
    return numbers.check(value)


class LineOp:
    """The op of one line node (duck-typed like ops.Op: name, arity, symbol, forward,
    local_derivative, formula, gate, exponent)."""

    name = "expr"
    @property
    def gate(self) -> str:
        """The rule a hint states, in the notes' words: a line of one gate has that gate's
        rule; a longer line is differentiated as a whole."""
        if len(self.program) == 1:
            return self.program[0][0].gate
        return ("a line's local derivative is its expression differentiated by that one name, "
                "every other name held at its value")
    exponent = None
    aliases = ()
    formulas = ()

    def __init__(self, tree: tuple, own_name: str = "", compiled: tuple | None = None,
                 input_names: tuple[str, ...] | None = None):
        if tree[0] != ex.GATE:
            raise ProgramError("a line node computes something: its expression needs an "
                               "operation")
        self.tree, self.own_name = tree, own_name
        if compiled is None:
            input_names, compiled = compile_tree(tree)
        self.input_names = input_names
        self.arity = len(input_names)
        self.consts, self.const_texts, self.program, self._one_gate = compiled
        self._derivatives: dict[int, tuple | None] = {}
        self._texts: dict[str, str] = {}
        self._last: tuple | None = None  # (inputs, slot values) of the latest evaluation

    # -- renderings, made when first asked for ---------------------------------------------
    def _render(self, style: str) -> str:
        text = self._texts.get(style)
        if text is None:
            text = self._texts[style] = ex.render(self.tree, style)
        return text

    @property
    def expression(self) -> str:
        """The program's form, which the parser reads back: w1 * x + b1."""
        return self._render("python")

    symbol = expression  # what a diagram's op shape and the table show

    @property
    def expression_latex(self) -> str:
        return self._render("latex")

    def text(self) -> str:
        """The line's right-hand side in the notes' Unicode: w1·x + b1."""
        return self._render("text")

    # -- numbers --------------------------------------------------------------------------
    def values(self, inputs) -> list:
        """Every slot's value: the inputs, the constants, then each gate's output."""
        last = self._last
        # The backward pass asks with the very objects the forward pass was given: compare
        # by identity (== on Fractions is a Python-level call per element).
        if last is not None and len(last[0]) == len(inputs) and all(map(is_, last[0], inputs)):
            return last[1]
        vals = [*inputs, *self.consts]
        append = vals.append
        for op, slots in self.program:
            if len(slots) == 2:
                # add and multiply inline, as in Graph.forward (most gates are one of them)
                if op is _ADD:
                    value = vals[slots[0]] + vals[slots[1]]
                elif op is _MUL:
                    value = vals[slots[0]] * vals[slots[1]]
                else:
                    value = op.forward(vals[slots[0]], vals[slots[1]])
            else:
                value = op.forward(vals[slots[0]])
            append(_checked(value))
        self._last = (tuple(inputs), vals)
        return vals

    def forward(self, *inputs):
        return self.values(inputs)[-1]

    def sympy(self, *args):
        return ex.to_sympy(self.tree, dict(zip(self.input_names, args, strict=True)))

    def gate_locals(self, vals: list) -> list[tuple]:
        base = len(self.input_names) + len(self.consts)
        return [op.local_derivative(tuple(vals[j] for j in slots), vals[base + k])
                for k, (op, slots) in enumerate(self.program)]

    def local_derivative(self, inputs, out=None) -> tuple:
        """∂line/∂input for each input: backprop over the line's gates at these values."""
        vals = self.values(tuple(inputs))
        program = self.program
        if self._one_gate:  # the line is one gate on distinct names: that gate's own rule
            op, slots = program[0]
            return op.local_derivative(tuple(vals[j] for j in slots), vals[-1])
        m = len(self.input_names)
        base = m + len(self.consts)
        grads = [0] * len(vals)
        grads[-1] = 1
        for k in range(len(program) - 1, -1, -1):
            op, slots = program[k]
            g = grads[base + k]
            if len(slots) == 2:
                x, y = slots
                if op is _ADD:
                    local = (1, 1)
                elif op is _MUL:
                    local = (vals[y], vals[x])
                else:
                    local = op.local_derivative((vals[x], vals[y]), vals[base + k])
            else:
                local = op.local_derivative((vals[slots[0]],), vals[base + k])
            for x, d in zip(slots, local, strict=True):
                if x < m or x >= base:  # a constant's slot wants no gradient
                    grads[x] = plus(grads[x], times(g, d))
        return tuple(grads[:m])

    # -- formulas for hints -----------------------------------------------------------------
    def derivative_tree(self, index: int):
        """∂line/∂(input index) as an expression tree, or None if too big to be a formula."""
        if index not in self._derivatives:
            tree = ex.derivative(self.tree, self.input_names[index], self.own_name or None)
            self._derivatives[index] = tree if ex.size(tree) <= ex.MAX_FORMULA_NODES else None
        return self._derivatives[index]

    def formula(self, index: int, names: dict | None = None, latex: bool = False) -> str:
        """∂line/∂input as text (or LaTeX); `names` may map names to what to write instead
        (a value, for a worked hint). A formula too long to help is written as ∂/∂ only."""
        tree = self.derivative_tree(index)
        if tree is None:
            return self.fallback(index, latex)
        style = "latex" if latex else "text"
        leaf = None
        if names is not None:
            def leaf(n):
                shown = names.get(n)
                if shown is not None:
                    return shown
                return ex.latex_name(n) if latex else n
        return ex.render(tree, style, leaf)

    def fallback(self, index: int, latex: bool = False) -> str:
        top, bottom = self.own_name or "y", self.input_names[index]
        if latex:
            return (f"\\frac{{\\partial {ex.latex_name(top)}}}"
                    f"{{\\partial {ex.latex_name(bottom)}}}")
        return f"∂{top}/∂{bottom}"

    def gates_trace(self, inputs) -> list[dict]:
        """The stored form of the inner gates at these input values (see LINES.md)."""
        vals = self.values(tuple(inputs))
        locals_ = self.gate_locals(vals)
        m, c = len(self.input_names), len(self.consts)
        result = []
        for k, (op, slots) in enumerate(self.program):
            args = []
            for j in slots:
                if j < m:
                    args.append(self.input_names[j])
                elif j < m + c:
                    args.append({"const": self.const_texts[j - m]})
                else:
                    args.append(j - m - c)
            item = {"op": op.name, "args": args, "data": float(vals[m + c + k]),
                    "local": [float(d) for d in locals_[k]]}
            if op.exponent is not None:
                item["exponent"] = str(op.exponent)
            result.append(item)
        return result

    def __repr__(self):
        return f"LineOp({self.expression!r})"


def compile_tree(tree: tuple) -> tuple[tuple[str, ...], tuple]:
    """One pass over a line's tree (children first) compiles it: each name, constant and gate
    gets a slot; names first (in order of first mention), then constants, then gates.
    Returns the names and (constants, their texts, the gates as (op, slots), whether the
    line is one gate on distinct names)."""
    names: dict[str, int] = {}
    consts: list = []
    const_texts: list[str] = []
    gates: list = []
    slot_of: dict[int, tuple[str, int]] = {}
    for node in ex.postorder(tree):
        kind = node[0]
        if kind == ex.NAME:
            slot_of[id(node)] = ("name", names.setdefault(node[1], len(names)))
        elif kind == ex.CONST:
            slot_of[id(node)] = ("const", len(consts))
            consts.append(node[1][0])
            const_texts.append(node[1][1])
        else:
            slot_of[id(node)] = ("gate", len(gates))
            gates.append((node[1], [slot_of[id(c)] for c in node[2]]))
    m, c = len(names), len(consts)
    base = {"name": 0, "const": m, "gate": m + c}
    program = tuple((op, tuple(base[k] + j for k, j in slots)) for op, slots in gates)
    one_gate = len(gates) == 1 and not consts and len(set(program[0][1])) == len(
        program[0][1]) and program[0][1] == tuple(range(m))
    return tuple(names), (tuple(consts), tuple(const_texts), program, one_gate)


# Compiled lines by shape (parser._shaped_tree): a program's lines repeat a few shapes, and
# every program that uses a shape again finds it here. Bounded; emptied when full.
_COMPILED: dict = {}
_COMPILED_MAX = 4096


def line_op(tree: tuple, own_name: str = "", shape=None,
            input_names: tuple[str, ...] | None = None) -> LineOp:
    """Compile one line's tree (its names must be the nodes it reads). With the tree's
    `shape` and its names in order of first mention, a line of a shape met before reuses
    that compiled form."""
    if shape is None or input_names is None or tree[0] != ex.GATE:
        return LineOp(tree, own_name)
    compiled = _COMPILED.get(shape)
    if compiled is None:
        input_names, compiled = compile_tree(tree)
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[shape] = compiled
    return LineOp(tree, own_name, compiled, input_names)


def is_line(op) -> bool:
    return isinstance(op, LineOp)


# -- between granularities ----------------------------------------------------------------

def collapse(graph, keep: set[int] | None = None):
    """The line graph of a gate graph: every op node in `keep` (default: every op node read
    more than once, and the output) becomes a line over the nodes it reaches through the
    others, which are inlined. Inputs stay; constants nobody keeps become literals."""
    from .graph import CONST, INPUT, Graph

    consumers = [0] * len(graph)
    for args in graph.args:
        for j in args:
            consumers[j] += 1
    last = len(graph) - 1
    if keep is None:
        keep = {i for i, op in enumerate(graph.ops) if op is not None and consumers[i] > 1}
    lines_drawn = [i for i, op in enumerate(graph.ops) if is_line(op)]
    # A line drawn as its expression names what it reads: those stay nodes.
    keep = set(keep) | {last} | set(lines_drawn) | {j for i in lines_drawn
                                                    for j in graph.args[i]}
    names, kinds, data = graph.names, graph.kinds, graph.data
    trees: dict[int, tuple] = {}
    for i, op in enumerate(graph.ops):
        if op is None:
            trees[i] = ex.const(data[i]) if kinds[i] == CONST and i not in keep else ex.name(
                names[i])
        else:
            children = tuple(ex.name(names[j]) if j in keep else trees[j] for j in graph.args[i])
            if is_line(op):  # already a line: only what it reads may be inlined
                trees[i] = ex.substitute(op.tree, dict(zip(op.input_names, children,
                                                           strict=True)))
            else:
                trees[i] = ex.gate(op, *children)
    lines = Graph()
    lines.granularity = LINE
    for i, op in enumerate(graph.ops):
        if op is None and (kinds[i] == INPUT or i in keep or not consumers[i]):
            if kinds[i] == INPUT:
                lines.add_input(names[i], data[i], line=graph.lines[i])
            else:
                lines.add_const(data[i], name=names[i], line=graph.lines[i])
        elif op is not None and i in keep:
            line = line_op(trees[i], names[i])
            lines.add_op(line, [lines.index_of[n] for n in line.input_names], name=names[i],
                         line=graph.lines[i])
    return lines


def expand(graph, op: LineOp, args: list[int], name: str, line: int | None = None):
    """Add one line's gates to a gate graph: auto-named intermediates, the last one `name`."""
    from .graph import Node

    done: dict[int, Node | int] = {}
    result = None
    for node in ex.postorder(op.tree):
        kind = node[0]
        if kind == ex.NAME:
            done[id(node)] = args[op.input_names.index(node[1])]
        elif kind == ex.CONST:
            done[id(node)] = graph.add_const(node[1][0], line=line)
        else:
            result = graph.add_op(node[1], [done[id(c)] for c in node[2]],
                                  name=name if node is op.tree else None, line=line)
            done[id(node)] = result
    return result
