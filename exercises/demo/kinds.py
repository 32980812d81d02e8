"""The demo's quiz of the notes' other questions: the local derivatives on the network's
chain, its weight update, and the nudge of "The Math You Need" (used by load.py)."""

from __future__ import annotations

from .. import feedback, services
from ..engine import solve_text
from ..grading import prepare
from ..grading.kinds import chain_keys
from ..models import Ask, Exercise, Quiz, QuizItem, Reveal
from . import read

QUIZ_TITLE = "The notes' other questions: local derivatives, an update, a nudge"


def network_chain() -> list[str]:
    """The notes' chain for w1, written out: ∂L/∂a2, ∂a2/∂z2, ∂z2/∂a1, ∂a1/∂z1, ∂z1/∂w1
    (one box per line of the program; at gate granularity the gates' boxes too)."""
    solved = prepare(solve_text(read("two_weight_network.txt")).to_solution())
    return chain_keys(solved, "w1")


def exercises() -> list[dict]:
    network = read("two_weight_network.txt")
    return [
        {"title": "The network's chain for w1, box by box (local derivatives)",
         "program": network, "ask": Ask.LOCAL, "asked_nodes": network_chain(),
         "difficulty": 3, "tags": ["network", "local", "chain-rule"]},
        {"title": "The network's weights after one step with η = 0.5",
         "program": network, "ask": Ask.UPDATE, "learning_rate": 0.5,
         "parameters": ["w1", "b1", "w2", "b2"], "difficulty": 4,
         "tags": ["network", "update"]},
        {"title": "Check the derivative by nudging x by 0.001", "program": read("worked_xy.txt"),
         "ask": Ask.NUDGE, "nudge_input": "x", "nudge_h": 0.001, "difficulty": 1,
         "tags": ["nudge", "chain-rule"]},
    ]


# One mistake per kind, named by what it is (the network's w1 = 0.5, ∂L/∂w1 = −0.0334194,
# η = 0.5; worked_xy: loss = x·y + 1 at x = 2, y = 3, so L(2.001) = 7.003).
KIND_MISTAKES = {
    Ask.UPDATE: [("moved along the gradient: w1 + η·∂L/∂w1", {"w1": "0.5 - 0.5*0.0334194"},
                  {"w1": "update_sign"})],
    Ask.NUDGE: [("the change not divided by h", {"slope": "0.003"},
                 {"slope": "slope_not_divided"})],
}


def load_kinds_quiz(course, author) -> Quiz:
    """Idempotent: the quiz and its exercises are made once."""
    quiz, created = Quiz.objects.get_or_create(
        course=course, title=QUIZ_TITLE,
        defaults={"hint_level": 2, "show_solution": Reveal.IMMEDIATELY})
    if created:
        for position, spec in enumerate(exercises(), start=1):
            exercise = Exercise.objects.filter(course=course, title=spec["title"]).first()
            if exercise is None:
                exercise = services.create_exercise(course=course, author=author, **spec)
            QuizItem.objects.create(quiz=quiz, exercise=exercise, position=position)
            if not exercise.question_tests.exists():
                feedback.demo_question_tests(exercise, KIND_MISTAKES.get(spec["ask"], []))
    return quiz
