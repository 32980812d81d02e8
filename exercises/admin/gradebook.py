"""The per-quiz gradebook: learners × items with best scores, what went wrong at each node,
and a CSV export. Only the quiz's instructors (and superusers) may see it."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from .. import selectors
from ..models import Quiz

PAGE_SIZE = 100  # learners per gradebook page (the CSV has every one)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def scoped_quiz(model_admin, request, quiz_id: int) -> Quiz:
    """The quiz if the user teaches its course; 404 otherwise (as for any admin object)."""
    quiz = model_admin.scope(Quiz.objects.select_related("course"), request.user).filter(
        pk=quiz_id).first()
    if quiz is None:
        raise Http404("No such quiz among the courses you teach.")
    return quiz


def number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def safe_cell(text: str) -> str:
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def item_summary(stats: dict) -> dict:
    """item_statistics in the instructor's words: "41% forgot to sum the branches at x"."""
    nodes, findings = [], []
    for row in stats["nodes"]:
        mistakes = [{"share": percent(m["share"]), "words": m["words"], "count": m["count"],
                     "code": m["code"]} for m in row["misconceptions"]]
        nodes.append({"node": row["node"], "correct": row["correct"],
                      "share_correct": percent(row["share_correct"]), "mistakes": mistakes})
        findings += [(m["share"], gettext("{share} {words} at {node}").format(
            share=percent(m["share"]), words=m["words"], node=row["node"]))
            for m in row["misconceptions"]]
    findings.sort(key=lambda pair: -pair[0])
    return {"item": stats["item"], "learners": stats["learners"], "nodes": nodes,
            "findings": [text for _share, text in findings[:5]]}


def gradebook_view(model_admin, request, quiz_id: int):
    quiz = scoped_quiz(model_admin, request, quiz_id)
    paginator = Paginator(quiz.course.learners.order_by("username", "id").values_list(
        "id", flat=True), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    book = selectors.gradebook(quiz, page.start_index() - 1 if paginator.count else 0,
                               PAGE_SIZE)
    rows = [{"learner": row["learner"], "total": number(row["total"]),
             "override": row["override"],
             "cells": [{"points": number(cell["points"]), "submissions": cell["submissions"],
                        "attempted": cell["best"] is not None,
                        "override": cell["override"], "attempt": cell["attempt"]}
                       for cell in row["cells"]]}
            for row in book["rows"]]
    context = {
        **model_admin.admin_site.each_context(request), "opts": Quiz._meta,
        "title": gettext("Gradebook: %(quiz)s") % {"quiz": quiz}, "quiz": quiz,
        "items": book["items"], "rows": rows,
        "page": page, "learner_count": paginator.count,
        "page_learner_ids": [row["learner"].pk for row in book["rows"]],
        "max_total": number(book["max_total"]),
        "statistics": [item_summary(stats) for stats in selectors.item_statistics(
            quiz, book["items"])],
    }
    return TemplateResponse(request, "admin/exercises/quiz/gradebook.html", context)


def csv_view(model_admin, request, quiz_id: int):
    quiz = scoped_quiz(model_admin, request, quiz_id)
    book = selectors.gradebook(quiz)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-quiz-{quiz.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["username", *(safe_cell(item) for item in book["items"]), "total",
                     "overrides"])
    for row in book["rows"]:
        writer.writerow([safe_cell(row["learner"].get_username()),
                         *(number(cell["points"]) for cell in row["cells"]),
                         number(row["total"]), safe_cell(override_notes(book, row))])
    return response


def override_notes(book: dict, row: dict) -> str:
    """The overridden cells of a row, in words: "2. Chain: 0.8 by ada (regraded by hand)",
    the quiz's own override first."""
    notes = []
    override = row["override"]
    if override is not None:
        notes.append(f"quiz: overridden to {number(override.score)} "
                     f"(was {number(override.previous_score)}) by {override.by_label}: "
                     f"{override.reason}")
    for item, cell in zip(book["items"], row["cells"], strict=True):
        override = cell["override"]
        if override is not None:
            notes.append(f"{item}: overridden to {number(override.score)} "
                         f"(was {number(override.previous_score)}) by {override.by_label}: "
                         f"{override.reason}")
    return "; ".join(notes)


def canvas_csv_view(model_admin, request, quiz_id: int):
    """The gradebook as Canvas imports it: the five columns Canvas matches learners by
    (Student, ID, SIS User ID, SIS Login ID, Section), then the quiz as one assignment
    column, after a "Points Possible" row. Learners are matched by login (the username);
    the Canvas ID, which only Canvas knows, stays empty."""
    quiz = scoped_quiz(model_admin, request, quiz_id)
    book = selectors.gradebook(quiz)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="canvas-gradebook-quiz-{quiz.pk}.csv"')
    writer = csv.writer(response)
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                     safe_cell(f"{quiz.title} ({quiz.pk})")])
    writer.writerow(["    Points Possible", "", "", "", "", number(book["max_total"])])
    for row in book["rows"]:
        learner = row["learner"]
        name = f"{learner.last_name}, {learner.first_name}" if learner.last_name else (
            learner.get_username())
        writer.writerow([safe_cell(name), "", "", safe_cell(learner.get_username()),
                         safe_cell(quiz.course.title), number(row["total"])])
    return response
