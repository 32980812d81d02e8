"""The learner's pages: dashboard → quiz → item (the graph, answers, feedback).

Views read input, call `services` (writes) and `selectors` (what may be seen), and
render. What a learner may see of a solution is decided in `selectors` only: the item page
draws `selectors.learner_graph` and adds gradients solely when `reveals_solution` says so.
The form POST works without JavaScript; the `.json` endpoints let the page update in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors, services
from .engine.numbers import format_number
from .learner_forms import AnswersForm
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
        done = progress.get(quiz.pk) or {"attempted": 0, "solved": 0, "points": 0.0}
        by_course.setdefault(quiz.course_id, []).append({
            "quiz": quiz, "progress": done,
            "shows_scores": quiz.reveals(quiz.show_correctness),
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
    shows_scores = quiz.reveals(quiz.show_correctness)
    rows, points = [], 0.0
    for number, (item, attempt) in enumerate(pairs, start=1):
        exercise = item.exercise or (drawn.get(attempt.exercise_id) if attempt else None)
        if attempt and shows_scores:
            points += attempt.best_score * item.points
        rows.append({"number": number, "item": item, "attempt": attempt,
                     "title": exercise.title if exercise else str(item.pool_tag),
                     "difficulty": exercise.difficulty if exercise else
                     item.pool_difficulty, "status": _item_status(attempt, shows_scores)})
    next_row = next((row for row in rows if row["status"] != "solved"), None)
    return render(request, "exercises/quiz.html", {
        "quiz": quiz, "rows": rows, "shows_scores": shows_scores, "points": points,
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
    solution = attempt.variant.graph
    asked = services.asked_nodes(exercise, solution)
    latest = attempt.submissions.filter(kind=Submission.Kind.FULL, valid=True).order_by(
        "-created_at", "-id").first()
    result = selectors.learner_result(latest) if latest else None
    feedback = {} if errors else _explained((result or {}).get("nodes", {}))
    if answers is None:
        answers = dict(latest.raw_answers) if latest else {}
    context = {
        "attempt": attempt, "exercise": exercise, "item": attempt.item,
        "quiz": attempt.item.quiz if attempt.item_id else None,
        "preview": attempt.item_id is None,
        "ask": "data" if exercise.ask == Ask.DATA else "grad",
        "graph": selectors.learner_graph(solution, exercise.ask),
        "asked": asked, "answers": _given_answers(exercise, solution, asked, answers),
        "feedback": feedback, "errors": errors or {},
        "solution_graph": selectors.solution_graph(solution, exercise.ask)
        if selectors.reveals_solution(attempt) else None,
        "submitted_at": latest.created_at.timestamp() * 1000 if latest else 0,
        "nav": _neighbours(attempt),
    }
    context.update(attempt_state(attempt, latest, result))
    context["config"] = {
        "attempt": attempt.pk, "ask": context["ask"], "output": solution["output"],
        "submittedAt": context["submitted_at"], "stepAllowed": context["step_allowed"],
        "closed": bool(context["closed"]),
        "submitUrl": reverse("exercises:submit_json", args=[attempt.pk]),
        "stepUrl": reverse("exercises:step_json", args=[attempt.pk])}
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
    quiz = attempt.item.quiz if attempt.item_id else None
    shows = selectors.reveals_correctness(attempt)
    left = selectors.submissions_left(attempt)
    closed = selectors.closed_reason(attempt)
    deadline = selectors.attempt_deadline(attempt)
    if not closed and left == 0:
        closed = "You have used every attempt for this exercise."
    nodes = (result or {}).get("nodes", {})
    return {
        "shows_scores": shows, "attempts_left": left, "closed": closed, "deadline": deadline,
        "last_score": latest.score if latest and shows else None,
        "best_score": attempt.best_score if shows else None,
        "solved": attempt.solved if shows else None, "graded_count": attempt.graded_count,
        "correct_count": sum(1 for n in nodes.values() if n.get("correct")),
        "node_count": len(nodes), "result_message": (result or {}).get("message", ""),
        "step_allowed": shows and not closed and (quiz is None or quiz.step_through),
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
            node["explanation"] = f"It looks like you {selectors.MISCONCEPTION_WORDS[code]}."
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


# -- submitting -------------------------------------------------------------------------------
def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("item__quiz", "exercise", "variant"),
        pk=attempt_id, learner=request.user)


def _read_answers(request, attempt: Attempt):
    asked = services.asked_nodes(attempt.exercise, attempt.variant.graph)
    form = AnswersForm(asked, request.POST)
    if not form.is_valid():
        return None, form.node_errors()
    return form.answers(), {}


@login_required
@require_POST
def submit_attempt(request, attempt_id: int):
    """The form POST (no JavaScript needed): grade, then back to the page's feedback."""
    attempt = _own_attempt(request, attempt_id)
    answers, errors = _read_answers(request, attempt)
    typed = {key[len("answer-"):]: value for key, value in request.POST.items()
             if key.startswith("answer-")}
    if errors:
        return _render_attempt(request, attempt, answers=typed, errors=errors, status=400)
    if not answers:
        messages.error(request, "Type at least one answer before submitting.")
        return redirect(attempt_url(attempt))
    try:
        services.submit(attempt, answers)
    except services.InvalidAnswers as exc:
        return _render_attempt(request, attempt, answers=typed, errors=exc.errors, status=400)
    except services.ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(attempt_url(attempt))
    return redirect(attempt_url(attempt) + "#feedback")


