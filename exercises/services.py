"""Writes: every change to the quiz bank goes through one of these functions.

Views, serializers and the admin validate input and call these; they hold no rules of
their own. Errors a user can cause are raised as `ServiceError` subclasses with a clear
message (the adapters turn them into 400/403/409 responses or form errors).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from lti import grade_sync

from . import (
    accommodations,
    attempt_marks,
    disclosure,
    exercise_kinds,
    feedback,
    grading_time,
    metrics,
    revisions,
    selectors,
)
from .engine import ProgramError, build_text, is_mermaid, parse, solve_text
from .engine.perturb import perturbed as perturbed_graph
from .grading import (
    GradingPolicy,
    SettingError,
    Settings,
    Solved,
    Tolerance,
    grade,
    grade_step,
    prepare,
    read_answer,
)
from .models import (
    Ask,
    Attempt,
    Course,
    Exercise,
    Granularity,
    ProvisionedAccount,
    QuizItem,
    Regrade,
    Submission,
    Tag,
    Variant,
)
from .statistics import marks_of
from .submission_sql import COUNTERS, read_own_attempt, store


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidProgram(ServiceError):
    def __init__(self, error: ProgramError):
        super().__init__(str(error), line=error.line, problem=error.message)


class InvalidAnswers(ServiceError):
    """Some answers could not be read; the submission is stored but costs no attempt."""

    def __init__(self, submission: Submission, errors: dict):
        super().__init__("some answers could not be read", errors=errors)
        self.submission = submission
        self.errors = errors


class Conflict(ServiceError):
    status = 409


class NotAllowed(ServiceError):
    status = 403


# -- exercises --------------------------------------------------------------------------
def solve_source(source: str, seed: int = 0, granularity: str = Granularity.LINE,
                 perturb: bool = False):
    """The solved graph of a program or diagram, one node per line or per gate (an exercise's
    `granularity`); ProgramError becomes InvalidProgram. `perturb`: its literal inputs
    jittered from the seed (a perturbed quiz item)."""
    try:
        if perturb:
            return perturbed_graph(
                lambda: build_text(source, seed=seed, granularity=granularity), seed)
        return solve_text(source, seed=seed, granularity=granularity)
    except ProgramError as exc:
        raise InvalidProgram(exc) from None


def validate_exercise_source(program: str, mermaid: str = "", asked_nodes=(),
                             ask: str = Ask.GRAD, settings: Settings | None = None,
                             granularity: str = Granularity.LINE) -> None:
    source = program if program.strip() else mermaid
    if not source.strip():
        raise ServiceError("write a program or a Mermaid flowchart")
    if granularity not in Granularity.values:
        raise ServiceError(f"granularity must be one of {', '.join(Granularity.values)}")
    graph = solve_source(source, granularity=granularity)
    if program.strip() and mermaid.strip():
        solve_source(mermaid, granularity=granularity)  # both must be readable
    if exercise_kinds.kind_of(ask).name not in ("grad", "data"):
        # The kind's own keys and settings (edges, parameters, the nudged input and h).
        try:
            exercise_kinds.check(ask, settings or Settings(), graph, list(asked_nodes or ()))
        except SettingError as exc:
            raise ServiceError(str(exc), field=exc.field) from None
        except ValueError as exc:  # the asked keys
            raise ServiceError(str(exc), asked_nodes=list(asked_nodes or ())) from None
        return
    unknown = [name for name in asked_nodes or () if name not in graph.by_name]
    if unknown:
        raise ServiceError(f"asked nodes not in the graph: {', '.join(unknown)}",
                           asked_nodes=unknown)
    consts = [name for name in asked_nodes or () if graph[name].kind == "const"]
    if consts:
        raise ServiceError(f"constants have no gradient to ask for: {', '.join(consts)}")


@transaction.atomic
def create_exercise(*, title: str, program: str = "", mermaid: str = "", author=None,
                    course: Course | None = None, difficulty: int = 1, tags: Iterable[str] = (),
                    ask: str = Ask.GRAD, tolerance: dict | None = None,
                    asked_nodes: list[str] | None = None, learning_rate: float | None = None,
                    parameters: list[str] | None = None, nudge_input: str = "",
                    nudge_h: float | None = None,
                    granularity: str = Granularity.LINE) -> Exercise:
    """A new exercise with its seed-0 variant. The kind's settings: `learning_rate` and
    `parameters` (default: every input) for update, `nudge_input` and `nudge_h` (default
    0.001) for nudge; checked against the program here, with the asked keys. `granularity`:
    one node per program line (default) or per gate."""
    settings = Settings(learning_rate=learning_rate,
                        parameters=tuple(parameters) if parameters else None,
                        nudge_input=nudge_input or None, nudge_h=nudge_h)
    validate_exercise_source(program, mermaid, asked_nodes, ask, settings, granularity)
    tolerance = tolerance or {}
    exercise = Exercise(
        title=title, program=program, mermaid=mermaid, author=author, course=course,
        difficulty=difficulty, ask=ask, asked_nodes=list(asked_nodes or []),
        granularity=granularity,
        tolerance_rel=tolerance.get("rel", 1e-2), tolerance_abs=tolerance.get("abs", 1e-6),
        tolerance_sig_figs=tolerance.get("sig_figs"), learning_rate=learning_rate,
        parameters=list(parameters or []), nudge_input=nudge_input or "", nudge_h=nudge_h)
    exercise._history_user = author  # the first entry of its revision history
    exercise.save()
    set_tags(exercise, tags)
    get_or_create_variant(exercise, 0)
    return exercise


def set_tags(exercise: Exercise, names: Iterable[str]) -> None:
    tags = [Tag.objects.get_or_create(name=name.strip().lower())[0]
            for name in names if name.strip()]
    exercise.tags.set(tags)


def create_generated_exercises(programs: list[str], difficulty: int, tag: str | None = None,
                               course: Course | None = None, author=None) -> list[Exercise]:
    created = []
    for number, program in enumerate(programs, start=1):
        first = program.splitlines()[0].lstrip("# ").strip() if program.startswith("#") else ""
        title = first or f"Generated exercise {number} (difficulty {difficulty})"
        created.append(create_exercise(
            title=title, program=program, difficulty=difficulty, course=course, author=author,
            tags=[tag] if tag else [f"difficulty-{difficulty}"]))
    return created


@transaction.atomic
def duplicate_exercise(exercise: Exercise, author=None) -> Exercise:
    copy = Exercise.objects.create(
        course=exercise.course, title=f"{exercise.title} (copy)", program=exercise.program,
        mermaid=exercise.mermaid, difficulty=exercise.difficulty, ask=exercise.ask,
        granularity=exercise.granularity, tolerance_rel=exercise.tolerance_rel,
        tolerance_abs=exercise.tolerance_abs,
        tolerance_sig_figs=exercise.tolerance_sig_figs, asked_nodes=exercise.asked_nodes,
        learning_rate=exercise.learning_rate, parameters=exercise.parameters,
        nudge_input=exercise.nudge_input, nudge_h=exercise.nudge_h,
        author=author or exercise.author)
    copy.tags.set(exercise.tags.all())
    get_or_create_variant(copy, 0)
    return copy


def variant_seed(exercise: Exercise, learner_id: int | None, salt: str = "",
                 perturb: bool = False) -> int:
    """Every learner gets their own numbers, the same ones on every reload. An exercise
    without randint/choice has one set of numbers (seed 0) unless a quiz item perturbs it."""
    if learner_id is None or not (perturb or has_random_inputs(exercise)):
        return 0
    digest = hashlib.sha256(f"{exercise.pk}:{learner_id}:{salt}".encode()).hexdigest()
    return int(digest[:12], 16)


def item_seed(exercise: Exercise, learner_id: int, item: QuizItem | None) -> tuple[int, bool]:
    """(seed, perturbed) of the variant a learner gets at a quiz item (None: practice)."""
    if item is None:
        return variant_seed(exercise, learner_id, "practice"), False
    perturb = item.perturb and not has_random_inputs(exercise)
    return variant_seed(exercise, learner_id, f"item:{item.pk}", perturb), perturb


def has_random_inputs(exercise: Exercise) -> bool:
    return source_has_random_inputs(exercise.source)


def source_has_random_inputs(source: str) -> bool:
    if is_mermaid(source):
        return False
    try:
        return parse(source).has_random_inputs
    except ProgramError:
        return False


def get_or_create_variant(exercise: Exercise, seed: int, perturbed: bool = False) -> Variant:
    """The frozen solution for (exercise, seed): computed once, never recomputed (a variant
    made before its exercise asked an update or a nudge gets those numbers added, once)."""
    key = {"exercise": exercise, "seed": seed, "perturbed": perturbed}
    existing = Variant.objects.filter(**key).first()
    if existing:
        _with_frozen(exercise, existing)
        return existing
    solution = solve_variant(exercise, seed, perturbed)
    try:
        with transaction.atomic():
            return Variant.objects.create(**key, graph=solution,
                                          revision_id=revisions.current_id(exercise))
    except IntegrityError:  # made concurrently by another request: use that one
        return Variant.objects.get(**key)


def solve_variant(exercise: Exercise, seed: int, perturbed: bool = False) -> dict:
    """The solution a variant of the exercise freezes: its source solved for the seed (its
    inputs jittered where a quiz item perturbs them), with its kind's numbers."""
    graph = solve_source(exercise.source, seed, exercise.granularity, perturb=perturbed)
    try:
        return exercise_kinds.solution(exercise, graph)
    except ProgramError as exc:
        raise InvalidProgram(exc) from None
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def variant_solution(exercise: Exercise, variant: Variant) -> dict:
    """The variant's stored solution with the numbers its exercise's kind freezes."""
    return _with_frozen(exercise, variant)


