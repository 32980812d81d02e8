"""How often the catalogue names the right mistake on material we did not write.

tests/grading/corpus/outside.jsonl holds one-mistake answers to published worked examples
(CS231n, micrograd / Zero to Hero, Mazur's step-by-step network, colah, d2l), each citing
its source. The expected code is what the mistake *is* (written down with the mistake, from
the example's own published numbers: corpus/build.py), never what our rules output. Every
other node is answered right; the node is graded at hint level 1.

Run `pytest tests/grading/test_outside_corpus.py -s` for the report.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from grading_helpers import solution
from line_form import line_solution

from exercises.grading import GradingPolicy, grade

CORPUS = Path(__file__).parent / "corpus" / "outside.jsonl"
TARGET = 0.90


def cases() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def diagnosed(case: dict) -> dict:
    form = line_solution if case["granularity"] == "line" else solution
    stored = form(case["program"])
    answers = {n["name"]: n["grad_exact"] for n in stored["nodes"] if n["kind"] != "const"}
    answers[case["node"]] = case["answer"]
    result = grade(stored, answers, GradingPolicy(hint_level=1),
                   learning_rate=case.get("learning_rate"))
    return result["nodes"][case["node"]]


def test_the_corpus_is_one_mistake_answers_with_sources():
    seen = cases()
    assert len(seen) >= 50
    for case in seen:
        assert case["url"].startswith("https://") and case["source"] and case["mistake"]
        node = diagnosed(case)
        assert node["correct"] is False, case["id"]  # a mistake, not a right answer


def test_share_of_right_codes_at_hint_level_1():
    seen = cases()
    right, misses = 0, []
    by_source: Counter = Counter()
    totals: Counter = Counter()
    for case in seen:
        node = diagnosed(case)
        source = case["source"].split(":")[0]
        totals[source] += 1
        if node["misconception"] == case["expected"]:
            right += 1
            by_source[source] += 1
        else:
            misses.append((case["id"], case["expected"], node["misconception"],
                           case["mistake"]))
    share = right / len(seen)
    print(f"\noutside corpus: {right}/{len(seen)} = {share:.1%} right codes at hint level 1")
    for source in totals:
        print(f"  {source}: {by_source[source]}/{totals[source]}")
    for miss in misses:
        print("  miss:", *miss)
    assert share >= TARGET, misses


@pytest.mark.parametrize("case", [c for c in cases() if c["expected"] in (
    "tanh_argument", "dropped_constant", "update_for_grad")], ids=lambda c: c["id"])
def test_explanations_use_the_programs_names(case):
    node = diagnosed(case)
    assert node["explanation"]
    for auto in ("mul_", "add_", "sub_", "pow_", "const_"):
        if case["granularity"] == "line":
            assert auto not in node["explanation"], (case["id"], node["explanation"])
