"""Moodle XML, read back by our own reader: a numerical question per asked node, with the
answer and the tolerance our grader uses, in a category per quiz (pools in a subcategory)."""

from __future__ import annotations

import pytest

from exercises.exports import export
from exercises.models import Exercise

from .expected import expected_questions, graded_right
from .readers import read_moodle


@pytest.fixture
def read(bank):
    return read_moodle(export("moodle", quizzes=[bank.quiz]).content)


def test_every_asked_node_is_a_question_with_its_answer_and_mark(bank, read):
    expected = expected_questions(bank.quiz)
    assert [tuple(q.name.rsplit(": ", 1)) for q in read] == [row[:2] for row in expected]
    assert [q.answer for q in read] == [row[2] for row in expected]  # exactly: repr()
    assert [q.mark for q in read] == pytest.approx([row[3] for row in expected], abs=1e-7)
    assert len(read) == 4 + 3 + (3 + 4) + (3 + 4 + 2)  # branch, diagram, two pools


def test_the_tolerance_is_where_our_grader_stops_accepting(bank, read):
    by_title = {e.title: e for e in Exercise.objects.all()}
    for question in read:
        title, node = question.name.rsplit(": ", 1)
        exercise = by_title[title]
        inside = question.answer + 0.999 * question.tolerance
        outside = question.answer + 1.001 * question.tolerance + 1e-12
        assert graded_right(exercise, node, inside), question
        assert not graded_right(exercise, node, outside), question


def test_a_category_per_quiz_and_per_pool(bank, read):
    groups = [q.group for q in read]
    top = "$course$/top/Midterm"
    assert groups[:7] == [top] * 7
    assert set(groups[7:14]) == {f"{top}/3. pool pool-a difficulty 3"}
    assert set(groups[14:]) == {f"{top}/4. pool pool-a"}
    assert {q.penalty for q in read} == {0.1}  # the quiz's retry penalty


def test_the_question_shows_the_graph_and_hides_what_is_asked(bank, read):
    text = next(q.text for q in read if q.name == "x feeds two operations: x")
    assert "<td>y</td><td>x + 2</td><td>7</td>" in text and "∂L/∂x" in text
    forward = next(q for q in read if q.name == "Forward pass: y")
    assert "<td>y</td><td>x + 2</td><td>?</td>" in forward.text  # values are asked
    assert forward.answer == 7


def test_exercises_alone_and_a_slash_in_a_title(bank):
    bank.quiz.title = "Week 1/2"
    bank.quiz.save()
    read = read_moodle(export("moodle", quizzes=[bank.quiz]).content)
    assert read[0].group == "$course$/top/Week 1//2"
    alone = read_moodle(export("moodle", exercises=[bank.diagram]).content)
    assert [(q.name, q.mark) for q in alone] == [("From a diagram: a", 1.0),
                                                 ("From a diagram: b", 1.0),
                                                 ("From a diagram: L", 1.0)]