def _with_frozen(exercise: Exercise, variant: Variant) -> dict:
    try:
        return exercise_kinds.with_frozen(exercise, variant)
    except ProgramError as exc:
        raise InvalidProgram(exc) from None


def asked_nodes(exercise: Exercise, solution: dict | Solved) -> list[str]:
    """The keys the exercise asks about (node names; "z2/a1" edges for local, parameters
    for update, "nudged" and "slope" for nudge), from its stored solution or a prepared
    one."""
    if exercise.asked_nodes and exercise_kinds.kind_of(exercise.ask).name in ("grad", "data"):
        return list(exercise.asked_nodes)  # checked when the exercise was saved
    try:
        return exercise_kinds.asked_keys(exercise, solution)
    except ValueError as exc:
        raise ServiceError(f"this exercise cannot be graded: {exc}") from None


# -- learners and courses --------------------------------------------------------------
@transaction.atomic
def create_learner(*, username: str, password: str, email: str = "",
                   course: Course | None = None, created_by=None, created_by_key=None):
    """A new account, recorded as made by an instructor or an integration key: they may
    later enrol it in their other courses (selectors.enrollable_user)."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"the username '{username}' is taken", field="username")
    user = User.objects.create_user(username=username, password=password, email=email)
    ProvisionedAccount.objects.create(user=user, created_by=created_by,
                                      created_by_key=created_by_key)
    if course is not None:
        course.learners.add(user)
    return user


def enroll_learner(course: Course, user) -> bool:
    """Add a user to a course's learners (the caller found them with
    selectors.enrollable_user); False if they were enrolled already."""
    if course.learners.filter(pk=user.pk).exists():
        return False
    course.learners.add(user)
    return True


def default_course_for(instructor) -> Course:
    """The course an instructor's new exercises and learners go to when none is named."""
    course = instructor.teaching_courses.order_by("id").first()
    if course is None:
        course = Course.objects.create(title=f"{instructor.get_username()}'s course")
        course.instructors.add(instructor)
    return course


