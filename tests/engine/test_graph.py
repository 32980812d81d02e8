"""Graphs: reverse mode against finite differences, sympy and exact forward mode; fan-out;
exactness; a 1,000,000-node chain; serialisation round trips."""

from __future__ import annotations

import json
import math
import random
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from exercises.engine import (
    CONST,
    INPUT,
    OP,
    Graph,
    ProgramError,
    numbers,
    ops,
    parse,
    solve_text,
)
from exercises.engine.graph import topological_order
from exercises.engine.symbolic import sympy_gradients

ADD, MUL, SUB = ops.REGISTRY["add"], ops.REGISTRY["mul"], ops.REGISTRY["sub"]


# -- random valid programs --------------------------------------------------------------------
#
# A program is drawn step by step while its values are tracked in floats, so each op is only
# applied inside its domain and away from its kinks; where the drawn op does not fit, tanh
# (total, smooth, bounded) takes its place. Some results are named on a line of their own,
# others are used inline as a parenthesised operand, so compound expressions get parsed too.
# The last line sums everything not yet used, so every node reaches the output.

INPUT_VALUES = ["-2.5", "-1.5", "-0.7", "-0.3", "0.2", "0.5", "0.9", "1.3", "2", "3"]
LITERALS = ["0.5", "2", "3", "1.5", "-1", "0.25"]
UNARY = ["neg", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs"]
BINARY = ["add", "sub", "mul", "div", "max", "min"]
EXPONENTS = ["2", "3", "-1", "-2", "0.5", "1.5"]
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
MARGIN = 0.05  # distance kept from every kink and domain edge
LIMIT = 1e3  # largest magnitude a value may reach


def _fits(kind: str, args: list[float], exponent: float | None) -> float | None:
    """The op's value at args (floats) if it is safe to use there, else None."""
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if kind in ("log", "sqrt") and a < MARGIN:
        return None
    if kind in ("relu", "abs") and abs(a) < MARGIN:
        return None
    if kind in ("max", "min") and abs(a - b) < MARGIN:
        return None
    if kind == "div" and abs(b) < MARGIN:
        return None
    if kind == "exp" and a > 5:
        return None
    if kind == "pow" and (abs(a) < MARGIN or (exponent != int(exponent) and a < MARGIN)):
        return None
    op = ops.power(Fraction(str(exponent))) if kind == "pow" else ops.REGISTRY[kind]
    value = float(op.forward(*args))
    return value if abs(value) <= LIMIT else None


def _render(kind: str, texts: list[str], exponent: str | None) -> str:
    if kind == "pow":
        return f"({texts[0]}) ** {exponent}"
    if kind == "neg":
        return f"-({texts[0]})"
    if kind in SYMBOLS:
        return f"({texts[0]}) {SYMBOLS[kind]} ({texts[1]})"
    return f"{kind}({', '.join(texts)})"


@st.composite
def programs(draw, max_ops: int = 10, rational: bool = False):
    unary = ["neg"] if rational else UNARY
    binary = ["add", "sub", "mul", "div"] if rational else BINARY
    exponents = ["2", "3", "-1", "-2"] if rational else EXPONENTS
    lines: list[str] = []
    terms: list[tuple[str, float]] = []  # (text, value) usable as operands
    unused: set[str] = set()
    for i in range(draw(st.integers(1, 3))):
        value = draw(st.sampled_from(INPUT_VALUES))
        lines.append(f"x{i} = {value}")
        terms.append((f"x{i}", float(value)))
        unused.add(f"x{i}")
    pending: tuple[str, float] | None = None
    for j in range(draw(st.integers(1, max_ops))):
        kind = draw(st.sampled_from(unary + binary + ["pow"]))
        arity = 2 if kind in binary else 1
        operands = []
        for k in range(arity):
            if k == 0 and pending is not None:
                operands.append(pending)
                pending = None
            elif k == 1 and draw(st.integers(0, 4)) == 0:
                literal = draw(st.sampled_from(LITERALS))
                operands.append((literal, float(literal)))
            else:
                operands.append(terms[draw(st.integers(0, len(terms) - 1))])
        exponent = draw(st.sampled_from(exponents)) if kind == "pow" else None
        args = [v for _, v in operands]
        value = _fits(kind, args, float(exponent) if exponent else None)
        if value is None:
            if rational:
                kind, operands = "neg", operands[:1]
            else:
                kind, operands = "tanh", operands[:1]
            args = [v for _, v in operands]
            value = _fits(kind, args, None)
        text = _render(kind, [t for t, _ in operands], exponent)
        for t, _ in operands:
            unused.discard(t)
        if draw(st.booleans()) or j == 0:
            name = f"v{j}"
            lines.append(f"{name} = {text}")
            terms.append((name, value))
            unused.add(name)
        else:
            pending = (text, value)
    outputs = sorted(unused) + ([f"({pending[0]})"] if pending else [])
    if len(outputs) == 1:
        outputs.append("0.5")
    lines.append("out = " + " + ".join(outputs))
    return "\n".join(lines) + "\n"


def solved(text: str) -> Graph:
    return parse(text).solve(granularity="gate")


def output_at(g: Graph, node, value) -> float:
    saved = node.data
    node.data = value
    try:
        return float(g.forward().output.data)
    finally:
        node.data = saved
        g.forward()


def central_difference(g: Graph, node, h_rel: float = 1e-6) -> float:
    x = float(node.data)
    h = h_rel * max(1.0, abs(x))
    return (output_at(g, node, x + h) - output_at(g, node, x - h)) / (2 * h)


def forward_mode(g: Graph, wrt) -> Fraction:
    """d output / d wrt by exact dual numbers: an algorithm independent of reverse mode."""
    value, slope = {}, {}
    for n in g.nodes:
        if n.op is None:
            value[n.index], slope[n.index] = n.data, Fraction(int(n.index == wrt.index))
            continue
        a, da = value[n.inputs[0]], slope[n.inputs[0]]
        if n.op.arity == 2:
            b, db = value[n.inputs[1]], slope[n.inputs[1]]
        name = n.op.name
        if name == "add":
            v, d = a + b, da + db
        elif name == "sub":
            v, d = a - b, da - db
        elif name == "mul":
            v, d = a * b, da * b + a * db
        elif name == "div":
            v, d = a / b, (da * b - a * db) / (b * b)
        elif name == "neg":
            v, d = -a, -da
        elif name == "pow":
            k = int(n.op.exponent)
            v, d = a ** k, k * a ** (k - 1) * da
        else:
            raise AssertionError(f"not a rational op: {name}")
        value[n.index], slope[n.index] = v, d
    return slope[g.output.index]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_reverse_mode_matches_finite_differences(text):
    note(text)
    g = solved(text)
    for node in g.nodes:
        if node.kind != INPUT:
            continue
        fd = central_difference(g, node)
        grad = float(node.grad)
        assert abs(grad - fd) <= 1e-5 * max(1.0, abs(grad), abs(fd)), (text, node.name, grad, fd)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(max_ops=5))
