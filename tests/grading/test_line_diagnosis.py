"""Diagnoses where the slip happens inside one program line, on the engine's own line nodes
(the graph an exercise variant, `manage.py solve --granularity line` and `manage.py grade`
build), next to the same answer at gate granularity. The words use the program's names and
the learner's number, never an inner gate's automatic name."""

from __future__ import annotations

import math
import re

import pytest
from grading_helpers import NETWORK, line_solution, node_at, solution

BOTH = pytest.mark.parametrize("granularity", ["gate", "line"])
AUTO = re.compile(r"\b(mul|add|sub|neg|pow|div|sigmoid|tanh|relu|max|const)_\d")


def wrong(program: str, name: str, typed: float, granularity: str = "line", **kwargs) -> dict:
    found = node_at(program, {name: repr(typed)}, name, granularity, **kwargs)
    assert found["correct"] is False
    if granularity == "line":
        for key in ("explanation", "hint"):
            assert not AUTO.search(found[key] or ""), found[key]
    return found


def grad(program: str, name: str, granularity: str = "line") -> float:
    stored = line_solution(program) if granularity == "line" else solution(program)
    return next(n["grad"] for n in stored["nodes"] if n["name"] == name)


# -- the coincidences, inside one line ----------------------------------------------
@BOTH
def test_a_sign_slip_at_a_subtraction_inside_a_line(granularity):
    # L = (c3 − d3)·2 with c3 = 1: ∂L/∂d3 = −2; the lost minus gives 2, as does "× c3".
    found = wrong("c3 = 1\nd3 = 4\nL = (c3 - d3) * 2", "d3", 2.0, granularity)
    assert (found["misconception"], found["also"], found["ambiguous"]) == (
        "sign", ["add_as_mul"], True)
    assert "a sign slip at that gate gives" in found["explanation"]
    if granularity == "line":  # the line quoted whole, its 2 no reason to hide the words
        assert found["explanation"].startswith("At L = (c3 − d3)·2 (at c3 − d3), a subtract "
                                               "gate passes the negative of the gradient")


@BOTH
def test_a_forgotten_flip_at_times_minus_one_inside_a_line(granularity):
    # L = x·(−1)·3 with x = 1: ∂L/∂x = −3; 3 is the flip forgotten, and also "× x".
    found = wrong("x = 1\nL = x * -1 * 3", "x", 3.0, granularity)
    assert (found["misconception"], found["also"], found["ambiguous"]) == (
        "sign", ["own_value"], True)
    assert "the negative factor -1 flips the sign" in found["explanation"]


@BOTH
def test_a_negation_inside_a_line(granularity):
    found = wrong("x = 1\nL = -x * 3", "x", 3.0, granularity)
    assert found["misconception"] == "sign" and found["also"] == []
    assert "a negate gate flips the sign of the gradient for x" in found["explanation"]


@BOTH
def test_own_value_inside_a_line(granularity):
    # z = w·x + b, L = 2z: ∂L/∂w = 2x = 6; w's own value instead of x gives 4.
    found = wrong("w = 2\nx = 3\nb = 1\nz = w * x + b\nL = z * 2", "w", 4.0, granularity)
    assert found["misconception"] == "own_value"
    if granularity == "line":
        assert found["explanation"].startswith("At z = w·x + b (at w·x), a multiply gate swaps")


# -- constants and powers of a whole line ---------------------------------------------------
def test_the_half_of_a_two_term_squared_error():
    # Mazur's E = ½(t1 − o1)² + ½(t2 − o2)² as one line: ∂E/∂o1 = −(t1 − o1) = 0.75.
    program = ("t1 = 0\nt2 = 1\no1 = 0.75\no2 = 0.25\n"
               "E = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2")
    found = wrong(program, "o1", 1.5)
    assert found["misconception"] == "dropped_constant"
    assert ("the constant 0.5 multiplies (t1 − o1)^2, so it stays in ∂E/∂o1" in
            found["explanation"]) and "You typed 1.5," in found["explanation"]