# -- attempts and submissions ----------------------------------------------------------
def pool_candidates(item: QuizItem):
    """The exercises a pool item draws from: its tag (and difficulty), in the quiz's course
    or shared. (The bank export carries the same set.)"""
    candidates = Exercise.objects.filter(tags=item.pool_tag).order_by("id")
    candidates = candidates.filter(course__in=[item.quiz.course_id, None])
    if item.pool_difficulty:
        candidates = candidates.filter(difficulty=item.pool_difficulty)
    return candidates


def pool_exercise(item: QuizItem, learner) -> Exercise:
    ids = list(pool_candidates(item).values_list("id", flat=True))
    if not ids:
        raise ServiceError(f"the pool '{item}' has no exercises")
    digest = hashlib.sha256(f"pool:{item.pk}:{learner.pk}".encode()).hexdigest()
    return Exercise.objects.get(pk=ids[int(digest[:12], 16) % len(ids)])


def start_attempt(learner, *, item: QuizItem | None = None,
                  exercise: Exercise | None = None) -> tuple[Attempt, bool]:
    """The learner's attempt at a quiz item (or practice on an exercise): made once, then
    the same one — with the same variant — on every later call."""
    if item is not None:
        existing = Attempt.objects.filter(learner=learner, item=item).first()
        if existing:
            return existing, False
        if not item.quiz.is_open():
            raise NotAllowed(gettext("this quiz is not open yet"))
        exercise = item.exercise or pool_exercise(item, learner)
    else:
        existing = Attempt.objects.filter(learner=learner, exercise=exercise,
                                          item__isnull=True).first()
        if existing:
            return existing, False
    variant = get_or_create_variant(exercise, *item_seed(exercise, learner.pk, item))
    limits = accommodations.new_attempt_fields(learner, item.quiz) if item is not None else {}
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(learner=learner, item=item, exercise=exercise,
                                             variant=variant, **limits)
    except IntegrityError:  # a double click made it already
        lookup = {"item": item} if item is not None else {"exercise": exercise,
                                                         "item__isnull": True}
        return Attempt.objects.get(learner=learner, **lookup), False
    disclosure.disclosure(attempt)  # decided now, so submissions find it stored
    return attempt, True


