"""Presentation of a graph dict for `exercises/_graph.html`: labels, formatted numbers and
the order in which a learner works through the nodes (backward pass, output first).

The view model is built from what the template was given and nothing else, so a learner's
page can only show a gradient if the graph handed to the template already had one.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from django import template

from exercises.engine.errors import ProgramError
from exercises.engine.lines import line_op
from exercises.engine.numbers import format_number
from exercises.engine.parser import parse_expression

register = template.Library()

# Circles show the op's symbol like the notes (+, ×, σ …); pow shows its exponent.
_SUPERSCRIPT = str.maketrans("0123456789-./", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·ᐟ")
_INFIX = {"add", "sub", "mul", "div"}
_FUNCTION_STYLE = {"relu": "ReLU", "sigmoid": "σ"}


def number(value) -> str:
    """Four significant digits, integers as integers, a real minus sign."""
    if value is None:
        return "?"
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(as_float):
        return str(as_float)
    return format_number(as_float).replace("-", "−")


def _exponent(node: dict) -> str:
    exponent = node.get("exponent")
    if exponent is None:
        symbol = node.get("symbol") or ""
        exponent = symbol.lstrip("^") if symbol.startswith("^") else "?"
    text = number(exponent).replace("−", "-")
    return text.translate(_SUPERSCRIPT)


_POWER = re.compile(r"\^([-−]?\d+)(?![\d.])")


def _drawn(expression: str) -> str:
    """A line's expression as its shape in the graph shows it: whole powers raised, as in
    the notes ((a2 − y)²)."""
    return _POWER.sub(lambda m: m.group(1).replace("−", "-").translate(_SUPERSCRIPT),
                      expression)


def symbol(node: dict) -> str:
    if node.get("op") == "pow":
        return "(·)" + _exponent(node)
    return node.get("symbol") or node.get("op") or "?"


def label(node: dict) -> str:
    """A constant the author did not name is shown by its value, as in the notes."""
    if node["kind"] == "const" and node["name"].startswith("const_"):
        return number(node.get("data"))
    return node["name"]


@lru_cache(maxsize=1024)
def _line_text(expression: str, inputs: tuple[str, ...]) -> str:
    """'(a2 − y)^2' for "(a2 - y) ** 2": read by the engine's whitelist parser (the stored
    expression is the engine's own); shown as stored if it cannot be read."""
    try:
        return line_op(parse_expression(expression, list(inputs))).text()
    except ProgramError:
        return expression


def expression(node: dict, labels: dict[str, str]) -> str:
    """'x + 2', 'σ(z1)', 'u²': how an op node is computed from its inputs."""
    if node["kind"] != "op":
        return ""
    if node.get("expression"):  # a line node: its expression in the notes' writing
        return _line_text(node["expression"], tuple(node["inputs"]))
    args = [labels.get(name, name) for name in node["inputs"]]
    args = [f"({a})" if a.startswith("−") else a for a in args]
    op = node.get("op")
    if op in _INFIX and len(args) == 2:
        return f"{args[0]} {node.get('symbol') or op} {args[1]}"
    if op == "pow" and len(args) == 1:
        return f"{args[0]}{_exponent(node)}"
    if op == "neg" and len(args) == 1:
        return f"−{args[0]}"
    if op == "abs" and len(args) == 1:
        return f"|{args[0]}|"
    name = _FUNCTION_STYLE.get(op, node.get("symbol") or op)
    return f"{name}({', '.join(args)})"


def backward_order(nodes: list[dict], output: str) -> list[str]:
    """Every node after all the nodes it feeds, output first; a node's own inputs follow
    it closely (leaves first), so the walk reads like the notes' worked examples."""
    by_name = {n["name"]: n for n in nodes}
    waiting = {name: 0 for name in by_name}
    for node in nodes:
        for source in node["inputs"]:
            waiting[source] += 1
    order, stack = [], [output] if output in by_name else []
    while stack:
        name = stack.pop()
        order.append(name)
        ready = []
        for source in by_name[name]["inputs"]:
            waiting[source] -= 1
            if waiting[source] == 0:
                ready.append(source)
        ready.sort(key=lambda source: by_name[source]["kind"] == "op")
        stack.extend(reversed(ready))
    seen = set(order)
    return order + [n["name"] for n in reversed(nodes) if n["name"] not in seen]


@register.filter
def plural_count(value) -> int:
    """An int for {% blocktranslate count %}: gettext's plural rules take whole numbers, and
    a fractional amount (1.5 points) reads as a plural in English and German."""
    number = float(value or 0)
    return int(number) if number.is_integer() else 2


@register.filter
def sentence(text) -> str:
    """A message ends with a full stop before the next sentence follows it."""
    text = str(text or "").rstrip()
    return text if not text or text[-1] in ".!?…" else text + "."


@register.simple_tag
def graph_view(graph, show_grads=False, ask="grad", asked=None, answers=None,
               feedback=None, errors=None):
    """The rows of the table (in working order) and the data graph.js draws."""
    if not graph or not graph.get("nodes"):
        return {"rows": [], "data": {"nodes": [], "order": [], "output": None}}
    nodes = graph["nodes"]
    ask = "data" if ask == "data" else "grad"
    asked = set(asked or ())
    answers = answers or {}
    feedback = feedback or {}
    errors = errors or {}
    labels = {n["name"]: label(n) for n in nodes}
    order = ([n["name"] for n in nodes] if ask == "data"
             else backward_order(nodes, graph.get("output")))
    by_name = {n["name"]: n for n in nodes}
    rows = []
    for name in order:
        node = by_name[name]
        is_asked = name in asked and node["kind"] != "const"
        status = status_of(feedback.get(name), errors.get(name))
        row = {
            "name": name, "kind": node["kind"], "label": labels[name],
            "symbol": symbol(node) if node["kind"] == "op" else "",
            "expression": expression(node, labels),
            "data": number(node.get("data")),
            "data_known": node.get("data") is not None,
            "grad": number(node["grad"]) if show_grads and "grad" in node
            and node["kind"] != "const" else None,
            "asked": is_asked, "status": status,
            "answer": answers.get(name, ""),
            "result": feedback.get(name),
            "error": errors.get(name) or (feedback.get(name) or {}).get("error"),
        }
        rows.append(row)
    # graph.js lays the nodes out in the program's order, which keeps the drawing close
    # to the notes'; `order` is the working order (tab order, step-through).
    rows_by_name = {row["name"]: row for row in rows}
    data_nodes = []
    for n in nodes:
        row = rows_by_name[n["name"]]
        item = {key: row[key] for key in (
            "name", "kind", "label", "symbol", "expression", "data", "asked", "status")}
        item["inputs"] = list(n["inputs"])
        if n.get("expression"):  # a line-granularity node: its shape shows the line
            item["op_label"] = _drawn(row["expression"])
        if row["grad"] is not None:  # no "grad" key at all unless it may be shown
            item["grad"] = row["grad"]
        data_nodes.append(item)
    return {"rows": rows, "data": {"nodes": data_nodes, "order": order, "ask": ask,
                                   "output": graph.get("output")}}


def status_of(result: dict | None, error: str | None) -> str:
    """A box's data-status: "invalid", "correct", "wrong", "received" or ""."""
    if error or (result and result.get("valid") is False):
        return "invalid"
    if not result:
        return ""
    if result.get("correct") is True:
        return "correct"
    if result.get("correct") is False:
        return "wrong"
    return "received"
