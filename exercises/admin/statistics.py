"""The per-quiz item analysis page (exercises.statistics, as the API serves it)."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import selectors, statistics
from ..models import Quiz
from .gradebook import number, scoped_quiz


def _percent(share) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def statistics_view(model_admin, request, quiz_id: int):
    quiz = scoped_quiz(model_admin, request, quiz_id)
    found = statistics.quiz_statistics(quiz)
    items = {item.pk: item for item in quiz.items.select_related("exercise", "pool_tag")}
    rows = []
    for row in found["items"]:
        rows.append({
            "item": items[row["item"]], "n": row["n"], "facility": _percent(row["facility"]),
            "sd": _percent(row["sd"]),
            "discrimination_index": number(row["discrimination_index"]),
            "discrimination_efficiency": number(row["discrimination_efficiency"]),
            "discrimination_27": number(row["discrimination_27"]),
            "nodes": [{"node": name, "first": _percent(share["first_correct"]),
                       "best": _percent(share["best_correct"])}
                      for name, share in row["nodes"].items()],
            "misconceptions": [{"code": code, "count": count,
                                "words": selectors.misconception_words(code)}
                               for code, count in row["misconceptions"].items()],
            "ambiguous": [{"code": code, "count": count}
                          for code, count in row["ambiguous_misconceptions"].items()]})
    context = {**model_admin.admin_site.each_context(request), "opts": Quiz._meta,
               "title": _("Item analysis: %(quiz)s") % {"quiz": quiz}, "quiz": quiz, "rows": rows,
               "learners": found["learners"], "alpha": number(found["cronbach_alpha"])}
    return TemplateResponse(request, "admin/exercises/quiz/statistics.html", context)
