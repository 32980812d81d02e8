"""Every misconception code, built from the course notes' examples."""

from __future__ import annotations

import json

import pytest
from grading_helpers import (
    CHAIN,
    EX1,
    EX2,
    EX3,
    MAX,
    NETWORK,
    POWER,
    QUOTIENT,
    RELU,
    graded,
    node,
    truth,
)

from exercises.grading import CODES, RULES, AuthoredRule
from exercises.grading.misconceptions import BY_CODE


def test_the_vocabulary_is_fixed():
    assert CODES == ("missing_branch", "no_upstream", "own_value", "add_as_mul", "sign",
                     "data_for_grad", "sigmoid_argument", "power_rule", "quotient",
                     "max_routing", "upstream_carried", "tanh_argument", "activation_formula",
                     "activation_skipped", "dropped_constant", "update_for_grad", "authored")
    assert {rule.code for rule in RULES} == set(CODES)
    assert len(RULES) == len(CODES)


def test_refresher_example_3_answering_15_for_x_is_missing_branch():
    x = node(EX3, {"x": "15"}, "x")
    assert (x["correct"], x["valid"], x["misconception"]) == (False, True, "missing_branch")
    assert x["explanation"] == ("You added only the path through y — x also feeds z, and a "
                                "gradient sums over every path.")


def test_example_3_answering_21_for_x_is_missing_branch_through_z():
    x = node(EX3, {"x": "7*3"}, "x")
    assert x["misconception"] == "missing_branch"
    assert "only the path through z" in x["explanation"] and "also feeds y" in x["explanation"]


def test_refresher_example_2_answering_4_for_a_is_own_value():
    a = node(EX2, {"a": "4"}, "a")
    assert a["misconception"] == "own_value"
    assert "the other factor, b" in a["explanation"]


def test_no_upstream_local_derivative_alone():
    # Example 2: ∂c/∂a = b = 3, but ∂L/∂a = ∂L/∂c · 3 = 6.
    a = node(EX2, {"a": "3"}, "a")
    assert a["misconception"] == "no_upstream"
    assert "∂c/∂a" in a["explanation"] and "∂L/∂c" in a["explanation"]


def test_no_upstream_sums_local_derivatives_over_branches():
    # Example 3: ∂y/∂x + ∂z/∂x = 1 + 3 = 4 instead of 15·1 + 7·3.
    assert node(EX3, {"x": "4"}, "x")["misconception"] == "no_upstream"


def test_add_as_mul_scales_by_the_other_input():
    # Example 1: c = a + b with ∂L/∂c = 4; "4 × b" = 8 treats the add gate as a multiply.
    a = node(EX1, {"a": "8"}, "a")
    assert a["misconception"] == "add_as_mul"
    assert "add gate distributes" in a["explanation"]
    # Example 3: the add path scaled by 2 (15·2) plus the right multiply path (7·3).
    assert node(EX3, {"x": "51"}, "x")["misconception"] == "add_as_mul"


def test_sign():
    assert node(EX2, {"d": "-2"}, "d")["misconception"] == "sign"
    assert node(EX3, {"x": "-36"}, "x")["misconception"] == "sign"


def test_data_for_grad():
    c = node(EX2, {"c": "6"}, "c")  # c's data is 6, its gradient 2
    assert c["misconception"] == "data_for_grad"
    assert node(EX2, {"L": "20"}, "L")["misconception"] == "data_for_grad"


def test_sigmoid_argument_in_the_notebook_network():
    grads, data = truth(NETWORK), truth(NETWORK, "data")
    for z, a in (("z1", "a1"), ("z2", "a2")):
        buggy = grads[a] * data[z] * (1 - data[z])
        found = node(NETWORK, {z: f"{buggy:.4g}"}, z)
        assert found["misconception"] == "sigmoid_argument", z
        assert f"{a}·(1−{a})" in found["explanation"]


def test_power_rule_in_the_notebook_worked_example():
    # y = (3x+1)², u = 7: ∂L/∂u = 3·2u = 42; without the 2 it is 21.
    u = node(POWER, {"u": "21"}, "u")
    assert u["misconception"] == "power_rule"
    assert "the factor 2 is missing" in u["explanation"]


def test_power_rule_wins_a_tie_and_says_so():
    # L = (a2 − y)²: dropping the 2 gives sub_1 itself, the node's forward value too.
    data = truth(NETWORK, "data")
    found = node(NETWORK, {"sub_1": repr(data["sub_1"])}, "sub_1")
    assert found["misconception"] == "power_rule"
    assert found["also"] == ["data_for_grad"] and found["ambiguous"] is True
    assert ("It is also what you would get if you typed the value instead of the gradient; "
            "from this number alone we cannot be sure which.") in found["explanation"]


def test_quotient():
    # u = p/v: ∂u/∂v = −p/v² = −1.5, so ∂L/∂v = −4.5; with −p/v it is −9.
    v = node(QUOTIENT, {"v": "-9"}, "v")
    assert v["misconception"] == "quotient"
    assert "−p/v²" in v["explanation"]


def test_max_routing_to_the_losing_input():
    a = node(MAX, {"a": "2"}, "a")  # a = 3 lost to b = 5
    assert a["misconception"] == "max_routing"
    assert "larger input (b)" in a["explanation"]


