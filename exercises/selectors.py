"""Reads that respect permissions and quiz policy.

What a learner may learn about their numbers is decided in one place, `disclosure`
(exercises/disclosure.py, re-exported here); everything a learner is shown passes through
`learner_graph`, `learner_result` and the helpers below, which ask it.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from . import accommodations
from .disclosure import Disclosure, disclosure
from .grading import RULES
from .grading.hints import FORMULA_LEVEL
from .models import Ask, Attempt, Course, Exercise, Quiz, QuizItem, Submission

__all__ = ["Disclosure", "disclosure"]  # and everything below

# What each code says the learner did ("It looks like you …"): the catalogue's own words,
# in English; `misconception_words` gives them in the active language.
MISCONCEPTION_WORDS = {rule.code: rule.summary for rule in RULES}


def misconception_words(code: str) -> str:
    words = MISCONCEPTION_WORDS.get(code)
    return gettext(words) if words else code


# -- who may see what ----------------------------------------------------------------------
def is_instructor(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.teaching_courses.exists()))


def courses_for(user) -> QuerySet[Course]:
    if user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(Q(instructors=user) | Q(learners=user)).distinct()


def taught_courses(user) -> QuerySet[Course]:
    if user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(instructors=user)


def teaches(user, course: Course | None) -> bool:
    if user.is_superuser:
        return True
    if course is None:
        return user.is_staff
    return course.instructors.filter(pk=user.pk).exists()


def exercises_for(user) -> QuerySet[Exercise]:
    """Instructors: their courses' exercises (staff also the shared ones); learners: their
    courses' exercises. The view decides how much of each a person may see."""
    if user.is_superuser:
        return Exercise.objects.all()
    shared = Q(course__isnull=True) if user.is_staff else Q(pk__in=[])
    return Exercise.objects.filter(
        shared | Q(course__instructors=user) | Q(course__learners=user)).distinct()


def managed_exercises(user) -> QuerySet[Exercise]:
    if user.is_superuser:
        return Exercise.objects.all()
    shared = Q(course__isnull=True) if user.is_staff else Q(pk__in=[])
    return Exercise.objects.filter(shared | Q(course__instructors=user)).distinct()


def quizzes_for(user) -> QuerySet[Quiz]:
    return Quiz.objects.filter(course__in=courses_for(user)).select_related("course")


def attempts_for(user) -> QuerySet[Attempt]:
    """A learner's own attempts; an instructor's also those in courses they teach."""
    mine = Q(learner=user)
    taught = Q(item__quiz__course__instructors=user) | Q(exercise__course__instructors=user)
    return Attempt.objects.filter(mine | taught).distinct().select_related(
        "variant", "exercise", "item__quiz")


def enrollable_user(caller, username: str):
    """The account with this username if `caller` may enrol it, else None (whether it
    exists or not: the API answers both alike). An instructor may enrol accounts they
    made and members of courses they teach; an integration key (an IntegrationToken),
    accounts it made and members of its own course; a superuser, anyone."""
    from .models import IntegrationToken

    User = get_user_model()
    if isinstance(caller, IntegrationToken):
        mine = Q(provisioned__created_by_key=caller) | Q(enrolled_courses=caller.course_id) | Q(
            teaching_courses=caller.course_id)
    elif caller.is_superuser:
        mine = Q()
    else:
        taught = Course.objects.filter(instructors=caller).values("pk")
        mine = (Q(provisioned__created_by=caller) | Q(enrolled_courses__in=taught)
                | Q(teaching_courses__in=taught))
    return User.objects.filter(mine, username=username, is_active=True).distinct().first()


def users_for(user) -> QuerySet:
    """The accounts an instructor may see and pick in the admin (a course's people): those
    in courses they teach and those they made; a superuser, everyone."""
    User = get_user_model()
    if user.is_superuser:
        return User.objects.all()
    taught = Course.objects.filter(instructors=user).values("pk")
    return User.objects.filter(Q(enrolled_courses__in=taught) | Q(teaching_courses__in=taught)
                               | Q(provisioned__created_by=user) | Q(pk=user.pk)).distinct()


