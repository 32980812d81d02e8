"""An exercise's own buggy rules: read by a whitelist (never eval), worked out on the
variant's numbers, matched before the catalogue's rules."""

from __future__ import annotations

import pytest
from grading_helpers import EX2, EX3, correct_answers, line_solution, solution

from exercises.grading import AuthoredRule, GradingPolicy, RuleError, grade, prepare
from exercises.grading.authored import evaluate, parse

SIGMOID = "w = 1.5\nx = 0.8\nz = w * x\na = sigmoid(z)\nL = a * 2"
Z_FOR_SIGMA = AuthoredRule("z", "upstream * data(z)", "z_for_sigma",
                           "You multiplied by z where σ′(z) belongs.")


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "data(z).real", "lambda: 1", "[1, 2]", "x if 1 else 2",
    "2 ** 99", "2 ** data(z)", "open('f')", "data('z')", "data(z, z)", "'text'", "True + 1",
    "data(z) @ 2", "a < b", "", "   ", "1 +", "9" * 201, "+".join(["1"] * 80),
    "sigmoid(x=1)", "f(1)",
])
def test_the_whitelist_refuses_anything_but_arithmetic_of_values(text):
    with pytest.raises(RuleError):
        parse(text)


def test_values_come_from_the_variant():
    solved = prepare(solution(SIGMOID))
    z, upstream = solved.data[solved.index["z"]], solved.grad[solved.index["a"]]
    assert evaluate(Z_FOR_SIGMA, solved) == pytest.approx(upstream * z)
    assert evaluate(AuthoredRule("z", "local", "c", ""), solved) == pytest.approx(
        solved.local[solved.index["a"]][0])
    assert evaluate(AuthoredRule("w", "-grad(z) * data(x) + sigmoid(0) ** 2", "c", ""),
                    solved) == pytest.approx(-solved.grad[solved.index["z"]] * 0.8 + 0.25)


@pytest.mark.parametrize("rule, message", [
    (AuthoredRule("q", "1", "c", ""), "not an input or a line"),
    (AuthoredRule("w", "data(L)", "c", ""), "not a neighbour of w"),
    (AuthoredRule("w", "data(nope)", "c", ""), "unknown name 'nope'"),
    (AuthoredRule("w", "eta", "c", ""), "no learning rate"),
    (AuthoredRule("w", "speed * 2", "c", ""), "unknown name 'speed'"),
    (AuthoredRule("z", "1 / (data(w) - 1.5)", "c", ""), "cannot be computed"),
])
def test_rules_that_do_not_fit_the_graph_say_why(rule, message):
    with pytest.raises(RuleError, match=message):
        evaluate(rule, prepare(solution(SIGMOID)))


def test_upstream_needs_one_consumer():
    with pytest.raises(RuleError, match="several lines read x"):
        evaluate(AuthoredRule("x", "upstream", "c", ""), prepare(solution(EX3)))


def test_codes_are_plain_names():
    for bad in ("Upper", "1st", "has space", "x" * 41, ""):
        with pytest.raises(RuleError, match="code"):
            AuthoredRule.from_dict({"node": "z", "expression": "1", "code": bad})
    assert AuthoredRule.from_dict(Z_FOR_SIGMA.as_dict()) == Z_FOR_SIGMA


@pytest.mark.parametrize("form", [solution, line_solution])
def test_an_authored_rule_names_its_code_and_message(form):
    stored = form(SIGMOID)
    solved = prepare(stored)
    typed = solved.grad[solved.index["a"]] * solved.data[solved.index["z"]]
    answers = {**{n["name"]: n["grad_exact"] for n in stored["nodes"] if n["kind"] != "const"},
               "z": repr(typed)}
    node = grade(stored, answers, GradingPolicy(hint_level=1), rules=[Z_FOR_SIGMA])["nodes"]["z"]
    assert (node["misconception"], node["rule"]) == ("authored", "z_for_sigma")
    assert node["explanation"].startswith("You multiplied by z where σ′(z) belongs.")
    without = grade(stored, answers)["nodes"]["z"]
    assert without["misconception"] != "authored" and without["rule"] is None


def test_an_authored_rule_outranks_a_built_in_one_it_coincides_with():
    # EX2: ∂L/∂a = 6; "own value" gives ∂L/∂c · a = 4, and so does this rule.
    rule = AuthoredRule("a", "upstream * data(a)", "swap_forgotten", "Swap at the multiply.")
    answers = {**correct_answers(EX2), "a": "4"}
    node = grade(solution(EX2), answers, rules=[rule])["nodes"]["a"]
    assert (node["misconception"], node["rule"], node["ambiguous"]) == ("authored",
                                                                        "swap_forgotten", True)
    assert "own_value" in node["also"]


def test_a_rule_that_cannot_be_worked_out_on_a_variant_is_skipped():
    rule = AuthoredRule("a", "1 / (data(a) - 2)", "never", "")  # a = 2: division by zero
    result = grade(solution(EX2), {**correct_answers(EX2), "a": "5"}, rules=[rule])
    assert result["valid"] is True and result["nodes"]["a"]["rule"] is None