def test_reverse_mode_matches_sympy(text):
    note(text)
    g = solved(text)
    expected = sympy_gradients(g)
    for node in g.nodes:
        if node.kind == INPUT:
            grad = float(node.grad)
            assert math.isclose(grad, expected[node.name], rel_tol=1e-9, abs_tol=1e-12), (
                text, node.name, grad, expected[node.name])


@settings(max_examples=100, deadline=None)
@given(programs(max_ops=8, rational=True))
def test_rational_programs_are_exact(text):
    note(text)
    g = solved(text)
    for node in g.nodes:
        assert type(node.data) is Fraction, (text, node)
        assert type(node.grad) is Fraction, (text, node)
        if node.kind == INPUT:
            assert node.grad == forward_mode(g, node), (text, node.name)


@settings(max_examples=60, deadline=None)
@given(programs(max_ops=8))
def test_serialisation_round_trips(text):
    note(text)
    g = solved(text)
    again = Graph.from_dict(json.loads(json.dumps(g.to_solution()))).solve()
    assert sorted(n.name for n in again.nodes) == sorted(n.name for n in g.nodes)
    assert again.output.name == g.output.name
    for a in g.nodes:
        b = again[a.name]
        assert a.kind == b.kind
        assert [g.nodes[i].name for i in a.inputs] == [again.nodes[i].name for i in b.inputs]
        assert (a.op and (a.op.name, a.op.exponent)) == (b.op and (b.op.name, b.op.exponent))
        assert type(a.data) is type(b.data) and type(a.grad) is type(b.grad)
        # Float sums may be taken in another order (see test_from_dict_keeps_the_stored_order).
        assert math.isclose(a.data, b.data, rel_tol=1e-13, abs_tol=1e-300)
        assert math.isclose(a.grad, b.grad, rel_tol=1e-13, abs_tol=1e-300)
        if type(a.grad) is Fraction:
            assert a.data == b.data and a.grad == b.grad