def regradable_attempts(exercise: Exercise, user) -> QuerySet[Attempt]:
    """The attempts at `exercise` whose submissions `user` may regrade: the one rule for
    regrading (`services.regrade_exercise` and the admin's confirmation page use it).

    A regrade changes learners' scores, so it reaches only the courses the user teaches
    (Course.instructors), even for a shared exercise (no course) that quizzes of several
    courses use; otherwise an instructor of one course could change another's grades.

    - A quiz attempt belongs to its quiz's course, whoever owns the exercise: an
      exercise of course A in a quiz of course B is B's to regrade there.
    - A practice attempt (no quiz item) belongs to the exercise's course; at a shared
      exercise, to every course its learner is enrolled in, so the instructors of any of
      them may regrade it (practice counts towards no course's grades).
    - Anyone may regrade their own practice attempt (an instructor's "preview as learner").

    Superusers regrade every attempt, inactive users none. `user=None` is the system
    itself (a shell, a task queued without a user), which regrades every attempt; the
    adapters always pass the person who asked."""
    attempts = Attempt.objects.filter(exercise=exercise)
    if user is None or (user.is_active and user.is_superuser):
        return attempts
    if not user.is_active:
        return attempts.none()
    taught = Course.objects.filter(instructors=user).values("pk")
    practice = Q(learner=user)
    if exercise.course_id is None:
        enrolled = get_user_model().objects.filter(enrolled_courses__in=taught).values("pk")
        practice |= Q(learner__in=enrolled)
    elif Course.objects.filter(pk=exercise.course_id, instructors=user).exists():
        practice = Q()
    return attempts.filter(Q(item__isnull=False, item__quiz__course__in=taught)
                           | Q(practice, item__isnull=True))


def regrade_scope(exercise: Exercise, user) -> dict:
    """What regrading `exercise` would do for `user`, for a confirmation page: per course
    the attempts and graded submissions (full, counted: the ones regraded), practice
    attempts on their own row (course None), the totals, and whether attempts the user may
    not regrade exist (only that: how many there are, and where, is other courses' own)."""
    regradable = regradable_attempts(exercise, user)
    graded = Q(submissions__kind=Submission.Kind.FULL, submissions__counted=True)
    rows = [{"course": row["item__quiz__course__title"], "attempts": row["attempts"],
             "submissions": row["submissions"]}
            for row in regradable.order_by().values(
                "item__quiz__course_id", "item__quiz__course__title").annotate(
                attempts=Count("pk", distinct=True),
                submissions=Count("submissions", filter=graded, distinct=True))]
    rows.sort(key=lambda row: (row["course"] is None, row["course"] or ""))
    others = Attempt.objects.filter(exercise=exercise).exclude(
        pk__in=regradable.values("pk")).exists()
    return {"exercise": exercise, "courses": rows, "others": others,
            "attempts": sum(row["attempts"] for row in rows),
            "submissions": sum(row["submissions"] for row in rows)}


def learner_items(user, quiz: Quiz) -> list[tuple[QuizItem, Attempt | None]]:
    items = list(quiz.items.select_related("exercise", "pool_tag"))
    by_id = {item.pk: item for item in items}
    attempts = {}
    for attempt in Attempt.objects.filter(learner=user, item__in=items):
        attempt.item = by_id[attempt.item_id]  # already read: no query per attempt
        attempts[attempt.item_id] = attempt
    return [(item, attempts.get(item.pk)) for item in items]


# -- what a learner may see ----------------------------------------------------------------
def reveals_correctness(attempt: Attempt, now=None) -> bool:
    return disclosure(attempt, now).shows_correctness(now)


def reveals_solution(attempt: Attempt, now=None) -> bool:
    """"Immediately" means once the learner has made a graded submission (or solved it):
    a solution shown before any try would be an answer key, not feedback."""
    return disclosure(attempt, now).solution_shown(attempt, now)