def start_practice(learner, exercise: Exercise) -> tuple[Attempt, bool]:
    """Practice on an exercise outside any quiz: results and the solution at once, tries
    unlimited — unless its numbers are in a running quiz for this learner, where the
    disclosure rule hands them to that quiz (the practice attempt then takes no answers)."""
    return start_attempt(learner, exercise=exercise)


def grading_policy(attempt: Attempt, decided: disclosure.Disclosure | None = None
                   ) -> GradingPolicy:
    """The exercise's tolerance, the place's follow-through credit, and the hint level the
    disclosure rule allows for these numbers."""
    exercise = attempt.exercise
    tolerance = None  # the kind's default (kinds.py) unless the exercise sets its own
    if exercise_kinds.has_own_tolerance(exercise):
        tolerance = Tolerance(rel=exercise.tolerance_rel, abs=exercise.tolerance_abs,
                              sig_figs=exercise.tolerance_sig_figs)
    quiz = attempt.item.quiz if attempt.item_id else None
    credit = quiz.follow_through_credit if quiz else GradingPolicy().follow_through_credit
    # Without a decision (a regrade, for the record): the place's own level; what a learner
    # is shown is cut to the decision's level when it is read (selectors.learner_result).
    level = decided.hint_level if decided else (
        quiz.hint_level if quiz else GradingPolicy().hint_level)
    return GradingPolicy(tolerance=tolerance, hint_level=level, follow_through_credit=credit)


def _check_open(attempt: Attempt, now, decided: disclosure.Disclosure, kind: str) -> None:
    reason = selectors.closed_reason(attempt, now)
    if reason:
        raise Conflict(reason)
    if not decided.home:
        raise Conflict(decided.elsewhere_text())
    if kind == Submission.Kind.STEP and not decided.step_through:
        raise NotAllowed(gettext("Step-through is not offered here: it is only where tries "
                                 "are unlimited, cost nothing and are checked at once."))


_PREPARED: dict[tuple, Solved] = {}  # variant → its solution, read for the grader
_PREPARED_MAX = 1024


