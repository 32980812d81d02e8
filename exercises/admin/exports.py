"""Admin actions that download the selected exercises or quizzes as a file: the JSON
bank, a QTI 1.2 zip (Canvas) or Moodle XML. Each calls `exports.export`; nothing else."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.text import slugify

from .. import exports

LABELS = {"json": "the JSON bank", "qti": "a QTI 1.2 zip (Canvas)", "moodle": "Moodle XML"}


def _download(result: exports.Export) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


def _action(fmt: str, what: str):
    def action(modeladmin, request, queryset):
        if not queryset.exists():  # e.g. ids of another course's objects, scoped away
            modeladmin.message_user(request, f"None of the selected {what} can be exported.",
                                    messages.WARNING)
            return None
        if what == "quizzes":
            quizzes = list(queryset.order_by("id"))
            name = slugify(quizzes[0].title) if len(quizzes) == 1 else "quizzes"
            result = exports.export(fmt, quizzes=quizzes, name=name or "quiz")
        else:
            result = exports.export(fmt, exercises=queryset.order_by("id"), name="exercises")
        return _download(result)

    action.__name__ = f"export_{what}_{fmt}"
    return admin.action(description=f"Download the selected {what} as {LABELS[fmt]}",
                        permissions=["view"])(action)


EXERCISE_ACTIONS = tuple(_action(fmt, "exercises") for fmt in LABELS)
QUIZ_ACTIONS = tuple(_action(fmt, "quizzes") for fmt in LABELS)