def step_allowed(attempt: Attempt, now=None) -> bool:
    decided = disclosure(attempt, now)
    return decided.home and decided.step_through and not closed_reason(attempt, now)


def closed_reason(attempt: Attempt, now=None) -> str:
    """Why no more answers are taken for this attempt ("" while it is open): the rule
    `services.submit` enforces and the pages explain, with the learner's accommodation."""
    quiz = attempt.item.quiz if attempt.item_id else None
    if quiz is None:
        return ""
    return accommodations.closed_reason(attempt, quiz, now or timezone.now())


def attempt_deadline(attempt: Attempt):
    quiz = attempt.item.quiz if attempt.item_id else None
    return None if quiz is None else accommodations.time_deadline(attempt, quiz)


def solution_graph(solution: dict, ask: str = Ask.GRAD) -> dict:
    """The learner's graph with every value and gradient filled in, like the notes' diagrams.
    Only for a caller that has checked `reveals_solution`."""
    graph = learner_graph(solution, ask)
    values = solution_values(solution)
    for node in graph["nodes"]:
        node.update(values[node["name"]])
    return graph


def submissions_left(attempt: Attempt) -> int | None:
    """Graded submissions still allowed on this attempt; None means unlimited (0 where
    these numbers' answers are taken by another quiz)."""
    return disclosure(attempt).submissions_left(attempt)


def learner_graph(solution: dict, ask: str = Ask.GRAD) -> dict:
    """The variant as a learner sees it: structure and the data they are given, never a
    gradient (nor local derivatives, which would give the gradients away)."""
    hide_data = ask in (Ask.DATA, Ask.BOTH)
    nodes = []
    for node in solution["nodes"]:
        item = {"name": node["name"], "kind": node["kind"], "op": node["op"],
                "inputs": list(node["inputs"]), "data": node["data"]}
        if node.get("exponent") is not None:
            item["exponent"] = node["exponent"]
        if node.get("symbol"):
            item["symbol"] = node["symbol"]
        for key in ("expression", "expression_latex"):  # a line node's label, never formulas
            if node.get(key):
                item[key] = node[key]
        if hide_data and node["kind"] == "op":
            item["data"] = None
        nodes.append(item)
    return {"output": solution["output"], "nodes": nodes}


def solution_values(solution: dict) -> dict:
    return {n["name"]: {"data": n["data"], "grad": n["grad"]} for n in solution["nodes"]}


_VERDICT_KEYS = ("valid", "error", "answer")
# What level 0 ("only ✓/✗") leaves out of a node's result.
_DIAGNOSIS_KEYS = ("misconception", "explanation", "also", "upstream", "hint", "hint_latex",
                   "ambiguous")


def learner_result(submission: Submission, now=None) -> dict:
    """A submission's result as its learner may see it: the disclosure rule decides."""
    result = submission.result
    attempt = submission.attempt
    if not submission.valid:
        # Unreadable answers: only which boxes could not be read, never a verdict.
        return {"valid": False, "score": None, "errors": result.get("errors", {}),
                "nodes": {name: {k: node.get(k) for k in _VERDICT_KEYS if k in node}
                          for name, node in result.get("nodes", {}).items()
                          if node.get("valid") is False}}
    decided = disclosure(attempt, now)
    if not decided.shows_correctness(now):
        nodes = {name: {k: node.get(k) for k in _VERDICT_KEYS if k in node}
                 for name, node in result.get("nodes", {}).items()}
        message = (gettext("Your answers are saved; this quiz does not show results.")
                   if decided.correctness_at == "never" else
                   gettext("Your answers are saved; results are shown after the due date."))
        return {"received": True, "score": None, "nodes": nodes, "message": message}
    shown = dict(result)
    level = min(decided.hint_level, result.get("hint_level", decided.hint_level))
    if level < result.get("hint_level", level):
        result = _regraded_hints(submission, level)  # the policy got stricter since
        shown = dict(result)
    if not decided.solution_shown(attempt, now):
        shown["nodes"] = {name: _without_answers(node, level)
                          for name, node in result.get("nodes", {}).items()}
    else:
        shown["nodes"] = {name: _learner_node(node)
                          for name, node in result.get("nodes", {}).items()}
    if level == 0:
        shown["nodes"] = {name: {k: v for k, v in node.items() if k not in _DIAGNOSIS_KEYS}
                          for name, node in shown["nodes"].items()}
    shown["hint_level"] = level
    return shown