# -- the notes' small examples on the Graph API ----------------------------------------------

def test_refresher_example_1_by_hand():
    g = Graph()
    a, b, d = g.add_input("a", 3), g.add_input("b", 2), g.add_input("d", 4)
    c = g.add_op(ADD, [a, b], name="c")
    g.add_op(MUL, [c, d], name="L")
    g.solve()
    assert [(n.name, n.data, n.grad) for n in g.nodes] == [
        ("a", 3, 4), ("b", 2, 4), ("d", 4, 5), ("c", 5, 4), ("L", 20, 1)]


def test_fan_out_sums_over_every_consumer():
    # Refresher Example 3: x feeds y = x + 2 and z = x * 3; dL/dx = 15·1 + 7·3 = 36.
    g = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z\n", granularity="gate")
    assert g["x"].grad == 36
    # Three consumers, one of them reading x twice.
    g = solve_text("x = 3\na = x * x\nb = x + 1\nc = exp(x)\nL = a + b * c\n",
                   granularity="gate")
    expected = 2 * 3 + math.exp(3) + 4 * math.exp(3)
    assert math.isclose(g["x"].grad, expected, rel_tol=1e-14)
    assert [c for c, _ in g.consumers()[g["x"].index]] == [g["a"].index] * 2 + [
        g["b"].index, g["c"].index]


def test_diamond_and_repeated_inputs():
    g = Graph()
    x = g.add_input("x", 2)
    s = g.add_op(ADD, [x, x], name="s")  # 2x
    p = g.add_op(MUL, [s, s], name="p")  # 4x²
    g.add_op(SUB, [p, s], name="L")  # 4x² − 2x
    g.solve()
    assert g["L"].data == 12
    assert g["x"].grad == 8 * 2 - 2
    assert g["s"].grad == 2 * 4 - 1


def test_solving_twice_does_not_accumulate():
    g = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z\n")
    g.solve()
    g.solve()
    assert g["x"].grad == 36


def test_constants_and_intermediates():
    g = solve_text("x = 2\nt = const(1)\nL = (x - t) ** 2\n")
    assert g["t"].kind == CONST
    assert g["x"].grad == 2
    assert g.output.grad == 1


def test_exact_one_tenth_plus_two_tenths():
    g = solve_text("a = 0.1\nb = 0.2\nc = a + b\n")
    assert g["c"].data == Fraction(3, 10)
    assert type(g["c"].data) is Fraction
    assert g["c"].data != 0.1 + 0.2
    assert type(g["a"].grad) is Fraction and g["a"].grad == 1


def test_exact_rational_program():
    g = solve_text("x = 3\ny = 0.5\nq = (x / 7 - y) ** 2 * x ** -1 + -x / y\n")
    x, y = Fraction(3), Fraction(1, 2)
    assert g.output.data == (x / 7 - y) ** 2 / x - x / y
    # d/dx: 2(x/7 − y)/7 · 1/x − (x/7 − y)²/x² − 1/y ; d/dy: −2(x/7 − y)/x + x/y²
    assert g["x"].grad == 2 * (x / 7 - y) / 7 / x - (x / 7 - y) ** 2 / x ** 2 - 1 / y
    assert g["y"].grad == -2 * (x / 7 - y) / x + x / y ** 2
    assert all(type(n.data) is Fraction and type(n.grad) is Fraction for n in g.nodes)


