"""The learner's pages: dashboard → quiz → item (the graph, answers, feedback).

Views read input, call `services` (writes) and `selectors` (what may be seen), and
render. What a learner may see is decided by the disclosure rule only (`selectors`): the
item page draws `selectors.learner_graph` and adds gradients solely when
`reveals_solution` says so. The pages take no answers themselves: the item page's script
sends them to the versioned API (/api/v1/attempts/<id>/submissions/, session
authentication with CSRF), the one way in for every learner action, and then reads this
page again for the feedback it renders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext

from . import kind_page, kind_steps, selectors, services
from .engine.numbers import format_number
from .models import Ask, Attempt, Exercise, QuizItem, Submission

ITEM_TEMPLATE = "exercises/item.html"


# -- dashboard and quiz overview -----------------------------------------------------------
@login_required
def dashboard(request):
    user = request.user
    quizzes = list(selectors.quizzes_for(user).annotate(
        item_count=Count("items", distinct=True), max_points=Sum("items__points")))
    progress = selectors.quiz_progress(user, quizzes)
    by_course: dict[int, list] = {}
    for quiz in quizzes:
        done = progress.get(quiz.pk) or {"attempted": 0, "solved": 0, "points": 0.0,
                                         "shows_scores": True}
        by_course.setdefault(quiz.course_id, []).append({
            "quiz": quiz, "progress": done,
            "shows_scores": quiz.reveals(quiz.show_correctness) and done["shows_scores"],
            "past_due": quiz.is_past_due(), "open": quiz.is_open()})
    courses = [{"course": course, "quizzes": by_course.get(course.pk, [])}
               for course in selectors.courses_for(user)]
    return render(request, "exercises/dashboard.html", {
        "courses": courses, "is_instructor": selectors.is_instructor(user)})


@login_required
def quiz_detail(request, quiz_id: int):
    quiz = get_object_or_404(selectors.quizzes_for(request.user), pk=quiz_id)
    pairs = selectors.learner_items(request.user, quiz)
    # A pool item's exercise is known once its attempt exists: one query for all titles.
    drawn = Exercise.objects.only("id", "title").in_bulk(
        [a.exercise_id for item, a in pairs if a and not item.exercise_id])
    rows, shows_scores = [], True
    for number, (item, attempt) in enumerate(pairs, start=1):
        exercise = item.exercise or (drawn.get(attempt.exercise_id) if attempt else None)
        shows = attempt is None or selectors.reveals_correctness(attempt)
        shows_scores = shows_scores and shows
        rows.append({"number": number, "item": item, "attempt": attempt,
                     "title": exercise.title if exercise else str(item.pool_tag),
                     "difficulty": exercise.difficulty if exercise else
                     item.pool_difficulty, "status": _item_status(attempt, shows)})
    next_row = next((row for row in rows if row["status"] != "solved"), None)
    progress = selectors.quiz_progress(request.user, [quiz],
                                       attempts=[a for _, a in pairs if a])[quiz.pk]
    return render(request, "exercises/quiz.html", {
        "quiz": quiz, "rows": rows, "shows_scores": shows_scores,
        "points": progress["points"],
        "max_points": sum(item.points for item, _ in pairs), "next_row": next_row,
        "solved": sum(row["status"] == "solved" for row in rows)})


def _item_status(attempt: Attempt | None, shows_scores: bool) -> str:
    if attempt is None:
        return "new"
    if shows_scores and attempt.solved:
        return "solved"
    return "started" if attempt.graded_count == 0 else "submitted"


# -- the item page ---------------------------------------------------------------------------
@login_required
def item_page(request, quiz_id: int, item_id: int):
    item = get_object_or_404(
        QuizItem.objects.select_related("quiz__course", "exercise"), pk=item_id,
        quiz_id=quiz_id, quiz__in=selectors.quizzes_for(request.user))
    try:
        attempt, _ = services.start_attempt(request.user, item=item)
    except services.ServiceError as exc:  # not open yet, or an empty pool
        return render(request, "exercises/problem.html",
                      {"message": exc.message, "quiz": item.quiz}, status=exc.status)
    _share_loaded(attempt, item)
    return _render_attempt(request, attempt)


@login_required
def preview_exercise(request, exercise_id: int):
    """"Preview as learner": the instructor's own practice attempt, on the same page."""
    exercise = get_object_or_404(selectors.managed_exercises(request.user), pk=exercise_id)
    try:
        attempt, _ = services.start_attempt(request.user, exercise=exercise)
    except services.ServiceError as exc:
        return render(request, "exercises/problem.html", {"message": exc.message},
                      status=exc.status)
    attempt.exercise = exercise
    return _render_attempt(request, attempt)


def _share_loaded(attempt: Attempt, item: QuizItem) -> None:
    """Reuse what the view already loaded instead of querying it again."""
    attempt.item = item
    if attempt.exercise_id == item.exercise_id:
        attempt.exercise = item.exercise


def attempt_url(attempt: Attempt) -> str:
    if attempt.item_id:
        return reverse("exercises:item", args=[attempt.item.quiz_id, attempt.item_id])
    return reverse("exercises:preview_exercise", args=[attempt.exercise_id])


