"""Hints that are the answer (issue #11): below level 3, over every node of every demo
exercise and every kind of wrong answer, no hint or explanation states the node's correct
value to the shown precision, nor names a single factor whose value on the graph equals it.
Pure Python: the demo programs through the engine and the grader, no database."""

from __future__ import annotations

import math
import re

import pytest

from exercises.demo import SEED_EXAMPLES, read
from exercises.engine import solve_text
from exercises.engine.generator import generate
from exercises.grading import grade, prepare

PROGRAMS = [(slug, read(program or mermaid)) for slug, _t, program, mermaid, *_ in
            SEED_EXAMPLES] + [(f"generated-{d}", generate(d, seed=1)) for d in range(1, 6)]
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


def trivial(truth: float) -> bool:
    return any(math.isclose(abs(truth), v, rel_tol=5e-4, abs_tol=1e-9) for v in (0.0, 1.0))


def shown_numbers(text: str, truth: float) -> list[float]:
    """The numbers a text states. A 0 or 1 that is a term of a rule's formula (1 − σ,
    "else 0") states nothing; "= 1" does."""
    found = []
    for m in NUMBER.finditer(text):
        if trivial(truth) and not text[:m.start()].rstrip().endswith("="):
            continue
        found.append(float(m.group()))
    return found


def named_as_value(text: str, label: str, stated_only: bool) -> bool:
    """The label used as a value (a factor), not inside ∂label; a one-letter label only
    next to a maths symbol (it is also an English word). `stated_only` (the answer is 0
    or ±1, like half the factors in any rule): only as "= label"."""
    for m in re.finditer(rf"(?<!\w){re.escape(label)}(?!\w)", text):
        before, after = text[:m.start()].rstrip(), text[m.end():].lstrip()
        if before.endswith("∂") or (stated_only and not before.endswith("=")):
            continue
        if len(label) > 1 or before[-1:] in "=×·+−-/(,*" or after[:1] in "=×·+−-/),*²":
            return True
    return False


def factor_names(solution: dict, name: str, ask: str) -> set[str]:
    """The nodes whose values are factors of `name`'s answer: for a gradient, the other
    inputs of each op it feeds, and the op itself where its slope is written with its own
    output (exp, σ, tanh, √); for a forward value, its inputs."""
    nodes = {n["name"]: n for n in solution["nodes"]}
    if ask != "grad":
        return set(nodes[name]["inputs"]) - {name}
    found = set()
    for n in solution["nodes"]:
        if name in n["inputs"]:
            found |= set(n["inputs"])
            if n["op"] in ("exp", "sigmoid", "tanh", "sqrt"):
                found.add(n["name"])
    return found - {name}


def wrong_answers(truth: float, data: float) -> list[float]:
    """The answers learners type: off by one, the sign, half, double, the node's data."""
    return [truth + 1, -truth, truth / 2 if truth else 3.0, 2 * truth if truth else 5.0,
            data, 0.0]


@pytest.mark.parametrize("slug,program", PROGRAMS, ids=[p[0] for p in PROGRAMS])
@pytest.mark.parametrize("level", [0, 1, 2])
@pytest.mark.parametrize("ask", ["grad", "data"])
def test_no_hint_below_level_3_pins_the_answer(slug, program, level, ask):
    solution = solve_text(program).to_solution()
    solved = prepare(solution)
    labels = {n["name"]: n for n in solution["nodes"]}
    asked = [n["name"] for n in solution["nodes"]
             if n["kind"] != "const" and (ask == "grad" or n["kind"] == "op")]
    truth_of = {n["name"]: (n["grad"] if ask == "grad" else n["data"])
                for n in solution["nodes"]}
    right = {name: truth_of[name] for name in asked}
    for name in asked:
        truth = truth_of[name]
        for wrong in wrong_answers(truth, labels[name]["data"]):
            if math.isclose(wrong, truth, rel_tol=1e-2, abs_tol=1e-6):
                continue
            result = grade(solved, {**right, name: wrong}, {"hint_level": level},
                           asked=asked, ask=ask)
            node = result["nodes"][name]
            for key in ("hint", "explanation", "hint_formula"):
                text = node.get(key) or ""
                if level == 0 and key == "hint":
                    assert not text
                for shown in shown_numbers(text, truth):
                    assert not math.isclose(shown, abs(truth), rel_tol=5e-4, abs_tol=1e-9), (
                        name, key, text)
                for other in factor_names(solution, name, ask):
                    info = labels[other]
                    if info["kind"] == "const":
                        continue
                    if math.isclose(abs(info["data"]), abs(truth), rel_tol=5e-4,
                                    abs_tol=1e-9):
                        assert not named_as_value(text, other, trivial(truth)), (
                            name, key, other, text)
