"""What an LMS export of a quiz should hold, worked out from the bank and the grader
(not from the exporters' code)."""

from __future__ import annotations

from exercises import services
from exercises.grading import GradingPolicy, Tolerance, grade
from exercises.models import Ask, Quiz


def expected_questions(quiz: Quiz) -> list[tuple[str, str, float, float]]:
    """(exercise title, node, answer, mark) per question, items in order, pools expanded."""
    rows = []
    for item in quiz.items.order_by("position", "id"):
        exercises = [item.exercise] if item.exercise_id else services.pool_candidates(item)
        for exercise in exercises:
            solution = services.get_or_create_variant(exercise, 0).graph
            asked = services.asked_nodes(exercise, solution)
            key = "data" if exercise.ask == Ask.DATA else "grad"
            values = {node["name"]: node[key] for node in solution["nodes"]}
            rows += [(exercise.title, name, values[name], item.points / len(asked))
                     for name in asked]
    return rows


def graded_right(exercise, node: str, value: float) -> bool:
    """Whether our grader accepts `value` at `node` of the exercise's seed-0 variant."""
    solution = services.get_or_create_variant(exercise, 0).graph
    policy = GradingPolicy(tolerance=Tolerance(rel=exercise.tolerance_rel,
                                               abs=exercise.tolerance_abs,
                                               sig_figs=exercise.tolerance_sig_figs))
    ask = "data" if exercise.ask == Ask.DATA else "grad"
    result = grade(solution, {node: repr(value)}, policy, asked=[node], ask=ask)
    return result["nodes"][node]["correct"]
