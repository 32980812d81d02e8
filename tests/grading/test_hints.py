"""Hints: three levels from the chain rule at a node, plain text and LaTeX."""

from __future__ import annotations

import json
import re

import pytest
from grading_helpers import CHAIN, EX2, EX3, MAX, NETWORK, graded, node


def _balanced(latex: str) -> bool:
    return latex.count("\\(") == latex.count("\\)") and latex.count("{") == latex.count("}")


def test_level_0_gives_no_hints():
    result = graded(EX3, {"x": "15", "y": "1", "z": ""}, level=0)
    assert all(n["hint"] is None and n["hint_latex"] is None for n in result["nodes"].values())
    assert result["nodes"]["x"]["misconception"] == "missing_branch"  # diagnosis still runs


def test_level_1_nudges_with_the_branch_rule():
    x = node(EX3, {"x": "15"}, "x", level=1)
    assert x["hint"].startswith("x feeds two operations (y = x + 2 and z = x × 3); a gradient "
                                "sums over every path (the branch gate sums).")
    assert "add gate distributes" in x["hint"] and "multiply gate swaps" in x["hint"]
    assert "∂L/∂x =" not in x["hint"]


def test_level_2_gives_the_chain_rule_with_local_formulas():
    x = node(EX3, {"x": "15"}, "x", level=2)
    assert ("By the chain rule, ∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂z·∂z/∂x, with ∂y/∂x = 1 and "
            "∂z/∂x = 3.") in x["hint"]
    assert x["hint_latex"].count("\\frac{\\partial L}{\\partial x}") == 1
    assert _balanced(x["hint_latex"])
    assert "36" not in x["hint"]


def test_level_3_works_the_numbers():
    x = node(EX3, {"x": "15"}, "x", level=3)
    assert x["hint"].endswith("Here ∂y/∂x = 1 and ∂z/∂x = 3, so ∂L/∂x = 15·1 + 7·3 = 36.")
    assert "15 \\cdot 1 + 7 \\cdot 3 = 36" in x["hint_latex"]


def test_level_3_shows_local_derivative_formulas_with_numbers():
    z = node(NETWORK, {"z1": "1"}, "z1", level=3)
    assert "∂a1/∂z1 = a1·(1−a1)" in z["hint"]
    assert re.search(r"∂a1/∂z1 = 0\.6225·\(1−0\.6225\) = 0\.235", z["hint"])
    assert "a_{1}\\,(1-a_{1})" in z["hint_latex"]


@pytest.mark.parametrize("level", [1, 2])
def test_no_correct_value_below_level_3(level):
    # Example 3's answers are 36, 15, 7, 1; none of the inputs' data is 36.
    result = graded(EX3, {"x": "15", "y": "10", "z": "8", "L": "2"}, level=level)
    text = json.dumps(result, ensure_ascii=False)
    assert "36" not in text
    assert "∂L/∂L = 1" not in text


def test_single_consumer_names_the_gate_and_the_upstream_gradient():
    a = node(EX2, {"a": "4"}, "a", level=1)
    assert a["hint"] == ("a feeds one operation, c = a × b. A multiply gate swaps: each input's "
                         "local derivative is the other input's value. Multiply the upstream "
                         "gradient ∂L/∂c by the local derivative ∂c/∂a.")


def test_max_gate_hint_routes():
    a = node(MAX, {"a": "2"}, "a", level=2)
    assert "max gate routes the whole gradient to the larger input" in a["hint"]
    # a lost, so ∂L/∂a = 0; the rule's "else 0" is a term of the formula, not the answer.
    assert "∂m/∂a = 1 if a ≥ b else 0" in a["hint"]


def test_output_and_unreachable_nodes():
    result = graded("a = 2\nb = 3\nL = a * 2", {"L": "20", "b": "1"}, level=3)
    assert "is the output, where the backward pass starts" in result["nodes"]["L"]["hint"]
    assert result["nodes"]["L"]["hint"].endswith("∂L/∂L = 1")
    assert "b feeds no operation on the way to L" in result["nodes"]["b"]["hint"]
    level2 = graded("a = 2\nb = 3\nL = a * 2", {"L": "20"}, level=2)["nodes"]["L"]["hint"]
    assert "= 1" not in level2