def test_transcendental_results_are_floats_downstream():
    g = solve_text("x = 1\ns = sigmoid(x)\nL = s * 2 + x\n")
    assert isinstance(g["s"].data, float) and isinstance(g["L"].data, float)
    assert type(g["x"].data) is Fraction


def test_derivative_domain_error_names_the_line():
    with pytest.raises(ProgramError) as info:
        solve_text("x = 0\n\ny = sqrt(x)\n")
    assert str(info.value).startswith("line 3: ")


# -- the Graph API ----------------------------------------------------------------------------

def test_graph_api_errors():
    g = Graph()
    x = g.add_input("x", 1)
    with pytest.raises(ProgramError):
        g.add_op(ADD, [x])
    with pytest.raises(ProgramError):
        g.add_input("x", 2)
    with pytest.raises(TypeError):
        g.add_input("b", True)
    with pytest.raises(ValueError):
        g.add_input("n", float("nan"))


def test_auto_names_are_unique():
    g = Graph()
    x = g.add_input("x", 1)
    c1, c2 = g.add_const(2), g.add_const(2)
    a, b = g.add_op(ADD, [x, c1]), g.add_op(ADD, [x, c2])
    names = [n.name for n in g.nodes]
    assert len(set(names)) == len(names)
    assert g[a.name] == a and g[b.name] == b
    assert g.output == b and len(g) == 5


def test_float_inputs_stay_floats_and_literals_are_exact():
    g = Graph()
    a, b = g.add_input("a", 0.1), g.add_input("b", 0.2)
    g.add_op(ADD, [a, b])
    assert g.solve().output.data == 0.1 + 0.2  # code that passes floats gets float maths
    assert parse("a = 0.1\nb = 0.2\nL = a + b").solve().output.data == Fraction(3, 10)


def test_bulk_builder_matches_one_node_at_a_time():
    """add_inputs/add_ops (what big generated graphs use) give the same numbers as add_op."""
    rng = random.Random(5)
    one, bulk = Graph(), Graph()
    values = [rng.uniform(-2, 2) for _ in range(4)]
    refs = [one.add_input(f"x{i}", v) for i, v in enumerate(values)]
    assert list(bulk.add_inputs(values)) == [0, 1, 2, 3]
    kinds, edges = [], []
    for k in range(4, 60):
        op = rng.choice([ADD, MUL, SUB, ops.REGISTRY["tanh"], ops.REGISTRY["max"]])
        args = tuple(rng.randrange(k) for _ in range(op.arity))
        kinds.append(op)
        edges.append(args)
        refs.append(one.add_op(op, [refs[j] for j in args], name=f"n{k}"))
    assert bulk.add_ops(kinds, edges) == range(4, 60)
    one.solve()
    bulk.solve()
    assert bulk.names == one.names and bulk["n59"] == bulk.output
    assert bulk.data == one.data
    assert bulk.grads == one.grads
    assert bulk.locals == one.locals


def test_bulk_builder_refusals_leave_the_graph_usable():
    g = Graph()
    g.add_inputs([1, 2])
    with pytest.raises(ProgramError, match="defined twice"):
        g.add_ops([ADD, ADD], [(0, 1), (0, 1)], names=["s", "s"])
    with pytest.raises(ProgramError, match="defined twice"):
        g.add_ops([ADD], [(0, 1)], names=["x0"])
    with pytest.raises(ProgramError, match="same length"):
        g.add_ops([ADD], [(0, 1), (0, 1)])
    assert len(g) == 2 and set(g.index_of) == {"x0", "x1"}
    g.add_ops([ADD], [(0, 1)], names=["s"])
    assert g.solve()["s"].data == 3 and g["x0"].grad == 1


