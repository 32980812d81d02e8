"""Line granularity: one node per program line, its local derivatives and formulas.

Local derivatives of line nodes are checked against finite differences and against sympy's
own differentiation of the line (built from the ops' sympy forms), for every op and for
composite lines with fan-out inside the line; random programs give the same values and
gradients for every named node at both granularities.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from test_graph import programs

from exercises.engine import CONST, INPUT, Graph, ProgramError, ops, parse, solve_text
from exercises.engine.chain import backward_chain, backward_paths
from exercises.engine.expressions import to_sympy
from exercises.engine.lines import is_line
from exercises.engine.mermaid import to_mermaid

NETWORK = """x = 1.0
w1 = 0.5
b1 = 0
w2 = 0.8
b2 = 0
y = const(1.0)
z1 = w1 * x + b1
a1 = sigmoid(z1)
z2 = w2 * a1 + b2
a2 = sigmoid(z2)
L = (a2 - y) ** 2
"""

# One line per op, each away from its kinks, plus composite lines (fan-out inside a line).
POINT = "a = 0.7\nb = 1.3\n"
LINES = [f"y = {name}(a, b)" if op.arity == 2 else f"y = {name}(a) * b"
         for name, op in ops.REGISTRY.items() if name not in ("add", "sub", "mul", "div", "neg")]
LINES += ["y = a + b", "y = a - b", "y = a * b", "y = a / b", "y = -a * b",
          "y = a ** 2 * b", "y = a ** -1 + b", "y = a ** 0.5 * b", "y = a ** 3 - b ** 1.5",
          "y = a * a + a", "y = (a - b) ** 2", "y = a * b / (a + b)",
          "y = sigmoid(a * b + a) * tanh(b - a)", "y = exp(a * a) - log(b * a)",
          "y = max(a * b, a + b) * min(a, b * b)", "y = sqrt(a * b + a * a) / abs(b - 2 * a)"]


def line_graph(line: str) -> Graph:
    g = solve_text(POINT + line + "\n")
    assert g.granularity == "line" and len(g) == 3 and is_line(g["y"].op)
    return g


def central_difference(g: Graph, name: str, h: float = 1e-6) -> float:
    op, args = g["y"].op, g["y"].inputs
    values = [float(g.data[j]) for j in args]
    k = [g.names[j] for j in args].index(name)
    up, down = list(values), list(values)
    up[k] += h
    down[k] -= h
    return (float(op.forward(*up)) - float(op.forward(*down))) / (2 * h)


@pytest.mark.parametrize("line", LINES)
def test_line_local_derivatives_match_finite_differences_and_sympy(line):
    g = line_graph(line)
    y = g["y"]
    symbols = {name: sp.Symbol(name, real=True) for name in y.op.input_names}
    expr = to_sympy(y.op.tree, symbols)
    at = {symbols[g.names[j]]: sp.Rational(str(g.data[j])) for j in y.inputs}
    for k, j in enumerate(y.inputs):
        name = g.names[j]
        assert math.isclose(float(y.local[k]), central_difference(g, name), rel_tol=1e-6,
                            abs_tol=1e-8), name
        exact = sp.diff(expr, symbols[name]).subs(at).evalf(30)
        assert math.isclose(float(y.local[k]), float(exact), rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("line", LINES)
def test_line_formulas_give_the_local_derivative(line):
    """The formula a hint shows, worked with the numbers, is the number backprop gives."""
    g = line_graph(line)
    y = g["y"]
    values = {g.names[j]: float(g.data[j]) for j in y.inputs} | {"y": float(y.data)}
    for k in range(y.op.arity):
        tree = y.op.derivative_tree(k)
        assert tree is not None
        assert math.isclose(_evaluate(tree, values), float(y.local[k]), rel_tol=1e-12,
                            abs_tol=1e-14), y.op.formula(k)


def _evaluate(tree, values) -> float:
    from exercises.engine.expressions import postorder

    done = {}
    for node in postorder(tree):
        kind, payload, children = node
        args = [done[id(c)] for c in children]
        if kind == "name":
            done[id(node)] = values[payload]
        elif kind == "const":
            done[id(node)] = float(payload[0])
        elif kind == "gate":
            done[id(node)] = float(payload.forward(*args))
        elif kind == "sign":
            done[id(node)] = float((args[0] > 0) - (args[0] < 0))
        else:
            left, right = args
            done[id(node)] = float({">": left > right, "<": left < right, "≥": left >= right,
                                    "≤": left <= right}[payload])
    return done[id(tree)]


def test_fan_out_inside_a_line_sums_its_paths():
    g = solve_text("x = 3\ny = x * x + x\n")
    assert [n.name for n in g.nodes] == ["x", "y"]
    assert g["y"].inputs == (0,) and g["y"].local == (7,)  # 2·x + 1
    assert g["x"].grad == 7
    assert g["y"].op.formula(0) == "2·x + 1"


def test_the_notes_network_at_line_granularity():
    g = solve_text(NETWORK)
    assert [n.name for n in g.asked()] == ["x", "w1", "b1", "w2", "b2", "z1", "a1", "z2", "a2",
                                           "L"]
    gates = solve_text(NETWORK, granularity="gate")
    assert "mul_1" in gates.names and "sub_1" in gates.names
    for name in g.names:
        assert g[name].data == gates[name].data
        assert math.isclose(g[name].grad, gates[name].grad, rel_tol=1e-14)
    formulas = {(n.name, g.names[j]): n.op.formula(k)
                for n in g.nodes if n.op for k, j in enumerate(n.inputs)}
    assert formulas[("z1", "w1")] == "x" and formulas[("z1", "b1")] == "1"
    assert formulas[("a1", "z1")] == "a1·(1 − a1)"
    assert formulas[("L", "a2")] == "2·(a2 − y)"
    assert g["L"].op.formula(0, latex=True) == "2 \\left(a_{2} - y\\right)"
    assert g["z1"].op.expression == "w1 * x + b1"
    assert g["z1"].op.expression_latex == "w_{1} x + b_{1}"


def test_the_backward_chain_for_w1_is_the_notes_five_boxes():
    g = solve_text(NETWORK)
    chain = backward_chain(g, "w1")
    assert chain == [("L", "a2"), ("a2", "z2"), ("z2", "a1"), ("a1", "z1"), ("z1", "w1")]
    product = math.prod(float(g[top].local[g[top].op.input_names.index(bottom)])
                        for top, bottom in chain)
    assert math.isclose(product, g["w1"].grad, rel_tol=1e-14)
    # At gate granularity the same chain has eight factors, through mul_1 and sub_1.
    assert len(backward_chain(solve_text(NETWORK, granularity="gate"), "w1")) == 8


def test_backward_paths_list_every_path_of_a_fan_out():
    g = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z\n")
    assert backward_paths(g, "x") == [[("L", "y"), ("y", "x")], [("L", "z"), ("z", "x")]]
    with pytest.raises(ProgramError):
        backward_chain(g, "x")  # two paths: no single chain


def test_literal_arithmetic_on_an_input_line_is_an_input():
    for granularity in ("line", "gate"):
        g = solve_text("x = 2/3\nh = 2 ** -1 * 3\ny = x * h\n", granularity=granularity)
        assert g["x"].kind == INPUT and g["x"].data == Fraction(2, 3)
        assert g["h"].kind == INPUT and g["h"].data == Fraction(3, 2)
        assert g["x"].grad == Fraction(3, 2)
    with pytest.raises(ProgramError) as refused:
        parse("x = 1\nz = 1/0\ny = x * z\n")
    assert refused.value.line == 2


def test_line_constants_are_literals_not_nodes():
    g = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z\n")
    assert [n.kind for n in g.nodes].count(CONST) == 0
    assert [(n.name, n.op.expression) for n in g.nodes if n.op] == [
        ("y", "x + 2"), ("z", "x * 3"), ("L", "y * z")]
    assert (g["x"].grad, g["y"].grad, g["z"].grad) == (36, 15, 7)


def test_line_solutions_round_trip_and_carry_gates():
    g = solve_text(NETWORK)
    stored = json.loads(json.dumps(g.to_solution()))
    z1 = next(n for n in stored["nodes"] if n["name"] == "z1")
    assert z1["op"] == "expr" and z1["inputs"] == ["w1", "x", "b1"]
    assert z1["gates"] == [
        {"op": "mul", "args": ["w1", "x"], "data": 0.5, "local": [1.0, 0.5]},
        {"op": "add", "args": [0, "b1"], "data": 0.5, "local": [1.0, 1.0]}]
    assert z1["formulas"][0] == ["x", "x"]
    L = next(n for n in stored["nodes"] if n["name"] == "L")
    assert L["gates"][0]["args"] == ["a2", "y"]
    assert L["gates"][1] == {"op": "pow", "args": [0], "exponent": "2",
                             "data": L["data"], "local": L["gates"][1]["local"]}
    back = Graph.from_dict(stored).solve()
    assert back.granularity == "line"
    for n in g.nodes:
        assert back[n.name].data == n.data and back[n.name].grad == n.grad


def test_mermaid_export_and_import_follow_the_granularity():
    g = solve_text(NETWORK)
    diagram = to_mermaid(g)
    assert '(("w1 * x + b1"))' in diagram and "mul_1" not in diagram
    again = solve_text(diagram)
    assert sorted(again.names) == sorted(g.names)  # the diagram orders nodes as drawn
    as_gates = solve_text(diagram, granularity="gate")
    assert "mul_1" in as_gates.names
    for name in g.names:
        assert math.isclose(again[name].grad, g[name].grad, rel_tol=1e-14)
        assert math.isclose(as_gates[name].grad, g[name].grad, rel_tol=1e-14)


def test_a_gate_diagram_read_at_line_granularity_inlines_unnamed_gates():
    diagram = """flowchart LR
    x["x<br/>data: 5"] --> plus(("+"))
    two["2<br/>(const)"] --> plus
    plus --> y["y"]
    x --> mult1(("×"))
    three["3<br/>(const)"] --> mult1
    mult1 --> m(("×"))
    y --> m
    m --> L["L"]
