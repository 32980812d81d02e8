"""The project's own JSON bank: exercises, tags, quizzes, their items and policies, as
plain data another server imports (`importing.import_bank`).

Pure reads: these functions take model instances and return dicts or bytes; they never
write. A bank carries no submission, attempt, variant, learner or id of this server:
exercises are referred to inside the file by a `ref` of its own ("e1", "e2", …).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone

from .. import services
from ..models import Exercise, Quiz, QuizItem
from .fields import dump

FORMAT = "backprop-course/bank"
VERSION = 1


def quiz_exercises(quiz: Quiz) -> list[Exercise]:
    """Every exercise a quiz can show: its fixed items' and every pool's candidates."""
    seen: dict[int, Exercise] = {}
    for item in quiz.items.select_related("exercise", "pool_tag", "quiz").order_by(
            "position", "id"):
        chosen = [item.exercise] if item.exercise_id else services.pool_candidates(item)
        for exercise in chosen:
            seen.setdefault(exercise.pk, exercise)
    return list(seen.values())


def bank_for_quizzes(quizzes: Iterable[Quiz]) -> dict:
    quizzes = list(quizzes)
    exercises: dict[int, Exercise] = {}
    for quiz in quizzes:
        for exercise in quiz_exercises(quiz):
            exercises.setdefault(exercise.pk, exercise)
    return _bank(list(exercises.values()), quizzes)


def bank_for_exercises(exercises: Iterable[Exercise]) -> dict:
    return _bank(list(exercises), [])


def _bank(exercises: list[Exercise], quizzes: list[Quiz]) -> dict:
    refs = {exercise.pk: f"e{number}" for number, exercise in enumerate(exercises, start=1)}
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "exercises": [_exercise(exercise, refs[exercise.pk]) for exercise in exercises],
        "quizzes": [_quiz(quiz, refs) for quiz in quizzes],
    }


def _exercise(exercise: Exercise, ref: str) -> dict:
    return {"ref": ref, "tags": sorted(tag.name for tag in exercise.tags.all()),
            "fields": dump(exercise)}


def _quiz(quiz: Quiz, refs: dict[int, str]) -> dict:
    items = quiz.items.select_related("pool_tag").order_by("position", "id")
    return {"fields": dump(quiz), "items": [_item(item, refs) for item in items]}


def _item(item: QuizItem, refs: dict[int, str]) -> dict:
    return {"fields": dump(item),
            "exercise": refs[item.exercise_id] if item.exercise_id else None,
            "pool_tag": item.pool_tag.name if item.pool_tag_id else None}


def to_bytes(bank: dict) -> bytes:
    return (json.dumps(bank, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()