def test_a_half_written_as_a_division():
    found = wrong("t = 1\no = 0.25\nE = (t - o) ** 2 / 2", "o", -1.5)
    assert found["misconception"] == "dropped_constant"
    assert found["explanation"] == (
        "At E = (t − o)^2/2, (t − o)^2 is divided by the constant 2, so the factor 1/2 stays "
        "in ∂E/∂o: a constant factor stays in the derivative. You typed -1.5, which leaves it "
        "out.")


@pytest.mark.parametrize("typed, words", [
    ("half", "the factor 2 is missing"),  # (a2 − y) for 2(a2 − y)
    ("value", "You used the value (a2 − 1)^2 itself"),  # (a2 − y)² for 2(a2 − y)
])
def test_the_squared_error_line(typed, words):
    # L = (a2 − y)², one line of two gates: the power rule's slips at its last gate.
    truth = grad(NETWORK, "a2")
    a2_minus_y = truth / 2
    value = a2_minus_y if typed == "half" else a2_minus_y ** 2
    found = wrong(NETWORK, "a2", value)
    assert found["misconception"] == "power_rule"
    assert words in found["explanation"]
    assert "For L = (a2 − 1)^2," in found["explanation"] and "(at" not in found["explanation"]
    assert wrong(NETWORK, "a2", -truth)["misconception"] == "sign"


# -- activations inside a line ------------------------------------------------------------
NEURON_LINE = ("x1 = 2\nx2 = 0\nw1 = -3\nw2 = 1\nb = 6.8813735870195432\n"
               "o = tanh(x1 * w1 + x2 * w2 + b)")
SCALED_TANH = "n = 0.5\nL = tanh(n) * 3"


def test_tanh_argument_times_more_factors_says_what_the_number_is():
    n = 0.8813735870195432
    found = wrong(NEURON_LINE, "w1", (1 - n * n) * 2)  # ∂o/∂w1 = (1 − o²)·x1
    assert found["misconception"] == "tanh_argument"
    text = found["explanation"]
    # The number is 2·(1 − n²), not 1 − n² itself: the words say "as the local derivative".
    assert text.startswith("You typed 0.4464, which is what you get with 1 − (x1·w1 + x2·w2 + "
                           "b)², from the input x1·w1 + x2·w2 + b = 0.8814, as the local "
                           "derivative of o = tanh(x1·w1 + x2·w2 + b).")


@pytest.mark.parametrize("code, local", [
    ("tanh_argument", lambda n, t: 1 - n * n),
    ("activation_formula", lambda n, t: 1 - t),
    ("activation_skipped", lambda n, t: 1.0),
])
def test_an_activation_inside_a_longer_line_is_named_where_it_stands(code, local):
    n = 0.5
    found = wrong(SCALED_TANH, "n", 3 * local(n, math.tanh(n)))
    assert found["misconception"] == code
    assert "tanh(n) in L = tanh(n)·3" in found["explanation"]
    assert "tanh(n) = tanh(n)" not in found["explanation"]


# -- paths inside one line ------------------------------------------------------------------
@BOTH
def test_one_use_of_a_name_used_twice_in_a_line(granularity):
    # micrograd's b = a + a: ∂b/∂a = 2; counting one use gives 1.
    found = wrong("a = 3.0\nb = a + a", "a", 1.0, granularity)
    assert found["misconception"] == "missing_branch"
    if granularity == "line":
        assert found["explanation"] == ("You counted only one of the uses of a in b = a + a: "
                                        "each use is a path, and a gradient sums over every "
                                        "path.")


def test_one_use_dropped_from_a_line_of_three():
    # y = x·x + x, L = 2y at x = 3: ∂L/∂x = 2(2x + 1) = 14; one x of x·x forgotten: 8.
    found = wrong("x = 3\ny = x * x + x\nL = y * 2", "x", 8.0)
    assert found["misconception"] == "missing_branch"
    assert "in y = x·x + x" in found["explanation"]


@BOTH
def test_the_winner_of_a_max_given_nothing(granularity):
    found = wrong("a = 3\nb = 5\nL = max(a, b) * 2", "b", 0.0, granularity)
    assert found["misconception"] == "max_routing"
    assert "b won in" in found["explanation"]