def prepared(variant: Variant, exercise: Exercise | None = None) -> Solved:
    """The variant's solution as the grader reads it, kept per process: a variant never
    changes, and its hints are built once for all of its submissions. Keyed by id and
    creation time, since an id can come back after a rollback (SQLite). Only a miss reads
    the stored solution (the hot path loads variants without it), or a kept one without
    the numbers `exercise`'s kind freezes (its kind was changed since)."""
    key = (variant.pk, variant.created_at)
    solved = _PREPARED.get(key)
    kind = exercise_kinds.kind_of(exercise.ask) if exercise is not None else None
    if solved is None or (kind and kind.freeze and kind.name not in solved.frozen):
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()  # crude but thread-safe bound; a miss costs one read
        solution = _with_frozen(exercise, variant) if exercise is not None else variant.graph
        solved = _PREPARED[key] = prepare(solution)
    return solved


class NotYours(ServiceError):
    """No such attempt among the caller's own (the API then tells 404 from 403)."""

    status = 404


def submit(attempt: Attempt, answers: dict, *, kind: str = Submission.Kind.FULL) -> Submission:
    """Grade and store one submission. Invalid answers are stored too, cost nothing, and
    raise InvalidAnswers; a submission past the allowed number raises Conflict (409)."""
    _check_shape(answers)
    return _grade_and_store(attempt, answers, kind)


def submit_own(learner, attempt_id: int, answers: dict, *, given: str = "grads",
               kind: str = Submission.Kind.FULL) -> Submission:
    """The one way a learner answers (the API, which the pages call too): a submission or
    a step check (`kind`) on their own attempt (`given`: "answers", or "grads" or "data",
    the older fields for those kinds), read with its exercise, quiz and stored disclosure
    in one query: this is the hot path of a quiz's last minute. NotYours when the attempt
    is not the learner's."""
    _check_shape(answers)
    attempt = read_own_attempt(attempt_id, learner.pk)
    if attempt is None:
        raise NotYours("Not found.")
    ask = attempt.exercise.ask
    legacy = {Ask.GRAD: ("grads",), Ask.BOTH: ("grads",), Ask.DATA: ("grads", "data")}
    if given != "answers" and given not in legacy.get(ask, ()):
        fix = "send grads" if ask in (Ask.GRAD, Ask.BOTH) else "send answers"
        raise ServiceError(f"this exercise asks for {_ASKS_FOR[ask]}: {fix}", field=given)
    return _grade_and_store(attempt, answers, kind)


_ASKS_FOR = {Ask.GRAD: "gradients", Ask.BOTH: "gradients", Ask.DATA: "forward values",
             Ask.LOCAL: "local derivatives", Ask.UPDATE: "updated parameters",
             Ask.NUDGE: "a nudge"}


def _check_shape(answers) -> None:
    if not isinstance(answers, dict):
        raise ServiceError("answers must be an object of node name to answer")


_RACES = 100  # concurrent submissions one submission may lose to before it gives up


