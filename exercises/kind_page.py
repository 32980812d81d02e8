"""The item page's answer boxes for the kinds that are not a node's value or gradient:
local derivatives ("z2/a1"), an update's new parameters, a nudge's L(x + h) and slope.

The boxes and their labels come from `exercise_kinds.boxes`, the function the API's
serializers use, and what a learner is told (η, the parameters, the nudged input and h)
from `exercise_kinds.learner_settings`: the rules live there once. The verdicts are the
ones `selectors.learner_result` lets the learner see; nothing is graded here.
"""

from __future__ import annotations

from . import exercise_kinds
from .grading.kinds import gradient_of
from .grading.notation import partial_parts
from .models import Ask, Exercise
from .templatetags.graph_tags import status_of

BOX_KINDS = (Ask.LOCAL, Ask.UPDATE, Ask.NUDGE)


def box_id(key: str) -> str:
    """An answer key as an HTML id part: "z2/a1" → "z2__a1", "grad:w1" → "grad-w1"
    (quiz.js's `boxId` agrees; node names hold neither "-" nor "__" after a name's start)."""
    return key.replace("/", "__").replace(":", "-")


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


def with_steps(boxes: dict, plan: list[dict], output: str) -> dict:
    """The boxes in the step-through's order, with a row for each step that is not an
    asked box (a gradient on the way, "grad:w1"): hidden until the learner steps through,
    never part of a full submission."""
    by_key = {row["key"]: row for row in boxes["rows"]}
    rows = []
    for step in plan:
        key = step["key"]
        if key is None:
            continue
        if key in by_key:
            rows.append(by_key.pop(key))
            continue
        text, latex = partial_parts(output, gradient_of(key))
        rows.append({"key": key, "id": box_id(key), "label": text, "label_latex": latex,
                     "answer": "", "result": None, "error": None, "status": "",
                     "step_only": True})
    rows += by_key.values()  # none, unless the plan leaves a box out
    return {**boxes, "rows": rows}
