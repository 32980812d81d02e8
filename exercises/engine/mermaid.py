"""Mermaid flowcharts in the course notes' form, both ways.

    flowchart LR
        a["a<br/>data: 3<br/>grad: 4"] --> plus(("+"))
        two["2<br/>(const)"] --> plus
        plus --> c["c<br/>data: 5<br/>grad: 4"]

Boxes are values, circles are operations, and the box an operation points to names its
result. Leaves' data are the inputs; grads written in a diagram are ignored on import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from . import numbers
from .errors import ProgramError
from .graph import CONST, INPUT, Graph, topological_order
from .lines import LINE, collapse, expand, is_line, line_op
from .names import check_name
from .ops import by_symbol
from .parser import parse_expression

MAX_DIAGRAM_CHARS = 20_000
MAX_DIAGRAM_NODES = 500

# Every quantifier that can meet a long run of one character is possessive (*+) or starts
# only at a run's first character (the lookbehinds), and no two can share a run: a line's
# match costs time linear in its length. (With `\s*(...)?\s*` or a lazy label before
# `\s*\)`, a line of 20,000 spaces took seconds.) Labels keep their spaces; _shape strips.
_NODE = re.compile(
    r"""\s*+(?P<id>[^\W\d]\w*+)\s*+                       # a word in any script (see _shape)
        (?P<shape>\(\(\s*+(?P<circle>"[^"]*+"|[^()]*+)\s*+\)\)    # ((op))
                 |\[\s*+(?P<box>"[^"]*+"|[^\[\]]*+)\s*+\]         # [value]
                 |\(\s*+(?P<round>"[^"]*+"|[^()]*+)\s*+\))?\s*+    # (value)
    """,
    re.VERBOSE,
)
# The spaces around an arrow stay with the nodes beside it (_NODE allows them).
_ARROW = re.compile(r"(?<!-)-{2,}+>\s*+(?:\|[^|]*+\|)?|(?<!=)==++>")
_BREAK = re.compile(r"<br\s*/?>|\\n", re.IGNORECASE)
_FIELD = re.compile(r"^\s*+(data|grad)\s*+[:=]\s*+(.*\S)\s*$", re.IGNORECASE)
_SKIP_WORDS = {"style", "classDef", "class", "linkStyle", "click", "subgraph", "end",
               "direction"}


@dataclass
class _Shape:
    id: str
    line: int
    circle: bool = False
    label: str | None = None
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def parse_mermaid(text: str) -> Graph:
    if len(text) > MAX_DIAGRAM_CHARS:
        raise ProgramError(f"the diagram is {len(text)} characters; the limit is "
                           f"{MAX_DIAGRAM_CHARS}")
    shapes: dict[str, _Shape] = {}
    seen_header = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().rstrip(";")
        if not line or line.startswith("%%") or line.split()[0] in _SKIP_WORDS:
            continue
        if not seen_header:
            if line.split()[0] not in ("flowchart", "graph"):
                raise ProgramError("a diagram starts with 'flowchart LR'", number)
            seen_header = True
            continue
        chain = _ARROW.split(line)
        ids = [_shape(shapes, part, number) for part in chain]
        for source, target in zip(ids, ids[1:], strict=False):
            shapes[source].targets.append(target)
            shapes[target].sources.append(source)
        if len(shapes) > MAX_DIAGRAM_NODES:
            raise ProgramError(f"the diagram has more than {MAX_DIAGRAM_NODES} nodes", number)
    if not shapes:
        raise ProgramError("the diagram has no nodes")
    return _to_graph(shapes)


def _shape(shapes: dict[str, _Shape], part: str, line: int) -> str:
    match = _NODE.fullmatch(part)
    if not match:
        raise ProgramError(f"cannot read '{part.strip()[:40]}' as a node", line)
    if match["id"] not in shapes:
        check_name(match["id"], line, "node id")  # an id can become a node's name
    shape = shapes.setdefault(match["id"], _Shape(match["id"], line))
    if match["shape"]:
        label = next(g for g in (match["circle"], match["box"], match["round"]) if g is not None)
        label = label.strip().strip('"')
        if shape.label is not None and shape.label != label:
            raise ProgramError(f"node '{shape.id}' is defined twice with different labels", line)
        shape.label, shape.circle, shape.line = label, match["circle"] is not None, line
    return shape.id


def _read_box(shape: _Shape) -> tuple[str, Fraction | None, bool]:
    """(name, data, is_const) from a box label like 'a<br/>data: 3<br/>grad: 4'."""
    parts = [p.strip() for p in _BREAK.split(shape.label or shape.id) if p.strip()]
    name, data, const = shape.id, None, False
    for i, part in enumerate(parts):
        field_match = _FIELD.match(part)
        if field_match:
            if field_match[1].lower() == "data":
                data = _number(field_match[2], shape)
        elif part.lower() == "(const)":
            const = True
        elif i == 0:
            if part.isidentifier():  # a name, in any script: only ASCII ones are taken
                check_name(part, shape.line)
                name = part
            else:
                data = _number(part, shape)
    return name, data, const


def _number(text: str, shape: _Shape) -> Fraction:
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return numbers.parse_literal(num.strip()) / numbers.parse_literal(den.strip())
        return numbers.parse_literal(text.replace("−", "-"))
    except (ValueError, ArithmeticError):
        raise ProgramError(f"'{text[:30]}' in node '{shape.id}' is not a number",
                           shape.line) from None


def _to_graph(shapes: dict[str, _Shape]) -> Graph:
    # An op's result box, if it has one, gives the op node its name.
    result_box: dict[str, str] = {}
    for shape in shapes.values():
        if shape.circle:
            boxes = [t for t in shape.targets if not shapes[t].circle]
            if len(boxes) > 1:
                raise ProgramError(f"operation '{shape.id}' points to several values "
                                   f"({', '.join(boxes)}); an operation makes one value",
                                   shape.line)
            if boxes:
                result_box[shape.id] = boxes[0]
        elif len(shape.sources) > 1:
            raise ProgramError(f"value '{shape.id}' has several incoming arrows; only an "
                               "operation can feed a value", shape.line)
        elif shape.sources and not shapes[shape.sources[0]].circle:
            raise ProgramError(f"value '{shape.id}' is fed by value '{shape.sources[0]}'; put "
                               "an operation between them", shape.line)

    def node_of(shape_id: str) -> str:
        """The graph node a shape stands for: a box fed by an op is that op."""
        shape = shapes[shape_id]
        if not shape.circle and shape.sources:
            return shape.sources[0]
        return shape_id

    items, names = [], {}
    for shape in shapes.values():
        if shape.circle:
            box = result_box.get(shape.id)
            names[shape.id] = _read_box(shapes[box])[0] if box else shape.id
            inputs = [node_of(s) for s in shape.sources]
            items.append({"name": shape.id, "inputs": inputs, "shape": shape})
        elif not shape.sources:
            names[shape.id] = _read_box(shape)[0]
            items.append({"name": shape.id, "inputs": [], "shape": shape})

    ordered = topological_order(items)
    consumers = {item["name"]: 0 for item in items}
    for item in items:
        for source in item["inputs"]:
            consumers[source] += 1
    sinks = [item["name"] for item in ordered if consumers[item["name"]] == 0]
    if len(sinks) != 1:
        listed = ", ".join(names[s] for s in sinks)
        raise ProgramError(f"a graph has exactly one output; this diagram ends in {listed}")

    # With one sink every node is its ancestor, so it is last in the order: the output.
    graph = Graph()
    graph.boxed = set()  # operations drawn with a value box of their own (see to_granularity)
    for item in ordered:
        _add(graph, item, names, shapes)
    return graph


def _add(graph: Graph, item: dict, names: dict, shapes: dict) -> None:
    shape: _Shape = item["shape"]
    name = names[shape.id]
    if name in graph.by_name:
        raise ProgramError(f"two nodes are called '{name}'", shape.line)
    if shape.circle:
        op = by_symbol(shape.label or "", len(item["inputs"]))
        sources = [names[source] for source in item["inputs"]]
        if op is None and _EXPRESSION.search(shape.label or ""):
            # A line drawn as one shape labelled with its expression ("w1 * x + b1").
            op = _line(shape, sources, name)
            sources = list(op.input_names)
        if op is None:
            raise ProgramError(f"unknown operation '{shape.label}' with "
                               f"{len(item['inputs'])} input(s) in node '{shape.id}'", shape.line)
        index = graph.add_op(op, [graph[s] for s in sources], name=name, line=shape.line).index
        if names[shape.id] != shape.id:  # it has a value box: a named line
            graph.boxed.add(index)
        return
    _, data, const = _read_box(shape)
    if data is None:
        raise ProgramError(f"value '{name}' has no data (write 'data: 3' in its box)", shape.line)
    if const:
        graph.add_const(data, name=name, line=shape.line)
    else:
        graph.add_input(name, data, line=shape.line)


_EXPRESSION = re.compile(r"[A-Za-z_]\w*")


def _line(shape: _Shape, sources: list[str], name: str):
    try:
        return line_op(parse_expression(shape.label, sources), name)
    except ProgramError as exc:
        raise ProgramError(f"operation '{shape.id}': {exc.message}", shape.line) from None


def to_granularity(graph: Graph, granularity: str) -> Graph:
    """A diagram's graph at the granularity asked: at line granularity every operation with
    a value box of its own is a line (and so is one read twice, and the output), the others
    are inlined into the line that reads them, with unnamed constants as literals; at gate
    granularity every line drawn as one expression is split into its gates."""
    if granularity == LINE:
        return collapse(graph, graph.boxed)
    if not any(is_line(op) for op in graph.ops):
        return graph
    gates = Graph()
    for i, op in enumerate(graph.ops):
        name, line = graph.names[i], graph.lines[i]
        args = [gates.index_of[graph.names[j]] for j in graph.args[i]]
        if op is None and graph.kinds[i] == CONST:
            gates.add_const(graph.data[i], name=name, line=line)
        elif op is None:
            gates.add_input(name, graph.data[i], line=line)
        elif is_line(op):
            expand(gates, op, args, name, line)
        else:
            gates.add_op(op, args, name=name, line=line)
    return gates


# -- export ---------------------------------------------------------------------------------
_MERMAID_WORDS = {"end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click",
                  "linkStyle", "direction"}


def to_mermaid(graph: Graph, grads: bool = True) -> str:
    """The solved graph as a flowchart like the notes', with data (and grad) in each box."""
    used = set(graph.names)
    box_id = {}
    for n in graph.nodes:
        candidate = n.name
        while candidate in _MERMAID_WORDS or (candidate != n.name and candidate in used):
            candidate = f"n_{candidate}"  # 'end' is a Mermaid keyword; the label keeps the name
        used.add(candidate)
        box_id[n.index] = candidate
    circle_id = {}
    for n in graph.nodes:
        if n.op is not None:
            candidate = f"{n.op.name}_{n.name}"
            while candidate in used:
                candidate += "_op"
            used.add(candidate)
            circle_id[n.index] = candidate

    defined: set[str] = set()

    def ref(shape_id: str, label: str) -> str:
        if shape_id in defined:
            return shape_id
        defined.add(shape_id)
        return f"{shape_id}{label}"

    def box(n) -> str:
        if n.kind == CONST:  # drawn as the notes draw them; the box id keeps the name
            return ref(box_id[n.index], f'["{_num(n.data, exact=True)}<br/>(const)"]')
        parts = [n.name, f"data: {_num(n.data, exact=n.kind == INPUT)}"]
        if grads and n.grad is not None:
            parts.append(f"grad: {_num(n.grad)}")
        return ref(box_id[n.index], '["' + "<br/>".join(parts) + '"]')

    lines = ["flowchart LR"]
    for n in graph.nodes:
        if n.op is None:
            continue
        circle = circle_id[n.index]
        for position, i in enumerate(n.inputs):
            source = graph.nodes[i]
            label = f'(("{n.op.symbol}"))' if position == 0 else ""
            lines.append(f"    {box(source)} --> {ref(circle, label)}")
        lines.append(f"    {circle} --> {box(n)}")
    for n in graph.nodes:  # inputs nothing reads still belong in the picture
        if box_id[n.index] not in defined:
            lines.append(f"    {box(n)}")
    return "\n".join(lines) + "\n"


def _num(value, exact: bool = False) -> str:
    if exact and isinstance(value, Fraction):
        denominator = value.denominator
        for p in (2, 5):
            while denominator % p == 0:
                denominator //= p
        if denominator != 1:
            return str(value)
        text = f"{value.numerator / value.denominator!r}" if value.denominator != 1 else str(
            value.numerator)
        if Fraction(text) == value:
            return text
        return str(value)
    return numbers.format_number(value)
