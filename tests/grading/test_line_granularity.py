"""Grading at line granularity: the stored solution's line nodes are read, graded and
explained in the program's own names — never an inner gate's automatic name (mul_1, sub_1,
const_2), which the learner never wrote."""

from __future__ import annotations

import re

import pytest
from grading_helpers import CHAIN, EX3, NETWORK, POWER, QUOTIENT, RELU

from exercises.engine import solve_text
from exercises.grading import GradingPolicy, grade, prepare

PROGRAMS = [EX3, NETWORK, POWER, QUOTIENT, RELU, CHAIN,
            "x = 3\ny = x * x + x\nL = (y - 2) ** 2 * x",
            "w = 0.5\nb = -1\nx = 2\nL = sigmoid(w * x + b) * tanh(x - w)",
            # the diagnosis tests' lines: a slip inside them is named in the program's words
            "t = 1\no = 0.25\nE = 0.5 * (t - o) ** 2", "c3 = 1\nd3 = 4\nL = (c3 - d3) * 2",
            "x = 1\nL = x * -1 * 3", "a = 3.0\nb = a + a\nL = b * 2",
            "x1 = 2\nw1 = -3\nb = 6.8813735870195432\no = tanh(x1 * w1 + b)"]


def not_in_program(program: str) -> set[str]:
    lines = {n for n in solve_text(program).names}
    return set(solve_text(program, granularity="gate").names) - lines


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("ask", ["grad", "data"])
def test_no_hint_or_explanation_names_a_node_not_in_the_program(program, ask):
    solution = solve_text(program).to_solution()
    hidden = not_in_program(program)
    assert hidden  # each program has inner gates at gate granularity
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(hidden))) + r")\b")
    field = "grad" if ask == "grad" else "data"
    nodes = [n for n in solution["nodes"]
             if n["kind"] == "op" or (ask == "grad" and n["kind"] == "input")]
    for node in nodes:
        for wrong in (node[field] * 3 + 0.5, -node[field], 0.0, node["data"]):
            answers = {n["name"]: repr(n[field]) for n in nodes}
            answers[node["name"]] = repr(wrong)
            for level in (1, 2, 3):
                result = grade(solution, answers, GradingPolicy(hint_level=level), ask=ask)
                for key in ("hint", "hint_latex", "explanation", "explanation_latex"):
                    text = result["nodes"][node["name"]].get(key) or ""
                    assert not pattern.search(text), (node["name"], key, text)


def test_line_nodes_are_read_with_their_gates():
    solved = prepare(solve_text(NETWORK).to_solution())
    z1, L = solved.index["z1"], solved.index["L"]
    assert solved.ops[z1].name == "expr" and solved.expressions[z1][0] == "w1 * x"
    assert [g.op.name for g in solved.gates[L]] == ["sub", "pow"]
    assert solved.gates[solved.index["x"]] is None
    assert solved.local[L][0] == solved.gates[L][1].local[0] * solved.gates[L][0].local[0]


def test_a_line_hint_shows_the_lines_expression_and_local_formula():
    solution = solve_text(NETWORK).to_solution()
    grads = {n["name"]: n["grad"] for n in solution["nodes"] if n["kind"] != "const"}
    wrong = dict(grads, a2=grads["a2"] * 3)
    hint = grade(solution, wrong, GradingPolicy(hint_level=2))["nodes"]["a2"]["hint"]
    assert "L = (a2 − 1)^2" in hint and "2·(a2 − 1)" in hint
    right = grade(solution, {k: repr(v) for k, v in grads.items()})
    assert right["score"] == 1
