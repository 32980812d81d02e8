"""How often the catalogue names the right mistake on material we did not write.

tests/grading/corpus/outside.jsonl holds one-mistake answers to published worked examples
(CS231n, micrograd / Zero to Hero, Mazur's step-by-step network, colah, d2l), each citing
its source. The expected code is what the mistake *is* (written down with the mistake, from
the example's own published numbers: corpus/build.py), never what our rules output. Every
other node is answered right; the node is graded at hint level 1.

Each case is graded at both granularities, on the graph the product builds from the
program (the engine's line nodes, or its gates), wherever the case's node is one of that
graph's nodes and the case does not say `only` one. The README reports both figures.

Run `pytest tests/grading/test_outside_corpus.py -s` for the report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from corpus_harness import GRANULARITIES, grade_case, load

CORPUS = Path(__file__).parent / "corpus" / "outside.jsonl"
TARGET = 0.90


def cases() -> list[dict]:
    return load(CORPUS)


def graded_at(granularity: str) -> list[tuple[dict, dict]]:
    """(case, its node's result) for every case that applies at this granularity."""
    found = []
    for case in cases():
        if case.get("only", granularity) != granularity:
            continue
        node = grade_case(case, granularity)
        if node is not None:  # an auto-named gate node (pow_1): gate granularity only
            found.append((case, node))
    return found


def test_the_corpus_is_one_mistake_answers_with_sources():
    seen = cases()
    assert len(seen) >= 50
    for case in seen:
        assert case["url"].startswith("https://") and case["source"] and case["mistake"]
        assert case.get("only") in (None, *GRANULARITIES) and (
            "only" not in case or case["why"]), case["id"]
    for granularity in GRANULARITIES:
        graded = graded_at(granularity)
        for case, node in graded:
            assert node["correct"] is False, (granularity, case["id"])  # a mistake
    # every case is measured somewhere, and all but a handful at both granularities
    ids = {g: {case["id"] for case, _ in graded_at(g)} for g in GRANULARITIES}
    assert ids["gate"] | ids["line"] == {case["id"] for case in seen}
    assert len(ids["gate"] & ids["line"]) >= len(seen) - 3


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_share_of_right_codes_at_hint_level_1(granularity):
    graded = graded_at(granularity)
    right, misses = 0, []
    by_source: Counter = Counter()
    totals: Counter = Counter()
    for case, node in graded:
        source = case["source"].split(":")[0]
        totals[source] += 1
        if node["misconception"] == case["expected"]:
            right += 1
            by_source[source] += 1
        else:
            misses.append((case["id"], case["expected"], node["misconception"],
                           case["mistake"]))
    share = right / len(graded)
    print(f"\noutside corpus at {granularity} granularity: {right}/{len(graded)} = "
          f"{share:.1%} right codes at hint level 1")
    for source in totals:
        print(f"  {source}: {by_source[source]}/{totals[source]}")
    for miss in misses:
        print("  miss:", *miss)
    assert share >= TARGET, misses


def test_the_readme_reports_what_this_test_measures():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    readme = " ".join(readme.replace("**", "").split())  # (as it reads: no bold, no wraps)
    for granularity in GRANULARITIES:
        graded = graded_at(granularity)
        right = sum(node["misconception"] == case["expected"] for case, node in graded)
        figure = f"{right}/{len(graded)}"
        assert f"{figure} at {granularity} granularity" in readme, (granularity, figure)


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_explanations_use_the_programs_names(granularity):
    # At line granularity the learner never sees an inner gate's automatic name.
    for case, node in graded_at(granularity):
        if case["expected"] not in ("tanh_argument", "dropped_constant", "update_for_grad",
                                    "sigmoid_argument", "activation_formula",
                                    "activation_skipped", "power_rule", "own_value", "sign"):
            continue
        assert node["explanation"], (granularity, case["id"])
        if granularity == "line":
            for auto in ("mul_", "add_", "sub_", "pow_", "const_", "neg_"):
                assert auto not in node["explanation"], (case["id"], node["explanation"])