def _grade_and_store(attempt: Attempt, answers: dict, kind: str) -> Submission:
    """Grade, then store the submission with the attempt's new counters in one step that
    only succeeds if the counters are still as read (submission_sql.store). Concurrent
    submissions to one attempt (a double click, several tabs, a script) each count from
    the others' results, so a quiz's attempt limit holds on any number of app hosts,
    without holding a lock while grading. One that lost the race reads the counters again
    and is counted anew; its grading stands, as it does not depend on them."""
    now = timezone.now()
    decided = disclosure.disclosure(attempt, now)
    _check_open(attempt, now, decided, kind)
    quiz = attempt.item.quiz if attempt.item_id else None
    solved = prepared(attempt.variant, attempt.exercise)
    ask = exercise_kinds.kind_of(attempt.exercise.ask).name
    asked = asked_nodes(attempt.exercise, solved)
    step = kind == Submission.Kind.STEP
    if step:
        if len(answers) != 1:
            raise ServiceError("a step check takes exactly one answer")
        # An asked key, or a gradient on the way (a local chain's product, an update's
        # ∂L/∂w): exercise_kinds.step_keys says which.
        checkable = asked + exercise_kinds.step_keys(attempt.exercise, solved)
        unknown = [name for name in answers if name not in checkable]
        if unknown:
            raise ServiceError(f"not asked in this exercise: {', '.join(unknown)}")
        asked = list(answers)
    unreadable = _unreadable(answers, asked)
    if unreadable:
        # Nothing else is graded: a free submission must not tell whether the readable
        # answers are right (not in its result, not in how long it takes).
        result = {"valid": False, "errors": unreadable, "score": 0.0, "nodes": {
            name: {"valid": False, "error": error, "answer": _as_text(answers.get(name))}
            for name, error in unreadable.items()}}
    else:
        policy, rules = grading_policy(attempt, decided), feedback.rules_for(attempt.exercise)
        started = time.perf_counter()
        with metrics.GRADING_SECONDS.time():
            result = (grade_step(solved, answers, policy, ask=ask, rules=rules) if step else
                      grade(solved, answers, policy, asked=asked, ask=ask, rules=rules))
        # Its time must not tell the verdicts (a step check is only where they are shown).
        if not decided.shows_correctness(now):
            key = (attempt.variant_id, attempt.variant.created_at, policy, ask, tuple(asked),
                   rules)
            grading_time.pad(started, grading_time.budget(key, lambda: grade(
                solved, grading_time.all_wrong(asked), policy, asked=asked, ask=ask,
                rules=rules)))
    valid = result.get("valid", True)
    counted = valid and kind == Submission.Kind.FULL
    raw_score = float(result.get("score", 0)) if valid else 0.0
    parsed = {name: node.get("value") for name, node in result.get("nodes", {}).items()}
    marks = marks_of(result) if valid else []
    limit = decided.attempts_allowed  # the strictest place's, with the learner's extra ones
    for _ in range(_RACES):
        if counted and limit is not None and attempt.graded_count >= limit:
            raise Conflict(gettext("no attempts left: {limit} allowed").format(limit=limit))
        penalty = quiz.retry_penalty * attempt.graded_count if quiz and counted else 0.0
        score = max(0.0, raw_score - penalty) if counted else 0.0
        submission = Submission(
            attempt=attempt, kind=kind, raw_answers=answers, parsed=parsed, result=result,
            valid=valid, counted=counted, raw_score=raw_score, score=score, created_at=now,
            marks=marks)
        counters = None
        if counted:
            counters = {"graded_count": attempt.graded_count + 1,
                        "best_score": max(attempt.best_score, score),
                        "solved": attempt.solved or raw_score >= 1.0, "updated_at": now,
                        **attempt_marks.appended(attempt, score, marks)}
        if store(submission, counters):
            break
        fresh = Attempt.objects.filter(pk=attempt.pk).values(
            *COUNTERS, *attempt_marks.FIELDS).get()
        for name, value in fresh.items():
            setattr(attempt, name, value)
    else:
        raise Conflict(gettext("too many submissions to this attempt at once: try again"))
    metrics.SUBMISSIONS_GRADED.labels(kind=kind, valid=valid).inc()
    improved = counters is not None and counters["best_score"] != attempt.best_score
    for name, value in (counters or {}).items():
        setattr(attempt, name, value)
    if improved:
        grade_sync.best_score_changed(attempt)  # LTI: the LMS's grade column
    if not valid:
        raise InvalidAnswers(submission, result.get("errors", {}))
    return submission


def _unreadable(answers: dict, asked: list[str]) -> dict[str, str]:
    errors = {}
    for name in asked:
        read = read_answer(answers.get(name))
        if not read.valid:
            errors[name] = read.error
    return errors


def _as_text(raw) -> str | None:
    return None if raw is None else str(raw)


def regrade_exercise(exercise: Exercise, *, by=None, reason: str = "",
                     progress=None) -> list[Regrade]:
    """Grade the stored full submissions again under the exercise's current settings.
    The submissions stay as they were; each regrade is recorded with old and new scores,
    and a learner's best score never goes down. Set-based (resolve.regrade_attempts).

    Only the attempts `by` may regrade are touched (`selectors.regradable_attempts`, the
    one rule: attempts in the courses they teach, practice by those courses' learners,
    their own practice; superusers everything; `by=None`, the system, everything). A shared
    exercise used in other courses' quizzes leaves those courses' scores as they are; a
    user who may regrade nothing gets an empty list."""
    from .resolve import regrade_attempts

    return regrade_attempts(exercise, selectors.regradable_attempts(exercise, by), by=by,
                            reason=reason, progress=progress)