def _regraded_hints(submission: Submission, level: int) -> dict:
    """The stored result graded again at a lower hint level (the verdicts are the same:
    hints never change them)."""
    from . import feedback, services
    from .grading import grade, grade_step

    attempt = submission.attempt
    policy = services.grading_policy(attempt)
    policy = type(policy)(tolerance=policy.tolerance, hint_level=level,
                          follow_through_credit=policy.follow_through_credit)
    # As the submission was graded: the variant with its kind's frozen numbers (an
    # update's η, a nudge's step) and the exercise's own rules.
    solved = services.prepared(attempt.variant, attempt.exercise)
    rules = feedback.rules_for(attempt.exercise)
    ask = submission.result.get("ask", "grad")
    if submission.kind == Submission.Kind.STEP:  # its key may be a gradient on the way
        return grade_step(solved, submission.raw_answers, policy, ask=ask, rules=rules)
    asked = list(submission.result.get("nodes", {}))
    return grade(solved, submission.raw_answers, policy, asked=asked, ask=ask, rules=rules)


_FORMULA_KEYS = ("hint_formula", "hint_formula_latex")


def _learner_node(node: dict) -> dict:
    """A node's result with one hint, under the keys "hint" / "hint_latex"."""
    if not any(key in node for key in _FORMULA_KEYS):
        return node
    return {k: v for k, v in node.items() if k not in _FORMULA_KEYS}


def _without_answers(node: dict, hint_level: int) -> dict:
    """Hint level 3 may spell out the right number; that waits for the solution policy.
    Until then the learner gets the level-2 (formula) hint the grader recorded beside it;
    a result stored before the grader did has none, so its hint stays blank."""
    shown = {k: v for k, v in node.items()
             if k not in ("expected", "correct_value", *_FORMULA_KEYS)}
    if hint_level > FORMULA_LEVEL and shown.get("hint"):
        # A level-3 hint works the numbers through to the node's correct value.
        formula = node.get("hint_formula") or None
        shown["hint"] = formula
        shown["hint_latex"] = node.get("hint_formula_latex") if formula else None
    return shown


# -- gradebook ---------------------------------------------------------------------------
def gradebook(quiz: Quiz, learners_from: int = 0, learners_count: int | None = None) -> dict:
    """Learners × items with scores (points; an override where set), for every learner or
    (a page) `learners_count` of them by username from `learners_from`; a row's total is
    the learner's quiz override (× the points) where an instructor set one."""
    items = list(quiz.items.select_related("exercise", "pool_tag"))
    enrolled = quiz.course.learners.order_by("username", "id")
    if learners_count is not None:
        enrolled = enrolled[learners_from:learners_from + learners_count]
    learners = list(enrolled)
    attempts = Attempt.objects.filter(item__quiz=quiz)
    if learners_count is not None:
        attempts = attempts.filter(learner__in=[u.pk for u in learners])
    attempts = attempts.only(
        "learner_id", "item_id", "best_score", "override_score", "graded_count", "solved",
        "updated_at")
    by_key = {(a.learner_id, a.item_id): a for a in attempts}
    overridden_ids = [a.pk for a in by_key.values() if a.override_score is not None]
    overridden = latest_overrides(quiz, overridden_ids) if overridden_ids else {}
    quiz_overridden = quiz_overrides(quiz, [u.pk for u in learners] if learners_count
                                     is not None else None)
    max_total = sum(item.points for item in items)
    rows = []
    for learner in learners:
        cells = []
        total = 0.0
        for item in items:
            attempt = by_key.get((learner.pk, item.pk))
            points = attempt.score * item.points if attempt else None
            total += points or 0
            cells.append({"item": item.pk, "best": attempt.score if attempt else None,
                          "points": points, "submissions": attempt.graded_count if attempt
                          else 0, "override": overridden.get(attempt.pk) if attempt else None,
                          "attempt": attempt.pk if attempt else None})
        override = quiz_overridden.get(learner.pk)
        if override is not None:
            total = override.score * max_total  # the quiz's own override is its total
        rows.append({"learner": learner, "cells": cells, "total": total,
                     "override": override})
    return {"quiz": quiz, "items": items, "rows": rows, "max_total": max_total}