def test_a_node_used_twice_by_one_gate():
    result = graded("x = 3\nL = x * x", {"x": "3"}, level=3)
    x = result["nodes"]["x"]
    assert "x is more than one input of L = x × x" in x["hint"]
    assert "∂L/∂x = x + x (L is the output, so a path into it is just its local derivative)" \
        in x["hint"]
    assert x["hint"].endswith("With the numbers, ∂L/∂x = 1·3 + 1·3 = 6.")
    assert x["misconception"] == "missing_branch"
    assert "counted only one path through L" in x["explanation"]
    inner = graded("x = 3\ny = x * x\nL = y * 2", {"x": "1"}, level=2)["nodes"]["x"]
    assert ("∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂y·∂y/∂x, with ∂y/∂x = x for each of its inputs."
            in inner["hint"])


def test_a_path_into_the_output_is_its_local_derivative():
    y = node(EX3, {"y": "5"}, "y", level=3)
    assert y["hint"] == ("y feeds one operation, L = y × z. A multiply gate swaps: each input's "
                         "local derivative is the other input's value. L is the output, so the "
                         "gradient of y is just this gate's local derivative. By the chain rule, "
                         "∂L/∂y = z. With the numbers, ∂L/∂y = 1·15 = 15.")


def test_upstream_carried_hint_points_at_the_origin():
    result = graded(CHAIN, {"L": "1", "f": "4", "e": "4"}, level=1)
    e = result["nodes"]["e"]
    # f's own hint would say "L = f × 3", and ∂L/∂f is 3: it names the gate, not the 3.
    assert e["hint"].startswith("Your answer for e follows from your own answer for f, and "
                                "that is where the error started: fix f first. For f: f feeds "
                                "one operation on the way to the output")
    assert "3" not in e["hint"]
    assert _balanced(e["hint_latex"])


def test_forward_value_hints():
    result = graded(EX2, {"c": "5", "e": "9", "L": "1"}, level=3, ask="data")
    c = result["nodes"]["c"]
    assert c["hint"] == ("c is computed forward from a and b: apply its operation to their "
                         "values. The forward pass computes c = a × b. With the numbers, "
                         "c = 2 × 3 = 6.")
    level2 = graded(EX2, {"c": "5"}, level=2, ask="data")["nodes"]["c"]["hint"]
    assert "6" not in level2


def test_latex_names_are_subscripted_and_escaped():
    z = node(NETWORK, {"sub_1": "5"}, "sub_1", level=2)
    assert "\\mathrm{sub}_{1}" in z["hint_latex"]
    assert _balanced(z["hint_latex"])


def test_every_hint_in_the_network_is_well_formed():
    answers = {name: "0.5" for name in ("x", "w1", "w2", "z1", "a1", "z2", "a2", "sub_1", "L")}
    for level in (1, 2, 3):
        for found in graded(NETWORK, answers, level=level)["nodes"].values():
            if found["correct"]:
                continue
            assert found["hint"] and "{" not in found["hint"], found["hint"]
            assert _balanced(found["hint_latex"])


# -- level 3 also records the formula hint (shown while the solution is hidden) -----------

FORMULA_KEYS = {"hint_formula", "hint_formula_latex"}