def test_bulk_nodes_are_named_when_names_are_first_read():
    g = Graph()
    g.add_inputs([1, 2])
    g.add_ops([ADD], [(0, 1)], names=["n3"])  # the name the next bulk node would get
    g.add_ops([MUL, ADD], [(0, 2), (2, 3)])
    assert len(g) == 5 and g._unnamed  # nothing named yet: solving needs no names
    g.solve()
    assert g.output.data == 6 and g.grads[0] == 1 + (3 + 1)  # n2 + x0·n2, n2 = x0 + x1
    assert g._unnamed  # still nothing named
    assert g.names == ["x0", "x1", "n3", "n3_2", "n4"]
    assert g["n3_2"].index == 3 and g["n4"] == g.output
    assert [n["name"] for n in g.to_dict()["nodes"]] == g.names
    with pytest.raises(ProgramError, match="defined twice"):
        g.add_input("n4", 1)


@pytest.mark.parametrize("args, problem", [
    ((0, 2), "does not come before it"),   # reads itself
    ((0, 5), "does not come before it"),   # reads a node that does not exist
    ((-1, 0), "does not come before it"),  # a negative index would wrap around
    ((0,), "add takes 2 input(s), got 1"),
])
def test_forward_refuses_nodes_out_of_order(args, problem):
    g = Graph()
    g.add_inputs([1, 2])
    g.add_ops([ADD], [args])
    with pytest.raises(ProgramError, match=re.escape(problem)):
        g.forward()


def test_locals_follow_the_data():
    g = parse("a = 2\nb = 3\nL = a * b").solve()
    assert g.output.local == (3, 2)
    g["a"].data = Fraction(5)
    g.forward()
    assert g.output.data == 15 and g.output.local == (3, 5)


def test_float_graph_has_float_grads_and_exact_graph_exact_ones():
    # Code that passes floats asks for float arithmetic (numbers.from_python), gradients
    # included: the output's own 1 and what add gates pass down unchanged are 1.0, not a
    # Fraction among floats. The same graph from exact inputs keeps every gradient exact.
    g = Graph()
    g.add_inputs([0.5, 1.5, 2.0])  # the third input is read by nothing: its gradient is 0.0
    g.add_ops([ADD, MUL, ADD], [(0, 1), (0, 1), (3, 4)])
    g.solve()
    assert g.grads == [2.5, 1.5, 0.0, 1.0, 1.0, 1.0]
    assert {type(grad) for grad in g.grads} == {float}
    exact = Graph()
    exact.add_inputs([Fraction(1, 2), Fraction(3, 2), Fraction(2)])
    exact.add_ops([ADD, MUL, ADD], [(0, 1), (0, 1), (3, 4)])
    exact.solve()
    assert exact.grads == [Fraction(5, 2), Fraction(3, 2), 0, 1, 1, 1]
    assert {type(grad) for grad in exact.grads} == {Fraction}


def test_float_graph_relu_gate_blocks_and_passes_as_its_op_says():
    g = Graph()
    g.add_inputs([-1.0, 2.0])
    relu = ops.REGISTRY["relu"]
    g.add_ops([relu, relu, ADD], [(0,), (1,), (2, 3)])
    g.solve()
    assert g.data[2:] == [-0.0, 2.0, 2.0] and g.grads[:2] == [0.0, 1.0]
    assert [relu.forward(x) for x in (-1.0, 2.0)] == g.data[2:4]


@pytest.mark.parametrize("after", ["add", "sqrt"])
def test_float_graph_overflow_is_refused_at_the_node_that_overflowed(after):
    # Float values are checked at the end of the pass, but the error still names the node
    # that overflowed (n3 = 1e200 · 1e200), not a later one the inf reached, whether that
    # one computes (inf + 3) or fails (sqrt(−inf)).
    g = Graph()
    g.add_inputs([1e200, 1e200, 3.0])
    if after == "add":
        g.add_ops([MUL, ADD], [(0, 1), (3, 2)])
    else:
        g.add_ops([MUL, ops.REGISTRY["neg"], ops.REGISTRY["sqrt"]], [(0, 1), (3,), (4,)])
    with pytest.raises(ProgramError, match=r"^cannot compute n3: a value is too large$"):
        g.forward()


