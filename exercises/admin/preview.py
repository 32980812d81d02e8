"""What the exercise change page shows an instructor: the solved graph, its table, its
Mermaid export and a few learners' variants. Computed on the fly, never stored."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .. import services
from ..engine import Graph
from ..engine.formatting import label, local_derivatives
from ..engine.lines import is_line
from ..engine.mermaid import to_mermaid
from ..engine.numbers import format_number
from ..models import Exercise, Granularity

#: the learners' graph picture, drawn by the learner pages; the admin reuses it if present
GRAPH_PARTIAL = "exercises/_graph.html"
SAMPLE_SEEDS = (1, 2, 3)


def graph_partial() -> str | None:
    try:
        get_template(GRAPH_PARTIAL)
    except TemplateDoesNotExist:
        return None
    return GRAPH_PARTIAL


def render_graph(graph: dict) -> str | None:
    """The learners' picture of a graph, with its gradients (instructors may see them)."""
    partial = graph_partial()
    if partial is None:
        return None
    return render_to_string(partial, {"graph": graph, "show_grads": True})


def op_text(graph: Graph, node) -> str:
    if node.op is None:
        return "constant" if node.kind == "const" else "input"
    if is_line(node.op):
        return node.op.text()
    args = [label(graph.nodes[i]) for i in node.inputs]
    if node.op.arity == 1:
        return f"{node.op.symbol}({args[0]})"
    return f" {node.op.symbol} ".join(args)


def table_rows(graph: Graph) -> list[dict]:
    return [{"name": node.name, "kind": node.kind, "op": op_text(graph, node),
             "data": format_number(node.data, 6),
             "grad": "—" if node.kind == "const" else format_number(node.grad, 6),
             "locals": local_derivatives(graph, node),
             "line": node.line}
            for node in graph.nodes]


def solve(source: str, granularity: str = Granularity.LINE) -> dict:
    """The preview of a source; raises services.InvalidProgram (with the line) if bad."""
    graph = services.solve_source(source, granularity=granularity)
    rows = table_rows(graph)
    return {"graph": graph.to_solution(), "rows": rows, "mermaid": to_mermaid(graph),
            "table_html": render_to_string("admin/exercises/exercise/_solved_table.html",
                                           {"rows": rows, "output": graph.output.name})}


def preview_or_error(source: str, granularity: str = Granularity.LINE) -> dict:
    try:
        return solve(source, granularity)
    except services.ServiceError as exc:
        return {"error": exc.message, "line": exc.details.get("line")}


def sample_variants(exercise: Exercise) -> dict:
    """Three learners' numbers; one sample when the program draws nothing at random."""
    return sample_variants_of(exercise.source, exercise.granularity)


def render_variants(variants: dict) -> str:
    return render_to_string("admin/exercises/exercise/_variants.html", {"variants": variants})


def sample_variants_of(source: str, granularity: str = Granularity.LINE) -> dict:
    """The same for a source not saved yet: the editor shows them as the author types."""
    seeds = SAMPLE_SEEDS if services.source_has_random_inputs(source) else (0,)
    samples = []
    for seed in seeds:
        try:
            graph = services.solve_source(source, seed, granularity)
        except services.ServiceError as exc:  # e.g. a draw that divides by zero
            samples.append({"seed": seed, "error": exc.message})
            continue
        samples.append({
            "seed": seed,
            "inputs": [{"name": n.name, "data": format_number(n.data, 6),
                        "grad": format_number(n.grad, 6)}
                       for n in graph.nodes if n.kind == "input"],
            "output": {"name": graph.output.name,
                       "data": format_number(graph.output.data, 6)}})
    return {"random": len(seeds) > 1, "samples": samples}
