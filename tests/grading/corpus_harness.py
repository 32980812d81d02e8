"""Grading a corpus of one-mistake answers the way the product grades a submission.

Shared by the outside-corpus and held-out-corpus tests (a plain module, not a conftest:
test modules import it by name). A case is one JSON line: a program, a node, the answer a
learner typed there, and the code that names the mistake (`expected`; "none" where no code
in the catalogue describes it). Every other node is answered right, from the stored solution
the product builds from the program, and the node is graded at hint level 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from grading_helpers import at

from exercises.grading import GradingPolicy, grade

GRANULARITIES = ("gate", "line")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def expected_code(case: dict) -> str | None:
    """The code the case expects: "none" in the file is a `null` misconception."""
    return None if case["expected"] == "none" else case["expected"]


def grade_case(case: dict, granularity: str) -> dict | None:
    """The case's node's result at this granularity, or None when the node is not one of
    that graph's nodes (an auto-named gate node such as pow_1 exists at gate granularity
    only)."""
    stored = at(granularity)(case["program"])
    answers = {n["name"]: n["grad_exact"] for n in stored["nodes"] if n["kind"] != "const"}
    if case["node"] not in answers:
        return None
    answers[case["node"]] = case["answer"]
    result = grade(stored, answers, GradingPolicy(hint_level=1),
                   learning_rate=case.get("learning_rate"))
    return result["nodes"][case["node"]]


def score(graded: list[tuple[dict, dict]]) -> tuple[int, list[tuple[str, str, str | None, str]]]:
    """How many cases got their expected code, and the misses as
    (id, expected, actual, mistake)."""
    right, misses = 0, []
    for case, node in graded:
        if node["misconception"] == expected_code(case):
            right += 1
        else:
            misses.append((case["id"], case["expected"], node["misconception"],
                           case["mistake"]))
    return right, misses
