"""Human and machine renderings of a solved graph (the `solve` command's formats)."""

from __future__ import annotations

from .expressions import const, gate, name, render
from .graph import Graph, Node
from .lines import is_line
from .numbers import format_number


def to_json(graph: Graph) -> dict:
    """The command-line contract: {"granularity", "output", "nodes": [{name, kind, op, inputs,
    data, grad}]}, and for op nodes "locals" ({input name: ∂node/∂input}) and "expression"
    (the line's right-hand side, or the gate's, in the program's syntax)."""
    result = graph.to_dict()
    names, locals_ = graph.names, graph.locals
    for i, item in enumerate(result["nodes"]):
        item.pop("expression_latex", None)
        op = graph.ops[i]
        if op is None:
            continue
        inputs = graph.args[i]
        # A node read twice by one gate (x * x) has one entry: its slopes summed.
        slopes: dict[str, float] = {}
        for j, d in zip(inputs, locals_[i] if locals_ is not None else (), strict=False):
            slopes[names[j]] = slopes.get(names[j], 0.0) + float(d)
        item["locals"] = slopes
        if is_line(op):
            item["expression"] = op.expression
        else:
            item["expression"] = render(gate(op, *(_leaf(graph, j) for j in inputs)), "python")
    return {"granularity": graph.granularity, **result}


def _leaf(graph: Graph, j: int):
    if graph.kinds[j] == "const" and graph.names[j].startswith("const_"):
        return const(graph.data[j])
    return name(graph.names[j])


def local_derivatives(graph: Graph, node: Node) -> list[str]:
    """'∂c/∂a = b = 3' for each input of an op node: the formula and its number."""
    if node.op is None or node.local is None:
        return []
    if is_line(node.op):
        return [f"∂{node.name}/∂{name} = {node.op.formula(k)} = {format_number(value)}"
                if node.op.formula(k) != format_number(value) else
                f"∂{node.name}/∂{name} = {format_number(value)}"
                for k, (name, value) in enumerate(zip(node.op.input_names, node.local,
                                                      strict=True))]
    items = []
    for position, (i, value) in enumerate(zip(node.inputs, node.local, strict=True)):
        formula = node.op.formula(position, formula_names(graph, node))
        number = format_number(value)
        shown = number if formula == number else f"{formula} = {number}"
        items.append(f"∂{node.name}/∂{label(graph.nodes[i])} = {shown}")
    return items


def formula_names(graph: Graph, node: Node, latex: bool = False) -> dict[str, str]:
    """What the op formula templates' {a}, {b}, {out} and {n} stand for at this node."""
    names = {"out": node.name}
    for key, i in zip("ab", node.inputs, strict=False):
        names[key] = label(graph.nodes[i])
    return names


def label(node: Node) -> str:
    """How a node is referred to in formulas: consts by their value, others by name."""
    return format_number(node.data) if node.kind == "const" else node.name


def table(graph: Graph) -> str:
    rows = [("node", "op", "data", "grad", "local derivatives")]
    for node in graph.nodes:
        if node.op is None:
            op = "(const)" if node.kind == "const" else "input"
        elif is_line(node.op):
            op = node.op.text()
        else:
            args = [label(graph.nodes[i]) for i in node.inputs]
            op = f"{node.op.symbol}({args[0]})" if node.op.arity == 1 else \
                f" {node.op.symbol} ".join(args)
        grad = "—" if node.kind == "const" else format_number(node.grad, 6)
        rows.append((node.name, op, format_number(node.data, 6), grad,
                     "; ".join(local_derivatives(graph, node))))
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[c].ljust(widths[c]) for c in range(4)] + [row[4]]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 17)
    lines.append(f"output: {graph.output.name}")
    return "\n".join(lines) + "\n"
