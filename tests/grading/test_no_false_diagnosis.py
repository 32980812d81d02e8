"""No rule ever fires on a correct answer: the catalogue's invariant, at both granularities
(the engine's gates, and its own line nodes — programs with lines of several gates among
them, so slips inside a line are tried), whatever the learner typed elsewhere."""

from __future__ import annotations

import random

from grading_helpers import line_solution, random_program, solution
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.grading import GradingPolicy, Tolerance, grade, prepare
from exercises.grading.followthrough import follow_through
from exercises.grading.misconceptions import _matches
from exercises.grading.nodes import _site

WRONG = st.lists(st.sampled_from([0.0, -1.0, 2.0, 0.5, 3.0]), min_size=12, max_size=12)


def _mixed(solved, wrong) -> dict[int, float]:
    """Every third answer wrong (by a factor, or 0), so the learner's own upstream gradients
    are wrong too and the own-upstream retry runs."""
    asked = solved.default_asked("grad")
    return {i: solved.grad[i] * wrong[k % len(wrong)] if k % 3 == 0 else solved.grad[i]
            for k, i in enumerate(asked)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10 ** 6), statements=st.integers(1, 7),
       jitter=st.floats(-0.009, 0.009), eta=st.sampled_from([None, 0.1, 0.5, 1.0]),
       wrong=WRONG, composite=st.booleans())
def test_no_rule_fires_on_a_correct_answer(seed, statements, jitter, eta, wrong, composite):
    program = random_program(random.Random(seed), statements, composite)
    for stored in (solution(program), line_solution(program)):
        solved = prepare(stored)
        answers = _mixed(solved, wrong)
        for i in answers:
            mine = {**answers, i: solved.grad[i] * (1 + jitter)}  # within the 1 % tolerance
            result = grade(solved, {solved.names[j]: repr(v) for j, v in mine.items()},
                           GradingPolicy(hint_level=1), learning_rate=eta)
            node = result["nodes"][solved.names[i]]
            assert node["correct"] and node["misconception"] is None, (program, node)
            assert node["also"] == [] and node["ambiguous"] is False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10 ** 6), statements=st.integers(1, 7),
       eta=st.sampled_from([None, 0.1, 0.5, 1.0]), wrong=WRONG, composite=st.booleans())
def test_no_candidate_is_the_right_answer(seed, statements, eta, wrong, composite):
    # Below diagnose()'s own guard: every rule's candidates skip the right number itself.
    program = random_program(random.Random(seed), statements, composite)
    tol = Tolerance()
    for stored in (solution(program), line_solution(program)):
        solved = prepare(stored)
        answers = _mixed(solved, wrong)
        for i in answers:
            truth = solved.grad[i]
            ft = follow_through(solved, {**answers, i: truth}, tol)
            for own in (False, True):
                site = _site(solved, i, "grad", truth, ft, own=own, eta=eta)
                if site is not None:
                    assert _matches(truth, site, tol) == [], (program, solved.names[i])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10 ** 6), statements=st.integers(1, 6), composite=st.booleans())
def test_no_rule_fires_on_a_correct_forward_value(seed, statements, composite):
    program = random_program(random.Random(seed), statements, composite)
    tol = Tolerance()
    for stored in (solution(program), line_solution(program)):
        solved = prepare(stored)
        answers = {i: solved.data[i] for i in solved.default_asked("data")}
        ft = follow_through(solved, answers, tol, "data")
        for i in answers:
            site = _site(solved, i, "data", solved.data[i], ft, own=False)
            assert _matches(solved.data[i], site, tol) == []