def latest_overrides(quiz: Quiz, attempt_ids=None) -> dict:
    """Attempt id → its latest ScoreOverride, for a quiz's attempts with an override in
    force, or only those of `attempt_ids` (a gradebook page's) (one query)."""
    from .course_records import ScoreOverride

    found = ScoreOverride.objects.filter(
        attempt__item__quiz=quiz, attempt__override_score__isnull=False).order_by(
        "attempt_id", "created_at", "id")
    if attempt_ids is not None:
        found = found.filter(attempt_id__in=attempt_ids)
    return {override.attempt_id: override for override in found}


def quiz_overrides(quiz: Quiz, learner_ids=None) -> dict:
    """Learner id → their latest QuizOverride in the quiz (the quiz score an instructor
    set), for the learners given or all (one query)."""
    from .course_records import QuizOverride

    found = QuizOverride.objects.filter(quiz=quiz, latest=True)
    if learner_ids is not None:
        found = found.filter(learner_id__in=learner_ids)
    return {override.learner_id: override for override in found}


def item_statistics(quiz: Quiz, items=None) -> list[dict]:
    """Per item and node: the share of learners correct in their best graded submission,
    and the most frequent misconceptions by the share of learners who ever made them (a
    mistake fixed later still counts: "41% forgot to sum the branches at x"). Counted in
    SQL (exercises.statistics), a fixed number of queries for any class size."""
    from .statistics import node_mistakes

    found = node_mistakes(quiz)
    result = []
    for item in items if items is not None else quiz.items.select_related("exercise",
                                                                          "pool_tag"):
        entry = found.get(item.pk, {"learners": 0, "nodes": {}})
        total = entry["learners"]
        rows = []
        for name, node in sorted(entry["nodes"].items()):
            common = sorted(node["codes"].items(), key=lambda pair: (-pair[1], pair[0]))[:3]
            rows.append({"node": name, "correct": node["best_correct"],
                         "share_correct": node["best_correct"] / total if total else None,
                         "misconceptions": [
                             {"code": code, "count": count, "share": count / total,
                              "words": misconception_words(code)}
                             for code, count in common] if total else []})
        result.append({"item": item, "learners": total, "nodes": rows})
    return result