def test_max_routing_through_a_blocked_relu():
    r = node(RELU, {"r": "4"}, "r")  # 1 via the + r path; the ReLU path is blocked
    assert r["misconception"] == "max_routing"
    assert "ReLU" in r["explanation"]


def test_upstream_carried_on_a_chain():
    # Example 2 with c wrong (5): a = 5·b and b = 5·a follow from it.
    result = graded(EX2, {"L": 1, "e": 2, "f": 10, "d": 2, "c": 5, "a": 15, "b": 10})
    for name in ("a", "b"):
        found = result["nodes"][name]
        assert found["misconception"] == "upstream_carried"
        assert found["upstream"] == "c"
        assert found["credit"] == 0.5
    assert result["nodes"]["c"]["misconception"] is None
    assert result["score"] == pytest.approx((4 + 0.5 + 0.5) / 7, abs=1e-4)  # L e f d right


def test_own_value_outranks_data_for_grad():
    # Example 1: d at L = c × d with ∂L/∂L = 1: own value 4 is also d's data.
    d = node(EX1, {"d": "4"}, "d")
    assert d["misconception"] == "own_value"
    assert d["also"] == ["data_for_grad"]


def test_unexplained_wrong_answers_have_no_code():
    x = node(EX3, {"x": "1000"}, "x")
    assert x["correct"] is False and x["misconception"] is None and x["explanation"] is None
    assert x["hint"]


def test_a_zero_no_rule_predicts_has_no_code():
    # L = c × d: c's own value, its data and the local alone give 5, 5 and 4, never 0.
    assert node(EX1, {"c": "0"}, "c")["misconception"] is None


def test_the_winner_of_a_max_given_nothing_is_max_routing():
    # max(a, b) with b = 5 the winner: a 0 for b is the routing sent the wrong way.
    found = node(MAX, {"b": "0"}, "b")
    assert found["misconception"] == "max_routing"
    assert "b won in m = max(a, b)" in found["explanation"]


def test_a_zero_a_rule_predicts_is_evidence():
    # c = a × b with a's data 0: a's own value at the multiply gives 0, and 0 says so.
    assert node("a = 0\nb = 3\nc = a * b\nL = c * 2", {"a": "0"}, "a")[
        "misconception"] == "own_value"


def test_rules_retry_with_the_learners_own_upstream_gradient():
    # z is wrong (8); x = 24 is the path through z only, with the learner's own ∂L/∂z.
    x = node(EX3, {"z": "8", "x": "24"}, "x")
    assert x["misconception"] == "missing_branch"
    assert "your own upstream gradient" in x["explanation"]


def test_forward_values_use_the_subset_that_applies():
    assert {code for code, rule in BY_CODE.items() if "data" in rule.asks} == {
        "sign", "upstream_carried", "authored"}
    e = node(EX2, {"e": "-10"}, "e", ask="data")
    assert e["misconception"] == "sign"
    # c = 5 is wrong (a × b = 6); e = 9 = 5 + d follows from it.
    result = graded(EX2, {"c": "5", "e": "9", "L": "18"}, ask="data")
    assert result["nodes"]["c"]["misconception"] is None
    for name in ("e", "L"):
        assert result["nodes"][name]["misconception"] == "upstream_carried"
        assert result["nodes"][name]["upstream"] == "c"
    assert result["score"] == pytest.approx(1 / 3, abs=1e-4)


def test_every_code_is_exercised_by_a_seed_example():
    grads, data = truth(NETWORK), truth(NETWORK, "data")
    z2 = grads["a2"] * data["z2"] * (1 - data["z2"])
    tanh = "n = 0.5\nt = tanh(n)\nL = t * 3"
    n, t = 0.5, truth(tanh, "data")["t"]
    seen = {
        node(tanh, {"n": repr(3 * (1 - n * n))}, "n")["misconception"],
        node(tanh, {"n": repr(3 * (1 - t))}, "n")["misconception"],
        node(tanh, {"n": "3"}, "n")["misconception"],
        node("v = 2\nJ = 3 * v", {"v": "1"}, "v")["misconception"],
        node(EX2, {"a": repr(2 - 0.1 * 6)}, "a", learning_rate=0.1)["misconception"],
        node(EX2, {"a": "5"}, "a", rules=[AuthoredRule("a", "upstream + data(b)", "plus_b",
                                                       "")])["misconception"],
        node(EX3, {"x": "15"}, "x")["misconception"],
        node(EX3, {"x": "4"}, "x")["misconception"],
        node(EX2, {"a": "4"}, "a")["misconception"],
        node(EX1, {"a": "8"}, "a")["misconception"],
        node(EX2, {"d": "-2"}, "d")["misconception"],
        node(EX2, {"c": "6"}, "c")["misconception"],
        node(NETWORK, {"z2": f"{z2:.4g}"}, "z2")["misconception"],
        node(POWER, {"u": "21"}, "u")["misconception"],
        node(QUOTIENT, {"v": "-9"}, "v")["misconception"],
        node(MAX, {"a": "2"}, "a")["misconception"],
        graded(CHAIN, {"L": 1, "f": 4, "e": 4})["nodes"]["e"]["misconception"],
    }
    assert seen == set(CODES)


def test_codes_in_results_are_strings_or_null():
    result = graded(EX3, {"x": "15", "y": "abc"})
    assert json.loads(json.dumps(result))["nodes"]["x"]["misconception"] == "missing_branch"
    assert result["nodes"]["y"]["misconception"] is None
