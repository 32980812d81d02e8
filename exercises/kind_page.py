"""The item page's answer boxes for the kinds that are not a node's value or gradient:
local derivatives ("z2/a1"), an update's new parameters, a nudge's L(x + h) and slope.

The boxes and their labels come from `exercise_kinds.boxes`, the function the API's
serializers use, and what a learner is told (η, the parameters, the nudged input and h)
from `exercise_kinds.learner_settings`: the rules live there once. The verdicts are the
ones `selectors.learner_result` lets the learner see; nothing is graded here.
"""

from __future__ import annotations

from . import exercise_kinds
from .models import Ask, Exercise
from .templatetags.graph_tags import status_of

BOX_KINDS = (Ask.LOCAL, Ask.UPDATE, Ask.NUDGE)


def box_id(key: str) -> str:
    """An answer key as an HTML id part: "z2/a1" → "z2__a1" (quiz.js's `boxId` agrees)."""
    return key.replace("/", "__")


def answer_boxes(exercise: Exercise, solution: dict, answers: dict, feedback: dict,
                 errors: dict) -> dict | None:
    """The boxes to draw (key, id, label, the learner's answer and verdict) and the kind's
    settings; None for an exercise answered in the graph's own boxes."""
    if exercise.ask not in BOX_KINDS:
        return None
    rows = []
    for box in exercise_kinds.boxes(exercise, solution):
        key = box["key"]
        result = feedback.get(key)
        error = errors.get(key) or (result or {}).get("error")
        rows.append({"key": key, "id": box_id(key), "label": box["label"],
                     "label_latex": box["label_latex"], "answer": answers.get(key, ""),
                     "result": result, "error": error, "status": status_of(result, error)})
    settings = exercise_kinds.learner_settings(exercise, solution) or {}
    return {"kind": exercise.ask, "rows": rows, **settings}
