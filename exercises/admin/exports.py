"""Admin actions that download the selected exercises or quizzes as a file: the JSON
bank, a QTI 1.2 zip (Canvas) or Moodle XML. Each calls `exports.export`; nothing else."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from .. import exports

LABELS = {"json": "the JSON bank", "qti": "a QTI 1.2 zip (Canvas)", "moodle": "Moodle XML"}
# The actions' names, whole sentences for the translators (by what, then format).
DESCRIPTIONS = {
    ("exercises", "json"): gettext_lazy("Download the selected exercises as the JSON bank"),
    ("exercises", "qti"): gettext_lazy("Download the selected exercises as a QTI 1.2 zip "
                                       "(Canvas)"),
    ("exercises", "moodle"): gettext_lazy("Download the selected exercises as Moodle XML"),
    ("quizzes", "json"): gettext_lazy("Download the selected quizzes as the JSON bank"),
    ("quizzes", "qti"): gettext_lazy("Download the selected quizzes as a QTI 1.2 zip (Canvas)"),
    ("quizzes", "moodle"): gettext_lazy("Download the selected quizzes as Moodle XML"),
}
NONE_EXPORTABLE = {"exercises": gettext_lazy("None of the selected exercises can be exported."),
                   "quizzes": gettext_lazy("None of the selected quizzes can be exported.")}


def _download(result: exports.Export) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


def _action(fmt: str, what: str):
    def action(modeladmin, request, queryset):
        if not queryset.exists():  # e.g. ids of another course's objects, scoped away
            modeladmin.message_user(request, NONE_EXPORTABLE[what], messages.WARNING)
            return None
        if what == "quizzes":
            quizzes = list(queryset.order_by("id"))
            name = slugify(quizzes[0].title) if len(quizzes) == 1 else "quizzes"
            result = exports.export(fmt, quizzes=quizzes, name=name or "quiz")
        else:
            result = exports.export(fmt, exercises=queryset.order_by("id"), name="exercises")
        return _download(result)

    action.__name__ = f"export_{what}_{fmt}"
    return admin.action(description=DESCRIPTIONS[what, fmt], permissions=["view"])(action)


EXERCISE_ACTIONS = tuple(_action(fmt, "exercises") for fmt in LABELS)
QUIZ_ACTIONS = tuple(_action(fmt, "quizzes") for fmt in LABELS)
