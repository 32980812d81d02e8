"""Item analysis against a fixture computed by hand (here: independently, with the
statistics module and Moodle's formulas written out, never with the SQL under test):
10 learners, 3 items, every figure to 4 decimals, Cronbach's α included."""

from __future__ import annotations

import math
import statistics as st

import pytest

from exercises import accommodations, overrides, services
from exercises.models import Attempt, Quiz, QuizItem, Submission
from exercises.statistics import quiz_statistics

from .helpers import make_user

BRANCH = "x = 5\ny = x + 2\nz = x * 3\nL = y * z\n"  # grads: x 36, y 15, z 7, L 1
SQUARE = "x = 3\nf = x ** 2\n"  # grads: x 6, f 1
PRODUCT = "a = 2\nb = 4\nc = a * b\n"  # grads: a 4, b 2, c 1

RIGHT = [{"x": "36", "y": "15", "z": "7", "L": "1"}, {"x": "6", "f": "1"},
         {"a": "4", "b": "2", "c": "1"}]


def answers(item: int, wrong: tuple[str, ...]) -> dict:
    given = dict(RIGHT[item])
    for name in wrong:
        given[name] = "999"
    return given


# Per learner and item, the submissions in order, each as the nodes answered wrong
# (None: not attempted). Scores: item 1 in quarters, item 2 in halves, item 3 in thirds.
PLAN = [
    [[()], [()], [()]],                                  # 1, 1, 1
    [[("x",), ()], [()], [("c",)]],                      # 1 (second try), 1, 2/3
    [[("x",)], [("f",)], [()]],                          # 3/4, 1/2, 1
    [[("x", "y")], [()], [("a", "c")]],                  # 1/2, 1, 1/3
    [[("x",), ("x",)], [("x",), ()], None],              # 3/4, 1 (second try), 0
    [[("x", "y", "z")], [("x", "f")], [("a",)]],         # 1/4, 0, 2/3
    [[("x", "y", "z", "L")], [("f",)], [("a", "b", "c")]],  # 0, 1/2, 0
    [[()], None, [()]],                                  # 1, 0, 1
    [[("y",)], [("x", "f"), ("x", "f")], [("b",)]],      # 3/4, 0, 2/3
    [[("z", "L")], [("x",)], None],                      # 1/2, 1/2, 0
]
POINTS = [1.0, 2.0, 1.0]


def make_analysed_quiz(course, instructor, title: str = "Analysed", retry_penalty: float = 0.0,
                       learner_prefix: str = "learner"):
    """The PLAN's quiz, answered through the submission path."""
    quiz = Quiz.objects.create(course=course, title=title, retry_penalty=retry_penalty)
    items = []
    for number, (program, points) in enumerate(zip((BRANCH, SQUARE, PRODUCT), POINTS,
                                                   strict=True), start=1):
        exercise = services.create_exercise(title=f"item {number}", program=program,
                                            course=course, author=instructor)
        items.append(QuizItem.objects.create(quiz=quiz, exercise=exercise, position=number,
                                             points=points))
    for number, plan in enumerate(PLAN):
        learner = make_user(f"{learner_prefix}{number:02d}")
        course.learners.add(learner)
        for item_number, tries in enumerate(plan):
            if tries is None:
                continue
            attempt, _ = services.start_attempt(learner, item=items[item_number])
            for wrong in tries:
                services.submit(attempt, answers(item_number, wrong))
    return quiz, items


@pytest.fixture
def analysed_quiz(course, instructor):
    quiz, items = make_analysed_quiz(course, instructor)
    course.learners.add(make_user("never-started"))  # no graded submission: not counted
    return quiz, items


def expected_scores() -> list[list[float]]:
    """The plan's scores, as the grader stores them (to 4 decimals: 2/3 is 0.6667)."""
    sizes = [4, 2, 3]
    return [[0.0 if tries is None else max(round((sizes[i] - len(w)) / sizes[i], 4)
                                           for w in tries)
             for i, tries in enumerate(plan)] for plan in PLAN]


def moodle_item(scores: list[list[float]], i: int) -> dict:
    """Moodle's quiz statistics for item i, from the definitions."""
    x = [row[i] for row in scores]
    rest = [sum(POINTS[j] * row[j] for j in range(3) if j != i) for row in scores]
    n = len(x)
    cov = st.covariance(x, rest)
    cov_max = st.covariance(sorted(x), sorted(rest))
    totals = [sum(POINTS[j] * row[j] for j in range(3)) for row in scores]
    g = max(1, math.floor(0.27 * n + 0.5))
    order = sorted(range(n), key=lambda k: (-totals[k], k))  # learners in creation order
    upper = [x[k] for k in order[:g]]
    lower = [x[k] for k in order[-g:]]
    return {"n": n, "facility": st.mean(x), "sd": st.stdev(x),
            "discrimination_index": 100 * st.correlation(x, rest),
            "discrimination_efficiency": 100 * cov / cov_max,
            "discrimination_27": st.mean(upper) - st.mean(lower)}


def test_scores_are_what_the_plan_says(analysed_quiz):
    quiz, items = analysed_quiz
    learners = sorted({a.learner_id for a in Attempt.objects.filter(item__quiz=quiz)})
    got = [[Attempt.objects.filter(learner_id=who, item=item).values_list(
        "best_score", flat=True).first() or 0.0 for item in items] for who in learners]
    assert got == expected_scores()