@login_required
@require_POST
def submit_json(request, attempt_id: int):
    return _grade_json(request, attempt_id, Submission.Kind.FULL)


@login_required
@require_POST
def step_json(request, attempt_id: int):
    """Step-through: one node checked at once; costs nothing, counts for nothing."""
    return _grade_json(request, attempt_id, Submission.Kind.STEP)


def _grade_json(request, attempt_id: int, kind: str):
    attempt = _own_attempt(request, attempt_id)
    answers, errors = _read_answers(request, attempt)
    if errors:
        return _invalid(attempt, errors)
    if not answers:
        return JsonResponse({"detail": "Type an answer first."}, status=400)
    if kind == Submission.Kind.STEP and len(answers) != 1:
        return JsonResponse({"detail": "A step checks exactly one node."}, status=400)
    try:
        submission = services.submit(attempt, answers, kind=kind)
    except services.InvalidAnswers as exc:
        return _invalid(attempt, exc.errors)
    except services.ServiceError as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status)
    return JsonResponse(result_payload(submission))


def _invalid(attempt: Attempt, errors: dict) -> JsonResponse:
    feedback = {name: _feedback_html(name, {"valid": False, "error": error}, error)
                for name, error in errors.items()}
    return JsonResponse({"detail": "Some answers could not be read. That costs nothing: "
                                   "fix them and submit again.",
                         "errors": errors, "feedback": feedback}, status=400)


def result_payload(submission: Submission) -> dict:
    """The learner's view of a graded submission, plus the page fragments to swap in."""
    attempt = submission.attempt  # the row `services.submit` updated
    result = selectors.learner_result(submission)
    nodes = _explained(result.get("nodes", {}))
    state = attempt_state(attempt, submission, result)
    payload = {
        "submission": submission.pk, "kind": submission.kind, "result": result,
        "score": state["last_score"], "best_score": state["best_score"],
        "solved": state["solved"], "attempts_left": state["attempts_left"],
        "graded_count": attempt.graded_count, "closed": state["closed"],
        "feedback": {name: _feedback_html(name, node) for name, node in nodes.items()},
        "status": {name: _status(node) for name, node in nodes.items()},
    }
    if submission.kind == Submission.Kind.FULL:
        payload["summary_html"] = render_to_string("exercises/_summary.html", {
            **state, "attempt": attempt, "nav": _neighbours(attempt)})
        if selectors.reveals_solution(attempt):
            payload["solution_html"] = render_to_string("exercises/_solution.html", {
                "solution_graph": selectors.solution_graph(attempt.variant.graph,
                                                           attempt.exercise.ask),
                "ask": "data" if attempt.exercise.ask == Ask.DATA else "grad"})
    return payload


def _status(node: dict) -> str:
    if node.get("valid") is False:
        return "invalid"
    if "correct" not in node:
        return "received"
    return "correct" if node["correct"] else "wrong"


def _feedback_html(name: str, node: dict, error: str | None = None) -> str:
    return render_to_string("exercises/_node_feedback.html", {
        "name": name, "result": node, "error": error or node.get("error"),
        "status": _status(node)})
