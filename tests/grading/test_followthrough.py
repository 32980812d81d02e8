"""Error carried forward along chains, partial credit, and the anti-gaming rule."""

from __future__ import annotations

import random

import pytest
from grading_helpers import CHAIN, EX2, EX3, correct_answers, graded, random_program, solution
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from exercises.engine import ProgramError
from exercises.grading import GradingPolicy, grade
from exercises.grading.followthrough import follow_through
from exercises.grading.solution import read_solution
from exercises.grading.verdicts import Tolerance

# CHAIN: c = w·b, d = c + 1, e = d·2, f = e − 4, L = f·3 → grads L 1, f 3, e 3, d 6, c 6,
# w 18, b 12. A learner who says ∂L/∂f = 4 and then follows the chain rule correctly:
CARRIED = {"L": "1", "f": "4", "e": "4", "d": "8", "c": "8", "w": "24", "b": "16"}


def test_a_wrong_answer_carried_down_a_chain():
    result = graded(CHAIN, CARRIED)
    assert result["nodes"]["L"]["correct"]
    assert result["nodes"]["f"]["misconception"] is None  # the error starts here
    for name in ("e", "d", "c", "w", "b"):
        found = result["nodes"][name]
        assert found["misconception"] == "upstream_carried", name
        assert found["upstream"] == "f"
        assert found["credit"] == 0.5
        assert not found["correct"]
    assert result["score"] == pytest.approx((1 + 5 * 0.5) / 7, abs=1e-4)


@pytest.mark.parametrize("credit", [0, 0.25, 1])
def test_follow_through_credit_is_a_policy(credit):
    result = graded(CHAIN, CARRIED, policy=GradingPolicy(follow_through_credit=credit))
    assert result["nodes"]["w"]["credit"] == credit
    assert result["score"] == pytest.approx((1 + 5 * credit) / 7, abs=1e-4)


def test_the_origin_is_the_first_wrong_step_not_the_nearest_wrong_node():
    # d is wrong on its own (9, not 2·e = 8): the error now starts at d, not f.
    answers = {**CARRIED, "d": "9", "c": "9", "w": "27", "b": "18"}
    result = graded(CHAIN, answers)
    assert result["nodes"]["d"]["misconception"] != "upstream_carried"
    assert result["nodes"]["e"]["upstream"] == "f"
    for name in ("c", "w", "b"):
        assert result["nodes"][name]["upstream"] == "d"


def test_unasked_nodes_pass_the_learners_error_on():
    # Only f and w are asked; w = 24 follows from f = 4 through the unasked e, d, c.
    result = graded(CHAIN, {"f": "4", "w": "24"}, asked=["f", "w"])
    assert result["nodes"]["w"]["misconception"] == "upstream_carried"
    assert result["nodes"]["w"]["upstream"] == "f"


def test_zero_upstream_earns_no_credit():
    # Gaming: answer 0 at the top and every node below is "consistent" with it.
    zeros = {name: "0" for name in correct_answers(CHAIN)}
    zeros["L"] = "1"
    result = graded(CHAIN, zeros)
    assert result["score"] == pytest.approx(1 / 7, abs=1e-4)
    for name in ("e", "d", "c", "w", "b"):
        found = result["nodes"][name]
        assert found["credit"] == 0
        assert found["misconception"] == "upstream_carried"
        assert "earns no credit" in found["explanation"]


def test_zero_on_one_branch_makes_consistency_weak_evidence():
    # Example 3 with ∂L/∂z = 0: x = 15 is "consistent" with it, but missing_branch is
    # the better explanation and no follow-through credit is given.
    x = graded(EX3, {"L": 1, "y": 15, "z": 0, "x": 15})["nodes"]["x"]
    assert x["misconception"] == "missing_branch"
    assert "upstream_carried" in x["also"]
    assert x["credit"] == 0


def test_zero_passes_through_unanswered_nodes():
    result = graded(CHAIN, {"L": "1", "f": "0", "w": "0"}, asked=["L", "f", "w"])
    assert result["nodes"]["w"]["misconception"] == "upstream_carried"
    assert result["nodes"]["w"]["credit"] == 0


def test_inconsistent_answers_below_a_wrong_one_get_no_credit():
    result = graded(EX2, {"L": 1, "e": 3, "f": 10, "d": 2, "c": 2, "a": 6, "b": 4})
    assert result["nodes"]["e"]["misconception"] is None
    # c = 2 is right, not 3·1: so a and b, computed from the right c, are right too.
    assert all(result["nodes"][n]["correct"] for n in ("c", "a", "b"))


def test_follow_through_values():
    solved = read_solution(solution(EX3))
    index = solved.index
    ft = follow_through(solved, {index["y"]: 10.0, index["z"]: 7.0}, Tolerance())
    assert ft.implied[index["x"]] == pytest.approx(10 * 1 + 7 * 3)
    assert ft.origin[index["x"]] == index["y"]
    assert ft.origin[index["z"]] is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(1, 8), st.data())
def test_consistent_answers_below_one_error_are_carried_or_right(seed, size, data):
    """Property: make one node wrong, answer every other node consistently with it; each
    of those is then either right or diagnosed upstream_carried from that node."""
    program = random_program(random.Random(seed), size)
    try:
        sol = solution(program)
    except ProgramError:
        assume(False)
    nodes = [n for n in sol["nodes"] if n["kind"] != "const"]
    wrong = data.draw(st.sampled_from(nodes))
    factor = data.draw(st.sampled_from([-3.0, 2.0, 5.0]))
    assume(abs(wrong["grad"]) > 1e-3)
    # Gradients near the absolute tolerance floor (tanh(9)' ≈ 6e-8) make "right" and
    # "consistent" indistinguishable; the property is about ordinary magnitudes.
    assume(all(abs(n["grad"]) > 1e-3 for n in nodes))
    # Walk backwards, computing each gradient from the (perturbed) answers above it.
    names = [n["name"] for n in sol["nodes"]]
    answers: dict[str, float] = {}
    own = {name: 0.0 for name in names}
    own[sol["output"]] = 1.0
    for item in reversed(sol["nodes"]):
        value = own[item["name"]]
        if item["name"] == wrong["name"]:
            value = wrong["grad"] * factor
        if item["kind"] != "const":
            answers[item["name"]] = value
        for src, local in zip(item["inputs"], item["local"], strict=True):
            own[src] += value * local
    result = grade(sol, {k: repr(v) for k, v in answers.items()})
    for name, found in result["nodes"].items():
        if name == wrong["name"] or found["correct"]:
            continue
        codes = [found["misconception"], *found["also"]]
        assert "upstream_carried" in codes, (program, name, found)
        if found["misconception"] == "upstream_carried":
            assert found["upstream"] == wrong["name"]