def test_item_figures_to_four_decimals(analysed_quiz):
    quiz, items = analysed_quiz
    found = quiz_statistics(quiz)
    scores = expected_scores()
    assert found["learners"] == 10
    for i, row in enumerate(found["items"]):
        assert row["item"] == items[i].pk
        want = moodle_item(scores, i)
        for key, value in want.items():
            assert round(row[key], 4) == round(value, 4), (i, key)
    # Spot checks worked on paper: item 1's facility (6.5 / 10) and item 2 (5.5 / 10).
    assert round(found["items"][0]["facility"], 4) == 0.65
    assert round(found["items"][1]["facility"], 4) == 0.55


def test_cronbach_alpha_to_four_decimals(analysed_quiz):
    quiz, _items = analysed_quiz
    scores = expected_scores()
    marks = [[POINTS[j] * row[j] for j in range(3)] for row in scores]
    item_vars = sum(st.variance([row[j] for row in marks]) for j in range(3))
    total_var = st.variance([sum(row) for row in marks])
    alpha = 3 / 2 * (1 - item_vars / total_var)
    assert round(quiz_statistics(quiz)["cronbach_alpha"], 4) == round(alpha, 4)


def test_node_shares_on_the_first_and_the_best_attempt(analysed_quiz):
    quiz, _items = analysed_quiz
    nodes = quiz_statistics(quiz)["items"][0]["nodes"]
    # item 1: 10 learners; x wrong first for learners 1, 2, 3, 4, 5, 6 (6 of 10), and
    # learner 1 fixed it on the second try: best wrong for 5 of 10.
    assert nodes["x"] == {"first_correct": pytest.approx(0.4), "best_correct": pytest.approx(0.5)}
    assert nodes["L"] == {"first_correct": pytest.approx(0.8), "best_correct": pytest.approx(0.8)}
    square = quiz_statistics(quiz)["items"][1]["nodes"]
    # item 2: 9 learners tried; x wrong first for 4, 5, 8, 9, best wrong for 5, 8, 9.
    assert square["x"]["first_correct"] == pytest.approx(5 / 9)
    assert square["x"]["best_correct"] == pytest.approx(6 / 9)


def test_misconceptions_count_every_graded_submission(analysed_quiz):
    quiz, items = analysed_quiz
    found = quiz_statistics(quiz)["items"]
    for item, row in zip(items, found, strict=True):
        counted: dict[str, int] = {}
        for submission in Submission.objects.filter(attempt__item=item, counted=True):
            for node in submission.result["nodes"].values():
                code = node.get("misconception")
                if code and not node.get("ambiguous"):
                    counted[code] = counted.get(code, 0) + 1
        assert row["misconceptions"] == counted
    # Learner 1's first-try mistake at x, fixed on the second, still counts.
    assert sum(found[0]["misconceptions"].values()) >= 1


def test_an_override_counts_as_the_learners_score(analysed_quiz, instructor):
    quiz, items = analysed_quiz
    attempt = Attempt.objects.get(learner__username="learner06", item=items[0])
    overrides.override_score(attempt, score=1.0, reason="regraded by hand",
                             actor=accommodations.Actor.of(instructor))
    scores = expected_scores()
    scores[6][0] = 1.0
    assert round(quiz_statistics(quiz)["items"][0]["facility"], 4) == round(
        st.mean(row[0] for row in scores), 4)


def test_an_empty_quiz(quiz):
    found = quiz_statistics(quiz)
    assert found["learners"] == 0 and found["cronbach_alpha"] is None
    assert found["items"][0]["facility"] is None and found["items"][0]["n"] == 0


def test_the_admin_page(client, analysed_quiz, instructor, other_instructor):
    from django.urls import reverse

    quiz, items = analysed_quiz
    url = reverse("admin:exercises_quiz_statistics", args=[quiz.pk])
    client.force_login(instructor)
    response = client.get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["item"] for row in rows] == items and rows[0]["facility"] == "65%"
    assert response.context["alpha"] == f"{quiz_statistics(quiz)['cronbach_alpha']:.4f}".rstrip(
        "0").rstrip(".")
    client.force_login(other_instructor)
    assert client.get(url).status_code == 404


def test_kept_figures_are_made_again_only_where_something_changed(analysed_quiz):
    """The figures are kept (exercises.statistics: under a version of each item's
    attempts): read again, no submission is read; after a submission, the figures follow
    it, and only its item's marks are read again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quiz, items = analysed_quiz
    first = quiz_statistics(quiz)
    with CaptureQueriesContext(connection) as read:
        assert quiz_statistics(quiz) == first
    assert not any("exercises_submission" in q["sql"] for q in read.captured_queries)
    newcomer = Attempt.objects.get(learner__username="learner07", item=items[0]).learner
    attempt, _ = services.start_attempt(newcomer, item=items[1])  # learner07 skipped it
    services.submit(attempt, answers(1, ()))
    with CaptureQueriesContext(connection) as read:
        after = quiz_statistics(quiz)
    marks_read = [q["sql"] for q in read.captured_queries if "exercises_submission" in q["sql"]]
    assert len(marks_read) == 1 and f"a.item_id IN ({items[1].pk})" in marks_read[0]
    assert after["items"][1]["facility"] == pytest.approx(first["items"][1]["facility"] + 0.1)
    assert after["items"][1]["nodes"]["f"]["first_correct"] == pytest.approx(6 / 10)
    assert first["items"][1]["nodes"]["f"]["first_correct"] == pytest.approx(5 / 9)
    assert after["items"][0]["nodes"] == first["items"][0]["nodes"]
