"""Every op in the registry: its local derivative against finite differences and sympy.

The op list is read from `ops.REGISTRY` (plus a spread of `ops.power(n)` exponents), so a
newly registered op is tested here without touching this file.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest

from exercises.engine import ops
from exercises.engine.errors import ProgramError
from exercises.engine.graph import Graph
from exercises.engine.mermaid import parse_mermaid, to_mermaid
from exercises.engine.parser import parse
from exercises.engine.symbolic import closed_forms, sympy_gradients

POWERS = [Fraction(n) for n in ("2", "3", "5", "1", "0", "-1", "-2", "1/2", "3/2", "-1/2", "1/3")]
ALL_OPS = list(ops.REGISTRY.values()) + [ops.power(n) for n in POWERS]


def op_id(op: ops.Op) -> str:
    return op.name if op.exponent is None else f"pow[{op.exponent}]"


# Points on both sides of 0 and of each other, away from every kink (0 for relu/abs,
# a == b for max/min); ops whose domain excludes a point are skipped at that point.
POINTS = [("0.7", "1.3"), ("2.5", "0.4"), ("-1.2", "0.9"), ("0.3", "-1.7"),
          ("-0.8", "-2.2"), ("1.6", "2.9"), ("-2.4", "-0.6")]

# Ops that stay in exact rational arithmetic when fed Fractions.
EXACT_OPS = {"add", "sub", "mul", "div", "neg", "relu", "abs", "max", "min"}
TRANSCENDENTAL = {"exp", "log", "sigmoid", "tanh"}


def one_op_graph(op: ops.Op, point) -> Graph:
    g = Graph()
    args = [g.add_input(name, Fraction(value)) for name, value in zip("ab"[:op.arity], point,
                                                                       strict=False)]
    g.add_op(op, args, name="out")
    return g


def evaluate(g: Graph, name: str, value) -> float:
    """The output with one input set to `value` (a float), everything else unchanged."""
    node = g[name]
    saved = node.data
    node.data = value
    try:
        g.forward()
        return float(g.output.data)
    finally:
        node.data = saved
        g.forward()


def central_difference(g: Graph, name: str, h_rel: float = 1e-6) -> float:
    x = float(g[name].data)
    h = h_rel * max(1.0, abs(x))
    return (evaluate(g, name, x + h) - evaluate(g, name, x - h)) / (2 * h)


def has_kink(g: Graph, name: str) -> bool:
    """Left and right slopes disagree: the point sits on (or next to) a kink."""
    x = float(g[name].data)
    h = 1e-4 * max(1.0, abs(x))
    f0 = evaluate(g, name, x)
    left = (f0 - evaluate(g, name, x - h)) / h
    right = (evaluate(g, name, x + h) - f0) / h
    return abs(left - right) > 1e-2 * (1 + abs(left) + abs(right))


def solved_points(op: ops.Op) -> list[Graph]:
    graphs = []
    for point in POINTS:
        g = one_op_graph(op, point)
        try:
            g.solve()
        except ProgramError:
            continue  # outside the op's domain here
        if any(has_kink(g, n.name) for n in g.nodes if n.kind == "input"):
            continue
        graphs.append(g)
    return graphs


def close(a, b, rel):
    return abs(float(a) - float(b)) <= rel * max(1.0, abs(float(a)), abs(float(b)))


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_derivative_matches_finite_differences(op):
    graphs = solved_points(op)
    assert len(graphs) >= 2, f"{op_id(op)}: fewer than 2 test points inside its domain"
    for g in graphs:
        for node in g.nodes:
            if node.kind != "input":
                continue
            fd = central_difference(g, node.name)
            assert close(node.grad, fd, 1e-6), (op_id(op), node.name, node.data, node.grad, fd)


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_derivative_matches_sympy(op):
    graphs = solved_points(op)
    assert len(graphs) >= 2
    for g in graphs:
        expected = sympy_gradients(g)
        for node in g.nodes:
            if node.kind == "input":
                assert close(node.grad, expected[node.name], 1e-12), (
                    op_id(op), node.name, node.data, node.grad, expected[node.name])


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_closed_forms_agree_with_numbers(op):
    for g in solved_points(op):
        forms = closed_forms(g)
        assert forms is not None
        for node, (data, grad) in zip(g.nodes, forms, strict=True):
            assert close(node.data, float(data.evalf(30)), 1e-12)
            assert close(node.grad, float(grad.evalf(30)), 1e-12)


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_op_is_fully_described(op):
    assert op.arity in (1, 2)
    assert op.symbol and op.gate
    assert len(op.formulas) == op.arity
    names = {"a": "p", "b": "q", "out": "r"}
    for i in range(op.arity):
        for latex in (False, True):
            assert op.formula(i, names, latex=latex)  # every template renders
    # The symbol a diagram shows is read back as the same op (Mermaid round trip).
    back = ops.by_symbol(op.symbol, op.arity)
    assert back is not None and back.name == op.name and back.exponent == op.exponent


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_op_through_mermaid_round_trip(op):
    for g in solved_points(op):
        again = parse_mermaid(to_mermaid(g)).solve()
        assert [n.name for n in again.nodes if n.kind == "input"] == [
            n.name for n in g.nodes if n.kind == "input"]
        assert again.output.op.name == op.name
        assert again.output.op.exponent == op.exponent
        assert again.output.data == g.output.data
        for node in g.nodes:
            assert again[node.name].grad == node.grad


@pytest.mark.parametrize("op", ALL_OPS, ids=op_id)
def test_exact_ops_keep_fractions(op):
    exact = op.name in EXACT_OPS or (op.exponent is not None and op.exponent.denominator == 1)
    for g in solved_points(op):
        if exact:
            for node in g.nodes:
                assert type(node.data) is Fraction, (op_id(op), node)
                assert type(node.grad) is Fraction, (op_id(op), node)
        elif op.name in TRANSCENDENTAL:
            assert isinstance(g.output.data, float)


def test_registry_covers_the_contract():
    expected = {"add", "sub", "mul", "div", "neg", "exp", "log", "sqrt", "sigmoid", "tanh",
                "relu", "abs", "max", "min"}
    assert expected <= set(ops.REGISTRY)
    assert set(ops.FUNCTIONS) == {"exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs",
                                  "max", "min"}
    for name, arity in ops.FUNCTIONS.items():
        assert ops.REGISTRY[name].arity == arity


@pytest.mark.parametrize("name", sorted(ops.FUNCTIONS))
def test_every_function_is_callable_from_a_program(name):
    arity = ops.FUNCTIONS[name]
    args = ", ".join("ab"[:arity])
    g = parse(f"a = 0.7\nb = 1.3\ny = {name}({args})\n").solve()
    direct = one_op_graph(ops.REGISTRY[name], ("0.7", "1.3")).solve()
    assert g["y"].data == direct.output.data
    assert g["a"].grad == direct["a"].grad
    if arity == 2:
        assert g["b"].grad == direct["b"].grad


def test_power_ops_are_cached_and_named():
    assert ops.power(Fraction(2)) is ops.power(Fraction(2))
    assert ops.get("pow", Fraction(3)).exponent == 3
    assert ops.get("add") is ops.REGISTRY["add"]
    with pytest.raises(KeyError):
        ops.get("pow")


@pytest.mark.parametrize("symbol,arity,name,exponent", [
    ("+", 2, "add", None), ("*", 2, "mul", None), ("×", 2, "mul", None), ("·", 2, "mul", None),
    ("-", 2, "sub", None), ("−", 2, "sub", None), ("-", 1, "neg", None), ("/", 2, "div", None),
    ("÷", 2, "div", None), ("σ", 1, "sigmoid", None), ("sigmoid", 1, "sigmoid", None),
    ("^2", 1, "pow", 2), ("²", 1, "pow", 2), ("**3", 1, "pow", 3), ("1/x", 1, "pow", -1),
    ("^(1/2)", 1, "pow", Fraction(1, 2)), ("ReLU", 1, "relu", None), ("exp", 1, "exp", None),
    ("ln", 1, "log", None), ("√", 1, "sqrt", None), ("max", 2, "max", None),
])
def test_symbols_from_diagrams(symbol, arity, name, exponent):
    op = ops.by_symbol(symbol, arity)
    assert op is not None and op.name == name
    assert op.exponent == exponent


def test_unknown_symbols():
    assert ops.by_symbol("%", 2) is None
    assert ops.by_symbol("+", 1) is None
    assert ops.by_symbol("^x", 1) is None


@pytest.mark.parametrize("op,args", [
    ("log", (0,)), ("log", (-1,)), ("sqrt", (-1,)), ("div", (1, 0)), ("exp", (1000,)),
])
def test_domain_errors(op, args):
    with pytest.raises(ops.DomainError):
        ops.REGISTRY[op].forward(*[Fraction(a) for a in args])


@pytest.mark.parametrize("exponent,base", [("-1", "0"), ("1/2", "-4"), ("-2", "0")])
def test_power_domain_errors(exponent, base):
    with pytest.raises(ops.DomainError):
        ops.power(Fraction(exponent)).forward(Fraction(base))


def test_sqrt_at_zero_has_no_derivative():
    g = parse("x = 0\ny = sqrt(x)\n").build()
    with pytest.raises(ProgramError, match="line 2"):
        g.solve()


def test_sqrt_of_perfect_squares_is_exact():
    assert ops.REGISTRY["sqrt"].forward(Fraction(9, 4)) == Fraction(3, 2)
    assert type(ops.REGISTRY["sqrt"].forward(Fraction(9, 4))) is Fraction
    assert isinstance(ops.REGISTRY["sqrt"].forward(Fraction(2)), float)


def test_sigmoid_does_not_overflow():
    sigmoid = ops.REGISTRY["sigmoid"].forward
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(0) == 0.5


def test_piecewise_ops_route_the_gradient():
    assert ops.REGISTRY["relu"].local_derivative((Fraction(-2),), 0) == (0,)
    assert ops.REGISTRY["relu"].local_derivative((Fraction(2),), 2) == (1,)
    assert ops.REGISTRY["abs"].local_derivative((Fraction(-2),), 2) == (-1,)
    assert ops.REGISTRY["max"].local_derivative((1, 2), 2) == (0, 1)
    assert ops.REGISTRY["min"].local_derivative((1, 2), 1) == (1, 0)


# -- accuracy: ≥ 12 significant digits against 40-digit mpmath -------------------------------

REFERENCE = {
    "exp": (lambda z: mpmath.exp(z), lambda z: mpmath.exp(z)),
    "log": (lambda z: mpmath.log(z), lambda z: 1 / z),
    "sqrt": (lambda z: mpmath.sqrt(z), lambda z: 1 / (2 * mpmath.sqrt(z))),
    "sigmoid": (lambda z: 1 / (1 + mpmath.exp(-z)),
                lambda z: mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 2),
    "tanh": (lambda z: mpmath.tanh(z), lambda z: mpmath.sech(z) ** 2),
}
MODERATE = ["-5", "-2.5", "-1", "-0.3", "0.001", "0.5", "1", "3", "5"]


def relative_error(got, exact) -> float:
    if exact == 0:
        return abs(float(got))
    return float(abs((mpmath.mpf(float(got)) - exact) / exact))


def transcendental_cases(points):
    for name, (value_of, slope_of) in REFERENCE.items():
        for text in points:
            z = Fraction(text)
            if name in ("log", "sqrt") and z <= 0:
                continue
            yield pytest.param(name, z, value_of, slope_of, id=f"{name}({text})")


def check_accuracy(name, z, value_of, slope_of):
    op = ops.REGISTRY[name]
    out = op.forward(z)
    (slope,) = op.local_derivative((z,), out)
    with mpmath.workdps(40):
        exact_z = mpmath.mpf(z.numerator) / z.denominator
        assert relative_error(out, value_of(exact_z)) < 1e-12, (name, z, out)
        assert relative_error(slope, slope_of(exact_z)) < 1e-12, (name, z, slope)


@pytest.mark.parametrize("name,z,value_of,slope_of", list(transcendental_cases(MODERATE)))
def test_transcendental_accuracy(name, z, value_of, slope_of):
    check_accuracy(name, z, value_of, slope_of)


@pytest.mark.parametrize("name,z,value_of,slope_of", [
    case for case in transcendental_cases(["-20", "-8", "8", "20"])
    if case.values[0] in ("sigmoid", "tanh")])
def test_transcendental_accuracy_in_the_tails(name, z, value_of, slope_of):
    """σ' = σ(1−σ) and tanh' = 1−tanh² from a rounded output lose every digit in the tails."""
    check_accuracy(name, z, value_of, slope_of)


def test_log_and_exp_are_inverse_to_twelve_digits():
    for text in ("0.001", "0.5", "2", "1e3", "123.456"):
        z = Fraction(text)
        assert math.isclose(ops.REGISTRY["exp"].forward(ops.REGISTRY["log"].forward(z)),
                            float(z), rel_tol=1e-13)