CHAIN = 1_000_000


def test_million_node_chain():
    """x + 1 + 1 + … a million times, built as the issue shows (auto-named op nodes): no
    recursion anywhere. How fast it is, is the benchmark's business (bench/engine.py)."""
    g = Graph()
    n = g.add_input("x", 1)
    c = g.add_const(1, name="one")
    add = ops.REGISTRY["add"]
    for _ in range(CHAIN):
        n = g.add_op(add, [n, c])
    g.solve()
    assert len(g) == CHAIN + 2
    assert g.output.data == CHAIN + 1
    assert g["x"].grad == 1
    assert g["one"].grad == CHAIN  # fan-out: every add reads the same const
    del g


def test_deep_chain_with_named_nodes_needs_no_recursion():
    depth = 100_000
    g = Graph()
    n = g.add_input("x", 1)
    tanh = ops.REGISTRY["tanh"]
    for i in range(depth):
        n = g.add_op(tanh if i % 2 else ADD, [n] if i % 2 else [n, g.nodes[0]], name=f"n{i}")
    g.solve()
    assert math.isfinite(g.output.data)
    assert 0 < g["x"].grad < 10


# -- serialisation ------------------------------------------------------------------------------

def test_to_dict_shape():
    g = solve_text("x = 2.0\ny = 3.0\nz = x * y\nloss = z + 1\n", granularity="gate")
    d = g.to_dict()
    assert d["output"] == "loss"
    assert [n["name"] for n in d["nodes"]] == [n.name for n in g.nodes]
    assert set(d["nodes"][0]) == {"name", "kind", "op", "inputs", "data", "grad"}
    z = next(n for n in d["nodes"] if n["name"] == "z")
    assert z == {"name": "z", "kind": OP, "op": "mul", "inputs": ["x", "y"], "data": 6.0,
                 "grad": 1.0}
    assert "grad" not in g.to_dict(grads=False)["nodes"][0]
    json.dumps(d, allow_nan=False)


def test_to_solution_keeps_exact_forms():
    g = solve_text("x = 0.1\ny = x / 3\nL = y ** 2\n", granularity="gate")
    sol = g.to_solution()
    y = next(n for n in sol["nodes"] if n["name"] == "y")
    assert y["data_exact"] == "1/30" and y["symbol"] == "÷" and y["line"] == 2
    assert y["local"] and y["grad_exact"] == "1/15"
    back = Graph.from_dict(sol).solve()
    assert back["y"].data == Fraction(1, 30)
    assert back["x"].grad == g["x"].grad


def test_from_dict_keeps_the_stored_order():
    """A stored graph is already in topological order; rebuilding it must not reorder it."""
    g = solve_text("x = 2\ny = x * 3 + 1\nz = y - x\n")
    stored = g.to_dict()
    back = Graph.from_dict(stored).solve()
    assert [n.name for n in back.nodes] == [n.name for n in g.nodes]
    assert back.to_dict() == stored


def test_from_dict_of_to_dict_resolves():
    g = solve_text("x = 0.5\nw = 3\np = sigmoid(w * x) ** 2\n")
    back = Graph.from_dict(g.to_dict()).solve()
    assert back["x"].grad == g["x"].grad
    assert back.output.data == g.output.data


def test_from_dict_reorders_and_refuses_bad_graphs():
    items = [
        {"name": "L", "kind": OP, "op": "mul", "inputs": ["c", "d"]},
        {"name": "c", "kind": OP, "op": "add", "inputs": ["a", "b"]},
        {"name": "a", "kind": INPUT, "data": 3}, {"name": "b", "kind": INPUT, "data": 2},
        {"name": "d", "kind": INPUT, "data": 4},
    ]
    g = Graph.from_dict({"output": "L", "nodes": items}).solve()
    assert g.output.name == "L" and g["a"].grad == 4
    assert [i["name"] for i in topological_order(items)][-1] == "L"
    cyclic = [{"name": "a", "inputs": ["b"]}, {"name": "b", "inputs": ["a"]}]
    with pytest.raises(ProgramError, match="cycle"):
        topological_order(cyclic)
    with pytest.raises(ProgramError, match="unknown"):
        topological_order([{"name": "a", "inputs": ["zz"]}])
    with pytest.raises(ProgramError, match="last"):
        Graph.from_dict({"output": "c", "nodes": items})