"""
    g = solve_text(diagram)
    assert [(n.name, n.op.expression if n.op else None) for n in g.nodes] == [
        ("x", None), ("y", "x + 2"), ("L", "x * 3 * y")]
    assert g["x"].grad == 36


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_both_granularities_give_the_same_numbers_for_every_named_node(text):
    lines, gates = solve_text(text), solve_text(text, granularity="gate")
    assert set(lines.names) <= set(gates.names)
    for name in lines.names:
        a, b = lines[name], gates[name]
        assert float(a.data) == float(b.data), name
        assert math.isclose(float(a.grad), float(b.grad), rel_tol=1e-9, abs_tol=1e-12), name


def test_a_500_deep_line_builds_and_renders():
    text = "x = 1\ny = " + " + ".join(["x"] * 400) + "\n"
    g = solve_text(text)
    assert g["y"].data == 400 and g["x"].grad == 400
    assert g["y"].op.formula(0) == "400"
    assert len(g.to_solution()["nodes"][1]["gates"]) == 399


def test_sympy_differentiates_a_line_graph_to_the_engines_gradients():
    from exercises.engine.symbolic import closed_forms, sympy_gradients

    g = solve_text(NETWORK)
    for name, grad in sympy_gradients(g).items():
        assert math.isclose(grad, g[name].grad, rel_tol=1e-12), name
    exact = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z\n")
    assert [str(grad) for _, grad in closed_forms(exact)] == ["36", "15", "7", "1"]


@pytest.mark.parametrize("line", LINES)
def test_lines_of_one_shape_share_the_form_their_trees_compile_to(line):
    """A line is compiled once per shape (names, not the line, vary), and the shared form is
    the one its own tree compiles to, its names in the line's order of first mention."""
    import re

    from exercises.engine.lines import compile_tree

    renamed = re.sub(r"\bb\b", "q", re.sub(r"\ba\b", "p", line)).replace("y =", "z =")
    g = solve_text(POINT + "p = 0.7\nq = 1.3\n" + line + "\n" + renamed + "\nL = y + z\n")
    y, z = g["y"].op, g["z"].op
    assert z.program is y.program and z.consts is y.consts
    for op in (y, z):
        assert compile_tree(op.tree) == (op.input_names, (op.consts, op.const_texts,
                                                          op.program, op._one_gate))
    assert [g.names[j] for j in g["z"].inputs] == [{"a": "p", "b": "q"}[g.names[j]]
                                                    for j in g["y"].inputs]
    assert g["y"].data == g["z"].data and g["a"].grad == g["p"].grad
