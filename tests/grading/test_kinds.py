"""The local, update and nudge kinds: keys, frozen numbers, verdicts, slips and hints,
against the notes' and outside sources' published numbers."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from grading_helpers import EX3, NETWORK

from exercises.engine import parse, solve_text
from exercises.grading import (
    KINDS,
    GradingPolicy,
    Settings,
    Tolerance,
    grade,
    grade_step,
    prepare,
)
from exercises.grading.kinds import (
    SLIP_CODES,
    chain_keys,
    gradient_key,
    gradient_of,
    local_keys,
    local_truth,
)

# "The Math You Need": nudge x by 0.001 and the loss moves 0.003, a slope of 3.0.
WORKED = "x = 2\ny = 3\nz = x * y\nloss = z + 1"
# Mazur, "A Step by Step Backpropagation Example": w5⁺ = 0.35891648, w1⁺ = 0.149780716.
MAZUR = """i1 = 0.05
i2 = 0.10
w1 = 0.15
w2 = 0.20
w3 = 0.25
w4 = 0.30
w5 = 0.40
w6 = 0.45
w7 = 0.50
w8 = 0.55
b1 = 0.35
b2 = 0.60
t1 = const(0.01)
t2 = const(0.99)
h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
E = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2"""
MAZUR_UPDATES = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
                 "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}


def solution(program: str, ask: str, granularity="line", **settings) -> dict:
    return KINDS[ask].solution(solve_text(program, granularity=granularity), Settings(**settings))


def graded(program, ask, answers, level=2, asked=None, tolerance=None, granularity="line",
           **settings) -> dict:
    result = grade(solution(program, ask, granularity, **settings), answers,
                   GradingPolicy(tolerance=tolerance, hint_level=level), asked=asked, ask=ask)
    json.dumps(result)  # plain JSON data
    return result


# -- local ------------------------------------------------------------------------------------


def test_local_keys_are_the_edges_from_non_constant_nodes_output_first():
    keys = local_keys(prepare(solve_text(EX3).to_solution()))
    # y = x + 2 and z = x * 3 read constants: those edges are given, not asked.
    assert keys == ["L/y", "L/z", "z/x", "y/x"]


def test_local_answers_graded_against_the_solutions_locals():
    right = graded(EX3, "local", {"L/y": "15", "L/z": 7, "z/x": "3", "y/x": "1"})
    assert right["score"] == 1 and set(right["nodes"]) == {"L/y", "L/z", "z/x", "y/x"}
    wrong = graded(EX3, "local", {"L/y": "7", "L/z": 7, "z/x": "3", "y/x": "1"})
    assert wrong["score"] == 0.75 and not wrong["nodes"]["L/y"]["correct"]


def test_a_node_read_twice_by_one_op_is_one_edge_with_the_summed_local():
    program = "x = 3\ny = x * x\nL = y + 1"
    keys = local_keys(prepare(solve_text(program, granularity="gate").to_solution()))
    assert keys == ["L/y", "y/x"]
    assert graded(program, "local", {"L/y": 1, "y/x": 6}, granularity="gate")["score"] == 1
    node = graded(program, "local", {"L/y": 1, "y/x": 3}, level=3,
                  granularity="gate")["nodes"]["y/x"]
    assert not node["correct"]
    assert "2 of the inputs of y" in node["hint"]
    assert node["hint"].endswith("∂y/∂x = x + x = 3 + 3 = 6.")


def test_local_hints_say_which_gate_rule_gives_it_and_work_numbers_only_at_level_3():
    answers = {"z2/a1": "0.5"}  # ∂z2/∂a1 = w2 = 0.8 in the network
    level1 = graded(NETWORK, "local", answers, level=1, asked=["z2/a1"])["nodes"]["z2/a1"]
    level2 = graded(NETWORK, "local", answers, level=2, asked=["z2/a1"])["nodes"]["z2/a1"]
    level3 = graded(NETWORK, "local", answers, level=3, asked=["z2/a1"])["nodes"]["z2/a1"]
    assert level1["hint"].startswith("∂z2/∂a1 is the local derivative at z2 = w2·a1")
    assert "multiply gate swaps" in level2["hint"] and "0.8" not in level2["hint"]
    assert level3["hint"].endswith("Here ∂z2/∂a1 = w2 = 0.8.")
    assert level3["hint_formula"] == level2["hint"]
    assert "\\frac{\\partial z_{2}}{\\partial a_{1}}" in level3["hint_latex"]
    sigmoid = graded(NETWORK, "local", {"a1/z1": 0.5}, level=2, asked=["a1/z1"])
    assert "sigmoid" in sigmoid["nodes"]["a1/z1"]["hint"].lower()


def test_local_slips_upstream_included_and_own_value():
    truth = {n["name"]: n for n in solve_text(NETWORK).to_solution()["nodes"]}
    path = truth["z2"]["grad"] * truth["z2"]["local"][1]  # ∂L/∂z2·∂z2/∂a1
    node = graded(NETWORK, "local", {"z2/a1": path}, asked=["z2/a1"])["nodes"]["z2/a1"]
    assert node["misconception"] == "local_with_upstream"
    assert "without the upstream gradient ∂L/∂z2" in node["explanation"]
    own = graded(NETWORK, "local", {"z2/a1": truth["a1"]["data"]}, asked=["z2/a1"])
    assert own["nodes"]["z2/a1"]["misconception"] == "local_own_value"


def test_unknown_edges_are_refused():
    with pytest.raises(ValueError, match="unknown edge"):
        graded(EX3, "local", {}, asked=["L/x"])


# -- update -----------------------------------------------------------------------------------


def test_update_reproduces_mazurs_step_with_eta_one_half():
    params = list(MAZUR_UPDATES)
    frozen = solution(MAZUR, "update", learning_rate=0.5, parameters=params)["update"]
    assert frozen["parameters"] == params and frozen["learning_rate_exact"] == "1/2"
    for name, published in MAZUR_UPDATES.items():
        assert frozen["new"][name] == pytest.approx(published, abs=5e-9)
    result = graded(MAZUR, "update", MAZUR_UPDATES, learning_rate=0.5, parameters=params)
    assert result["score"] == 1


def test_update_parameters_default_to_every_input_and_stay_exact():
    frozen = solution(WORKED, "update", learning_rate="1/10")["update"]
    assert frozen["parameters"] == ["x", "y"]
    # ∂loss/∂x = y = 3, ∂loss/∂y = x = 2: x − 0.1·3 and y − 0.1·2, exactly.
    assert frozen["new_exact"] == {"x": "17/10", "y": "14/5"}


def test_update_is_graded_on_five_significant_figures_unless_the_exercise_says_otherwise():
    # Mazur's w5 moves 0.40 → 0.35891648: a 1 % tolerance would still be far, but a tiny
    # step is the point — with η = 0.001 the unchanged weight is within 1 % of the new one.
    settings = {"learning_rate": 0.001, "parameters": ["w5"]}
    unchanged = graded(MAZUR, "update", {"w5": 0.40}, **settings)
    assert unchanged["nodes"]["w5"]["correct"] is False
    loose = graded(MAZUR, "update", {"w5": 0.40}, tolerance=Tolerance.relative(0.01),
                   **settings)
    assert loose["nodes"]["w5"]["correct"] is True


@pytest.mark.parametrize("answer, code", [
    ("0.4 + 0.5*0.082167041", "update_sign"),
    ("0.4 - 0.082167041", "update_no_rate"),
    ("-0.5*0.082167041", "update_step_only"),
    ("0.082167041", "update_gradient"),
])
def test_update_slips(answer, code):
    node = graded(MAZUR, "update", {"w5": answer}, learning_rate=0.5,
                  parameters=["w5"])["nodes"]["w5"]
    assert node["misconception"] == code and node["explanation"]


def test_update_hints_give_the_rule_then_the_numbers():
    level2 = graded(MAZUR, "update", {"w5": 0}, learning_rate=0.5, parameters=["w5"])
    hint2 = level2["nodes"]["w5"]["hint"]
    assert "w5 − η·∂E/∂w5" in hint2 and "η = 0.5" in hint2 and "0.3589" not in hint2
    level3 = graded(MAZUR, "update", {"w5": 0}, level=3, learning_rate=0.5,
                    parameters=["w5"])
    assert level3["nodes"]["w5"]["hint"].endswith(
        "= 0.4 − 0.5·0.082167041 = 0.35891648.")


@pytest.mark.parametrize("options, message", [
    ({}, "needs a learning_rate"),
    ({"learning_rate": 0}, "greater than 0"),
    ({"learning_rate": "fast"}, "learning_rate must be a number"),
    ({"learning_rate": 0.5, "parameters": ["z"]}, "must be inputs"),
    ({"learning_rate": 0.5, "parameters": []}, "at least one parameter"),
])
def test_update_settings_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        solution(WORKED, "update", **options)


# -- nudge ------------------------------------------------------------------------------------


def test_nudge_reproduces_the_notes_exactly():
    frozen = solution(WORKED, "nudge", nudge_input="x", nudge_h=0.001)["nudge"]
    assert frozen["nudged_exact"] == "7003/1000" and frozen["slope_exact"] == "3"
    assert graded(WORKED, "nudge", {"nudged": "7.003", "slope": "3.0"},
                  nudge_input="x", nudge_h=0.001)["score"] == 1


def test_nudge_of_x_squared_at_3_and_the_derivative_is_not_the_slope():
    # The notes: f(3.001) = 9.006001, 0.006001 / 0.001 ≈ 6.0 (the derivative is 6).
    program = parse("x = 3\nL = x ** 2").solve(0)
    frozen = KINDS["nudge"].solution(program, Settings(nudge_input="x"))["nudge"]
    assert Fraction(frozen["nudged_exact"]) == Fraction("9.006001")
    assert Fraction(frozen["slope_exact"]) == Fraction("6.001")
    node = graded("x = 3\nL = x ** 2", "nudge", {"slope": 6}, nudge_input="x")["nodes"]
    assert node["slope"]["misconception"] == "slope_is_derivative"
    assert graded("x = 3\nL = x ** 2", "nudge", {"slope": 6}, nudge_input="x",
                  tolerance=Tolerance.relative(0.01))["nodes"]["slope"]["correct"]


@pytest.mark.parametrize("answers, key, code", [
    ({"nudged": 7}, "nudged", "nudge_unchanged"),
    ({"nudged": 7.001}, "nudged", "nudge_output_plus_h"),
    ({"slope": 0.003}, "slope", "slope_not_divided"),
])
def test_nudge_slips(answers, key, code):
    node = graded(WORKED, "nudge", answers, nudge_input="x", nudge_h=0.001)["nodes"][key]
    assert node["misconception"] == code and node["explanation"]


def test_nudge_hints():
    nodes = graded(WORKED, "nudge", {"nudged": 1, "slope": 1}, level=3, nudge_input="x",
                   nudge_h=0.001)["nodes"]
    assert "x + h = 2 + 0.001 = 2.001" in nodes["nudged"]["hint"]
    assert nodes["nudged"]["hint"].endswith("loss(x + h) = 7.003.")
    assert nodes["slope"]["hint"].endswith("= (7.003 − 7)/0.001 = 3.")
    assert "7.003" not in nodes["slope"]["hint_formula"]


@pytest.mark.parametrize("options, message", [
    ({}, "needs the input"),
    ({"nudge_input": "z"}, "must be an input"),
    ({"nudge_input": "x", "nudge_h": 0}, "must not be 0"),
])
def test_nudge_settings_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        solution(WORKED, "nudge", **options)


def test_a_nudge_out_of_the_programs_domain_is_refused_and_the_graph_is_left_as_it_was():
    graph = solve_text("x = 0.0005\nL = log(x)")
    with pytest.raises(ValueError, match="nudging x by -0.001"):
        KINDS["nudge"].solution(graph, Settings(nudge_input="x", nudge_h=-0.001))
    assert graph["x"].data == Fraction(1, 2000) and graph["L"].data == pytest.approx(-7.6009)


def test_a_solution_without_the_kinds_frozen_numbers_is_a_bad_call():
    with pytest.raises(ValueError, match="no frozen 'nudge'"):
        grade(solve_text(WORKED).to_solution(), {}, ask="nudge")


def test_every_slip_code_is_distinct():
    assert len(SLIP_CODES) == len(set(SLIP_CODES))


def test_chain_keys_are_the_notes_chain_boxes_for_a_single_path():
    solved = prepare(solve_text(NETWORK).to_solution())
    keys = chain_keys(solved, "w1")
    assert keys[0].startswith("L/") and keys[-1] == "z1/w1"
    assert [k.split("/")[1] for k in keys[:-1]] == [k.split("/")[0] for k in keys[1:]]
    # x feeds two operations in Example 3: its gradient is a sum, not one chain.
    assert chain_keys(prepare(solve_text(EX3).to_solution()), "x") is None


# -- step-through: one key at a time, or a gradient on the way -------------------------------


def test_a_step_checks_one_asked_key_as_the_full_grade_does():
    sol = solution(WORKED, "nudge", nudge_input="x")
    policy = GradingPolicy(hint_level=2)
    one = grade_step(sol, {"slope": "0.003"}, policy, ask="nudge")
    assert list(one["nodes"]) == ["slope"] and one["ask"] == "nudge"
    assert one["nodes"]["slope"] == grade(sol, {"slope": "0.003"}, policy, asked=["slope"],
                                          ask="nudge")["nodes"]["slope"]


def test_an_updates_gradient_step_is_graded_as_that_gradient_under_its_own_key():
    # Mazur: ∂E/∂w5 = 0.082167041, and w5⁺ = 0.4 − 0.5·0.082167041.
    sol = solution(MAZUR, "update", learning_rate=0.5)
    right = grade_step(sol, {"grad:w5": "0.082167041"}, GradingPolicy(), ask="update")
    assert list(right["nodes"]) == ["grad:w5"] and right["nodes"]["grad:w5"]["correct"]
    assert right["score"] == 1 and right["ask"] == "update" and right["errors"] == {}
    typed_new = grade_step(sol, {"grad:w5": "0.35891648"}, GradingPolicy(), ask="update")
    assert typed_new["nodes"]["grad:w5"]["misconception"] == "update_for_grad"
    unreadable = grade_step(sol, {"grad:w5": "0.08 +"}, GradingPolicy(), ask="update")
    assert unreadable["valid"] is False and list(unreadable["errors"]) == ["grad:w5"]


def test_a_local_chains_product_step_is_the_gradient_of_where_it_starts():
    sol = solution(NETWORK, "local")
    solved = prepare(sol)
    product = 1.0
    for key in chain_keys(solved, "w1"):  # the notes' five boxes
        product *= local_truth(solved, key)
    checked = grade_step(sol, {gradient_key("w1"): repr(product)}, GradingPolicy(),
                         ask="local")
    assert checked["nodes"]["grad:w1"]["correct"]
    assert gradient_of("grad:w1") == "w1" and gradient_of("z2/a1") is None


@pytest.mark.parametrize("answers", [{}, {"grad:w1": "1", "z1/w1": "1"}])
def test_a_step_takes_exactly_one_answer(answers):
    with pytest.raises(ValueError, match="exactly one answer"):
        grade_step(solution(NETWORK, "local"), answers, ask="local")