def test_shuffled_serialisation_rebuilds_the_same_numbers():
    g = solve_text("x = 2\ny = -1\na = x * y\nb = tanh(a) + x\nL = b * a - y\n")
    items = g.to_solution()["nodes"]
    random.Random(4).shuffle(items)
    back = Graph.from_dict({"output": "L", "nodes": items}).solve()
    for n in g.nodes:
        assert back[n.name].grad == n.grad


# -- every solved graph is a JSON-safe answer, or the program is refused ------------------------

FINITE_OR_REFUSED = {
    "huge_exact_data": "x = 1e100\ny = x * x * x * x\n",
    "huge_integer_literal": "x = 1" + "0" * 400 + "\ny = x * 2\n",
    "huge_exact_gradient": "x = 1e-160\ny = 1 / x\n",
    "infinite_float_gradient": "x = 1e-155\ne = exp(x)\ny = e / x\n",
    "tiny_exact_data": "x = 1e-200\ny = x * x\n",
}


@pytest.mark.parametrize("text", list(FINITE_OR_REFUSED.values()), ids=list(FINITE_OR_REFUSED))
def test_solved_graphs_are_finite_or_refused(text):
    try:
        g = solve_text(text)
    except ProgramError:
        return
    d = g.to_dict()  # must not raise
    json.dumps(d, allow_nan=False)  # finite data and grads only
    g.to_solution()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_exact_backward_skips_only_work_that_changes_nothing(text):
    """Exact graphs take a backward loop that skips 0 + d and 1·d; the chain rule applied
    plainly, every product and sum made, gives the very same gradients, types included."""
    for granularity in ("line", "gate"):
        g = parse(text).build(0, granularity).forward()
        if not g._exact_leaves:
            continue
        exact = list(g.backward().grads)
        assert [(type(a), a) for a in exact] == [(type(b), b) for b in _plain_backward(g)]


def _plain_backward(g: Graph) -> list:
    grads = [Fraction(0)] * len(g)
    grads[-1] = Fraction(1)
    for i in reversed(range(len(g))):
        op, inputs = g.ops[i], g.args[i]
        if op is not None:
            local = op.local_derivative(tuple(g.data[x] for x in inputs), g.data[i])
            for x, d in zip(inputs, local, strict=True):
                grads[x] = grads[x] + grads[i] * d
    return [grad if type(grad) is float else numbers.check(grad) for grad in grads]


def test_sums_and_products_that_change_nothing_are_skipped_exactly():
    from exercises.engine.numbers import plus, times

    half = Fraction(1, 2)
    assert times(1, half) is half and times(half, 1) is half and times(2, half) == 1
    assert type(times(1, 0.5)) is float and times(Fraction(3), 2) == 6
    assert plus(0, half) is half and plus(half, half) == 1
    assert math.copysign(1, plus(0, -0.0)) == 1  # as 0 + -0.0 in Python
    assert type(plus(0, 2)) is int


def test_automatic_names_follow_the_order_of_adding():
    """A node add_op named automatically is named as if when it was added, even though its
    name is made later: a fresh name asked for afterwards comes after it."""
    g = Graph()
    x = g.add_input("x", 1)
    a = g.add_op(ADD, [x, x])
    assert g.fresh_name("add") == "add_2" and a.name == "add_1"
    b = g.add_op(MUL, [a, x])
    with pytest.raises(ProgramError, match="'mul_1' is defined twice"):
        g.add_input("mul_1", 2)  # b was added first: the name is its own
    assert b.name == "mul_1"