def quiz_progress(user, quizzes, attempts=None) -> dict[int, dict]:
    """Per quiz: items done and the learner's points, for the dashboard and the quiz page.

    The one rule for a learner's points in a quiz, as the gradebook and the grades API
    count them: each item's score (an instructor's override where set, else the best) ×
    its points, or, where an instructor set the learner's quiz score (QuizOverride), that
    score × the quiz's points (`overridden`). `attempts`: the learner's attempts in these
    quizzes with their items loaded, when the caller has read them already. Two queries
    (the attempts, the quiz overrides), one more where a quiz score is overridden."""
    from .course_records import QuizOverride

    if attempts is None:
        attempts = Attempt.objects.filter(learner=user, item__quiz__in=quizzes
                                          ).select_related("item")
    progress: dict[int, dict] = defaultdict(lambda: {
        "attempted": 0, "solved": 0, "points": 0.0, "shows_scores": True,
        "overridden": False})
    for attempt in attempts:
        entry = progress[attempt.item.quiz_id]
        entry["attempted"] += 1
        if not reveals_correctness(attempt):
            entry["shows_scores"] = False  # a partial score would tell what the rest is
            continue
        entry["solved"] += int(attempt.solved)
        entry["points"] += attempt.score * attempt.item.points
    overridden = dict(QuizOverride.objects.filter(
        learner=user, quiz__in=quizzes, latest=True).values_list("quiz_id", "score"))
    if overridden:
        totals = dict(QuizItem.objects.filter(quiz_id__in=overridden).values(
            "quiz_id").annotate(total=Sum("points")).values_list("quiz_id", "total"))
        for quiz_id, score in overridden.items():
            entry = progress[quiz_id]
            entry["points"] = score * (totals.get(quiz_id) or 0.0)
            entry["overridden"] = True
    return progress


def quizzes_with_items(user) -> QuerySet[Quiz]:
    return quizzes_for(user).prefetch_related(
        Prefetch("items", queryset=QuizItem.objects.select_related("exercise")))


def now():
    return timezone.now()


# Arithmetic the item page offers as examples of what a box accepts; the first few that
# are not one of the page's own answers are shown (an example must never be an answer).
_EXAMPLES = ("2/3", "-0.25", "1.5*(2 - 0.4)", "0.3*(1 - 0.3)", "4 + 6*2", "7/8", "-1.2*3")


def input_examples(solution: dict, count: int = 2) -> list[str]:
    from .grading import read_answer

    values = [n[key] for n in solution["nodes"] for key in ("data", "grad")
              if n.get(key) is not None]
    chosen = []
    for example in _EXAMPLES:
        value = read_answer(example).value
        if all(abs(value - v) > 1e-3 * max(1.0, abs(v)) for v in values):
            chosen.append(example)
        if len(chosen) == count:
            break
    return chosen


def shared_number_warnings(quiz: Quiz, now=None) -> list[str]:
    """For the admin: fixed-number exercises (no randint/choice, not perturbed) that this
    quiz shares with another running quiz under a different policy. The same numbers
    in both means answers are taken only in the stricter one while both run (the
    disclosure rule); perturbing this quiz's item gives it numbers of its own."""
    from . import services
    from .disclosure import Place

    now = now or timezone.now()
    warnings = []
    items = quiz.items.filter(exercise__isnull=False, perturb=False).select_related(
        "exercise", "quiz")
    for item in items:
        if services.has_random_inputs(item.exercise):
            continue
        others = QuizItem.objects.filter(exercise=item.exercise, perturb=False).exclude(
            quiz=quiz).filter(Q(quiz__due_at__isnull=True) | Q(quiz__due_at__gt=now)
                              ).select_related("quiz")
        mine = Place(item, quiz).strictness()[:-1]
        for other in others:
            theirs = Place(other, other.quiz).strictness()[:-1]
            if theirs == mine:
                continue
            # Two whole sentences, not a word put in one: German inflects it.
            if theirs > mine:
                text = gettext(
                    "“%(exercise)s” has no randint/choice, so learners get the same numbers "
                    "here and in the stricter quiz “%(other)s”. While both run, answers for "
                    "those numbers are taken only in the stricter quiz, and both show only what "
                    "it allows. Tick “perturb inputs” on this item to give this quiz fresh "
                    "numbers.")
            else:
                text = gettext(
                    "“%(exercise)s” has no randint/choice, so learners get the same numbers "
                    "here and in the more lenient quiz “%(other)s”. While both run, answers for "
                    "those numbers are taken only in the stricter quiz, and both show only what "
                    "it allows. Tick “perturb inputs” on this item to give this quiz fresh "
                    "numbers.")
            warnings.append(text % {"exercise": item.exercise, "other": other.quiz})
    return warnings
