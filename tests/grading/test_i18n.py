"""The grader's prose in German (issue #17): hints and misconception texts are translated
whole sentences, a hint is cached per language, and the gate rules the catalogue lists are
the registry's own."""

from __future__ import annotations

import pytest
from django.utils import translation
from grading_helpers import EX3, graded, node, solution

from exercises.engine.ops import REGISTRY
from exercises.grading import grade
from exercises.grading.gate_rules import GATE_RULES
from exercises.grading.policy import GradingPolicy
from exercises.grading.solution import read_solution


def x_wrong(level: int = 2) -> dict:
    return node(EX3, {"x": "15"}, "x", level=level)


def test_a_missing_branch_in_german():
    english = x_wrong()
    with translation.override("de"):
        german = x_wrong()
    assert english["misconception"] == german["misconception"] == "missing_branch"
    assert english["explanation"].startswith("You added only the path through y")
    assert german["explanation"] == ("Sie haben nur den Pfad über y addiert — x geht auch in z "
                                     "ein, und ein Gradient summiert über alle Pfade.")
    assert german["hint"].startswith("x geht in zwei Operationen ein (y = x + 2 und z = x × 3)")
    assert "Nach der Kettenregel gilt ∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂z·∂z/∂x" in german["hint"]
    assert "ein Additionsgatter verteilt" not in german["hint"]  # sentences start upper case
    assert "Ein Additionsgatter verteilt" in german["hint"]
    # the maths is the same maths: only the words around it change
    assert german["hint_latex"].count("\\(") == english["hint_latex"].count("\\(")


def test_every_level_and_the_forward_pass_in_german():
    with translation.override("de"):
        numbers = x_wrong(level=3)
        data = node(EX3, {"z": "16"}, "z", ask="data", level=3)
    assert "Hier ist" in numbers["hint"] and "also ∂L/∂x" in numbers["hint"]
    assert data["hint"].startswith("z wird vorwärts aus x und 3 berechnet")
    assert "Mit den Zahlen: z = 5 × 3 = 15." in data["hint"]


def test_a_hint_is_cached_per_language():
    """One prepared solution graded for an English and then a German learner."""
    solved = read_solution(solution(EX3))
    policy = GradingPolicy(hint_level=2)
    answers = {"L": "1", "y": "15", "z": "7", "x": "15"}
    english = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    with translation.override("de"):
        german = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    again = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    assert german != english and again == english


def test_english_is_unchanged_without_a_language():
    with translation.override(None):
        result = graded(EX3, {"L": "1", "y": "15", "z": "7", "x": "15"})
    assert "You added only the path through y" in result["nodes"]["x"]["explanation"]


@pytest.mark.parametrize("rule", GATE_RULES)
def test_the_listed_gate_rules_are_the_registrys(rule):
    assert rule in {op.gate for op in REGISTRY.values()}


def test_a_slip_inside_a_line_in_german():
    from grading_helpers import node_at

    with translation.override("de"):
        half = node_at("t = 1\no = 0.25\nE = 0.5 * (t - o) ** 2", {"o": "-1.5"}, "o")
        sign = node_at("c3 = 1\nd3 = 4\nL = (c3 - d3) * 2", {"d3": "2"}, "d3")
    assert half["explanation"].startswith("Bei E = 0.5·(t − o)^2 multipliziert die Konstante "
                                          "0.5 den Term (t − o)^2")
    assert "Ihre Eingabe -1.5" in half["explanation"]
    # the line quoted in German word order still counts as a quote, not as a leak
    assert sign["misconception"] == "sign"
    assert sign["explanation"].startswith("Bei L = (c3 − d3)·2 (bei c3 − d3)")