def test_level_3_records_the_level_2_hint_beside_the_worked_numbers():
    answers = {"x": "15", "y": "10", "z": "8", "L": "2"}
    level3 = graded(EX3, answers, level=3)["nodes"]
    level2 = graded(EX3, answers, level=2)["nodes"]
    x = level3["x"]
    assert x["hint"].endswith("so ∂L/∂x = 15·1 + 7·3 = 36.")  # the worked numbers
    assert (x["hint_formula"], x["hint_formula_latex"]) == (level2["x"]["hint"],
                                                             level2["x"]["hint_latex"])
    assert x["hint_formula"].endswith("with ∂y/∂x = 1 and ∂z/∂x = 3.")
    assert _balanced(x["hint_formula_latex"])
    for name, found in level3.items():  # every wrong node has both
        assert found["hint_formula"] == level2[name]["hint"], name
    # Example 3's correct values are 36, 15, 7, 1: none is in a formula hint.
    formulas = json.dumps({n: {k: v[k] for k in FORMULA_KEYS} for n, v in level3.items()},
                          ensure_ascii=False)
    assert not re.search(r"(?<![\d.])(36|15|7)(?![\d.])", formulas)
    assert "∂L/∂L = 1" not in formulas


@pytest.mark.parametrize("level", [0, 1, 2])
def test_below_level_3_nothing_extra_is_recorded(level):
    result = graded(EX3, {"x": "15", "y": "10", "z": "8", "L": "2"}, level=level)
    assert all(not FORMULA_KEYS & set(n) for n in result["nodes"].values())


def test_only_nodes_with_a_hint_get_a_formula_hint():
    result = graded(EX3, {"x": "36", "y": "15", "z": "8", "L": "2*("}, level=3)
    nodes = result["nodes"]
    assert nodes["z"]["hint"] and nodes["z"]["hint_formula"]
    assert not FORMULA_KEYS & set(nodes["x"])  # correct
    assert not FORMULA_KEYS & set(nodes["L"])  # unreadable: no hint at all


def test_carried_error_records_the_level_2_carried_hint():
    answers = {"L": "1", "f": "4", "e": "4"}  # f wrong, e consistent with it
    e3 = graded(CHAIN, answers, level=3)["nodes"]["e"]
    e2 = graded(CHAIN, answers, level=2)["nodes"]["e"]
    assert e3["misconception"] == "upstream_carried"
    assert e3["hint_formula"] == e2["hint"] and e3["hint_formula_latex"] == e2["hint_latex"]
    assert e3["hint_formula"].startswith("Your answer for e follows from your own answer for "
                                         "f, and that is where the error started")
    # The worked hint goes on from the formula, which here is held back (∂L/∂f = 3 would
    # be f's answer), so the two part ways after the lead-in.
    assert e3["hint"] != e3["hint_formula"] and e3["hint"].startswith(
        "Your answer for e follows from your own answer for f")


def test_forward_values_record_the_formula_hint_too():
    c = graded(EX2, {"c": "5", "e": "9", "L": "1"}, level=3, ask="data")["nodes"]["c"]
    assert c["hint"].endswith("c = 2 × 3 = 6.")
    assert c["hint_formula"] == ("c is computed forward from a and b: apply its operation to "
                                 "their values. The forward pass computes c = a × b.")


@pytest.mark.parametrize("ask", ["grad", "data"])
@pytest.mark.parametrize("program", [EX2, EX3, NETWORK, MAX, CHAIN],
                         ids=["EX2", "EX3", "NETWORK", "MAX", "CHAIN"])
def test_formula_hint_is_the_level_2_hint_wherever_level_3_gives_one(program, ask):
    answers = {name: "0.75" for name in ("a", "b", "c", "d", "e", "f", "w", "x", "y", "z",
                                         "w1", "w2", "z1", "a1", "z2", "a2", "sub_1", "m",
                                         "L")}
    level3 = graded(program, answers, level=3, ask=ask)["nodes"]
    level2 = graded(program, answers, level=2, ask=ask)["nodes"]
    for name, found in level3.items():
        assert bool(found["hint"]) == ("hint_formula" in found), name
        if found["hint"]:
            assert found["hint_formula"] == level2[name]["hint"], name
            assert found["hint_formula_latex"] == level2[name]["hint_latex"], name
            # Level 3 goes on from the formula as written; the level-2 hint is that formula
            # unless the formula alone would state the answer (grading/leaks.py).
            held_back = "on the way to the output" in found["hint_formula"] or (
                "computed forward from its inputs" in found["hint_formula"])
            assert held_back or found["hint"].startswith(found["hint_formula"] + " "), name