def _render_attempt(request, attempt: Attempt, *, answers: dict | None = None,
                    errors: dict | None = None, status: int = 200):
    exercise = attempt.exercise
    try:  # an update's or a nudge's frozen numbers too (the API reads the same)
        solution = services.variant_solution(exercise, attempt.variant)
        asked = services.asked_nodes(exercise, solution)
    except services.ServiceError as exc:
        return render(request, "exercises/problem.html", {"message": exc.message},
                      status=exc.status)
    latest = attempt.submissions.filter(kind=Submission.Kind.FULL, valid=True).order_by(
        "-created_at", "-id").first()
    result = selectors.learner_result(latest) if latest else None
    feedback = {} if errors else _explained((result or {}).get("nodes", {}))
    if answers is None:
        answers = dict(latest.raw_answers) if latest else {}
    given = _given_answers(exercise, solution, asked, answers)
    boxes = kind_page.answer_boxes(exercise, solution, given, feedback, errors or {})
    context = {
        "attempt": attempt, "exercise": exercise, "item": attempt.item,
        "quiz": attempt.item.quiz if attempt.item_id else None,
        "preview": attempt.item_id is None,
        "ask": "data" if exercise.ask == Ask.DATA else "grad",
        "graph": selectors.learner_graph(solution, exercise.ask),
        # local, update and nudge are answered in their own boxes below the graph
        "asked": [] if boxes else asked, "boxes": boxes,
        "answers": given,
        "feedback": feedback, "errors": errors or {},
        "solution_graph": selectors.solution_graph(solution, exercise.ask)
        if selectors.reveals_solution(attempt) else None,
        "submitted_at": latest.created_at.timestamp() * 1000 if latest else 0,
        "nav": _neighbours(attempt),
        "input_examples": selectors.input_examples(solution),
    }
    context.update(attempt_state(attempt, latest, result))
    # Local, update and nudge: the steps come from the server (kind_steps), the graph's
    # own step-through walks its nodes in quiz.js.
    plan = kind_steps.steps(exercise, solution) if context["step_allowed"] else None
    if boxes and plan:
        context["boxes"] = kind_page.with_steps(boxes, plan, solution["output"])
    context["config"] = {
        "attempt": attempt.pk, "ask": context["ask"], "output": solution["output"],
        "answersKey": "answers" if boxes else ("data" if exercise.ask == Ask.DATA
                                               else "grads"),
        "submittedAt": context["submitted_at"], "stepAllowed": context["step_allowed"],
        "closed": bool(context["closed"]), "steps": plan,
        "submitUrl": reverse("api:attempt-submissions", args=[attempt.pk]),
        "pageUrl": request.path}
    return render(request, ITEM_TEMPLATE, context, status=status)


def _given_answers(exercise: Exercise, solution: dict, asked: list[str],
                   answers: dict) -> dict:
    """A forward-pass exercise may ask about an input whose value is given: fill it in."""
    answers = {name: str(value) for name, value in answers.items() if value is not None}
    if exercise.ask == Ask.DATA:
        given = {n["name"]: n["data"] for n in solution["nodes"]
                 if n["kind"] == "input" and n["name"] in asked}
        for name, value in given.items():
            answers.setdefault(name, format_number(value, 15))
    return answers


def attempt_state(attempt: Attempt, latest: Submission | None, result: dict | None) -> dict:
    """Score, attempts left and whether answers can still be sent, for the summary."""
    decided = selectors.disclosure(attempt)
    shows = selectors.reveals_correctness(attempt)
    left = selectors.submissions_left(attempt)
    closed = selectors.closed_reason(attempt) or decided.elsewhere_text()
    deadline = selectors.attempt_deadline(attempt)
    if not closed and left == 0:
        closed = gettext("You have used every attempt for this exercise.")
    nodes = (result or {}).get("nodes", {})
    return {
        "shows_scores": shows, "attempts_left": left, "closed": closed, "deadline": deadline,
        "last_score": latest.score if latest and shows else None,
        "best_score": attempt.best_score if shows else None,
        "solved": attempt.solved if shows else None, "graded_count": attempt.graded_count,
        "correct_count": sum(1 for n in nodes.values() if n.get("correct")),
        "node_count": len(nodes), "result_message": (result or {}).get("message", ""),
        "step_allowed": not closed and selectors.step_allowed(attempt),
        "points": attempt.item.points if attempt.item_id else None,
        "best_points": attempt.best_score * attempt.item.points
        if attempt.item_id and shows else None,
    }


def _explained(nodes: dict) -> dict:
    """Plain words for a misconception the grader gave no sentence for."""
    shown = {}
    for name, node in nodes.items():
        node = dict(node)
        code = node.get("misconception")
        if code and not node.get("explanation") and code in selectors.MISCONCEPTION_WORDS:
            node["explanation"] = gettext("It looks like you {words}.").format(
                words=selectors.misconception_words(code))
        shown[name] = node
    return shown


def _neighbours(attempt: Attempt) -> dict:
    if not attempt.item_id:
        return {}
    quiz = attempt.item.quiz
    ids = list(quiz.items.values_list("id", flat=True))
    here = ids.index(attempt.item_id)
    link = lambda i: reverse("exercises:item", args=[quiz.pk, i])  # noqa: E731
    return {"number": here + 1, "count": len(ids),
            "previous": link(ids[here - 1]) if here > 0 else None,
            "next": link(ids[here + 1]) if here + 1 < len(ids) else None,
            "quiz": reverse("exercises:quiz", args=[quiz.pk])}
