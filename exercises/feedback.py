"""An exercise's own feedback: its authored buggy rules and its question tests.

- `rules_for(exercise)`: the rules the grader applies to a submission (kept per process
  for RULES_TTL seconds, so the submission hot path does not read them every time; a save
  in this process is seen at once, other hosts within the TTL).
- `check_rules(exercise, rules)`: the save-time check. A rule must work out on the example
  variant, and must not coincide there with the correct answer, another of the exercise's
  rules, or a catalogue rule (whose explanation the learner would get anyway).
- `rule_previews(exercise)`: which sample wrong answers each rule catches (learners' stored
  wrong answers at its node, and the question tests' answers).
- `run_question_tests(exercise)` / `run_all(course)`: STACK's question tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import exercise_kinds, services
from .grading import AuthoredRule, GradingPolicy, RuleError, Tolerance, grade
from .grading.authored import evaluate
from .grading.followthrough import follow_through
from .grading.misconceptions import _matches
from .grading.nodes import _site
from .models import Exercise, FeedbackRule, QuestionTest, Submission

RULES_TTL = 30.0
_RULES: dict[int, tuple[float, tuple[AuthoredRule, ...]]] = {}
PREVIEW_SUBMISSIONS = 500  # the latest stored submissions a preview looks through
CORRECT, NONE = "correct", "none"


def rules_for(exercise: Exercise) -> tuple[AuthoredRule, ...]:
    now = time.monotonic()
    cached = _RULES.get(exercise.pk)
    if cached is not None and cached[0] > now:
        return cached[1]
    rules = tuple(AuthoredRule(r.node, r.expression, r.code, r.message)
                  for r in FeedbackRule.objects.filter(exercise_id=exercise.pk))
    _RULES[exercise.pk] = (now + RULES_TTL, rules)
    return rules


def forget_rules(exercise: Exercise) -> None:
    """After the exercise's rules changed: the next submission reads them again."""
    _RULES.pop(exercise.pk, None)


def _example(exercise: Exercise, seed: int = 0):
    return services.prepared(services.get_or_create_variant(exercise, seed), exercise)


def _policy(exercise: Exercise) -> GradingPolicy:
    """The exercise's own grading (practice: no quiz's hint level or credit), with its
    kind's default tolerance unless it sets one (as services.grading_policy)."""
    kind = exercise_kinds.kind_of(exercise.ask)
    if exercise_kinds.has_own_tolerance(exercise):
        return GradingPolicy(tolerance=Tolerance(rel=exercise.tolerance_rel,
                                                 abs=exercise.tolerance_abs,
                                                 sig_figs=exercise.tolerance_sig_figs))
    return GradingPolicy(tolerance=kind.tolerance)


def _ask(exercise: Exercise) -> str:
    return exercise_kinds.kind_of(exercise.ask).name


def check_rules(exercise: Exercise, rules: list[AuthoredRule]) -> list[str | None]:
    """Per rule, why it is refused (None: it may be saved)."""
    solved = _example(exercise)
    ask = _ask(exercise)
    tol = _policy(exercise).tolerance
    values: list[float | None] = []
    problems: list[str | None] = []
    for rule in rules:
        try:
            value = evaluate(rule, solved)
        except RuleError as exc:
            values.append(None)
            problems.append(str(exc))
            continue
        values.append(value)
        i = solved.index[rule.node]
        truth = solved.grad[i] if ask == "grad" else solved.data[i]
        if tol.close(value, truth):
            problems.append(f"it gives the correct answer for {rule.node} "
                            f"on the example variant, so it would fire on right answers")
            continue
        answers = {j: (solved.grad if ask == "grad" else solved.data)[j]
                   for j in range(len(solved)) if j != i}
        ft = follow_through(solved, answers, tol, ask)
        site = _site(solved, i, ask, truth, ft, own=False)
        built_in = [m.code for m in _matches(value, site, tol) if m.code != "authored"]
        problems.append(f"it gives the same number as the catalogue's {built_in[0]} rule, "
                        "which already explains it" if built_in else None)
    for k, (rule, value) in enumerate(zip(rules, values, strict=True)):
        for m in range(k):
            other = rules[m]
            if (problems[k] is None and value is not None and values[m] is not None
                    and other.node == rule.node and tol.close(value, values[m])):
                problems[k] = (f"it gives the same number as the rule {other.code} for "
                               f"{rule.node}: learners could not be told apart")
    return problems


@dataclass
class RulePreview:
    rule: FeedbackRule
    value: float | None  # the rule's number on the example variant
    error: str | None
    caught: list[str] = field(default_factory=list)  # sample answers it catches
    looked_at: int = 0


def rule_previews(exercise: Exercise) -> list[RulePreview]:
    solved = _example(exercise)
    tol = _policy(exercise).tolerance
    samples = _sample_answers(exercise)
    previews = []
    for row in exercise.feedback_rules.all():
        rule = AuthoredRule(row.node, row.expression, row.code, row.message)
        try:
            value = evaluate(rule, solved)
        except RuleError as exc:
            previews.append(RulePreview(row, None, str(exc)))
            continue
        typed = samples.get(row.node, [])
        caught = [text for text, number in typed if tol.close(number, value)]
        previews.append(RulePreview(row, value, None, caught[:10], len(typed)))
    return previews


def _sample_answers(exercise: Exercise) -> dict[str, list[tuple[str, float]]]:
    """Wrong answers learners typed on the example variant, and the question tests'."""
    found: dict[str, list[tuple[str, float]]] = {}
    submissions = Submission.objects.filter(
        attempt__exercise=exercise, attempt__variant__seed=0, kind=Submission.Kind.FULL,
        valid=True).order_by("-id").values_list("result", flat=True)[:PREVIEW_SUBMISSIONS]
    for result in submissions:
        for name, node in (result or {}).get("nodes", {}).items():
            if node.get("correct") is False and isinstance(node.get("value"), int | float):
                found.setdefault(name, []).append((str(node.get("answer")), node["value"]))
    for test in exercise.question_tests.filter(seed=0):
        result = grade(_example(exercise), test.answers, ask=_ask(exercise))
        for name, node in result["nodes"].items():
            if isinstance(node.get("value"), int | float):
                found.setdefault(name, []).append((f"{node['answer']} ({test.name})",
                                                   node["value"]))
    return found


@dataclass
class TestResult:
    test: QuestionTest
    passed: bool
    problems: list[str]
    score: float | None = None


def run_question_tests(exercise: Exercise) -> list[TestResult]:
    return [run_question_test(test) for test in exercise.question_tests.all()]


def run_question_test(test: QuestionTest) -> TestResult:
    exercise = test.exercise
    try:
        solved = _example(exercise, test.seed)
        result = grade(solved, test.answers if isinstance(test.answers, dict) else {},
                       _policy(exercise),
                       asked=services.asked_nodes(exercise, solved), ask=_ask(exercise),
                       rules=rules_for(exercise))
    except (ValueError, services.ServiceError) as exc:
        return TestResult(test, False, [f"cannot be graded: {exc}"])
    problems = []
    if test.expected_score is not None and abs(result["score"] - test.expected_score) > 1e-4:
        problems.append(f"score {result['score']:g}, expected {test.expected_score:g}")
    # In the graph's order, not the stored object's: PostgreSQL's jsonb keeps its keys
    # sorted, SQLite as written, and a report must read the same on both.
    order = {name: k for k, name in enumerate(result["nodes"])}
    expectations = test.expected or {}
    for name in sorted(expectations, key=lambda n: (order.get(n, len(order)), n)):
        expected = expectations[name]
        node = result["nodes"].get(name)
        if node is None:
            problems.append(f"{name}: not asked in this exercise")
            continue
        got = _outcome(node)
        if got != expected:
            problems.append(f"{name}: {got}, expected {expected}")
    return TestResult(test, not problems, problems, result["score"])


def _outcome(node: dict) -> str:
    """A node's result as a question test names it."""
    if node.get("correct"):
        return CORRECT
    if node.get("misconception") == "authored" and node.get("rule"):
        return node["rule"]
    return node.get("misconception") or NONE


def run_all(course=None) -> list[TestResult]:
    exercises = Exercise.objects.filter(question_tests__isnull=False).distinct()
    if course is not None:
        exercises = exercises.filter(course=course)
    return [result for exercise in exercises.order_by("id")
            for result in run_question_tests(exercise)]


def one_mistake_test(exercise: Exercise, name: str, mistakes: dict[str, str],
                     expected: dict[str, str]) -> QuestionTest:
    """A question test on the example variant: every asked node answered right (its exact
    value) except `mistakes`, so the score to expect is one wrong node of N per mistake."""
    variant = services.get_or_create_variant(exercise, 0)
    solved = services.prepared(variant, exercise)
    asked = services.asked_nodes(exercise, solved)
    ask = _ask(exercise)
    if ask in ("grad", "data"):
        field_name = "data_exact" if ask == "data" else "grad_exact"
        exact = {n["name"]: n[field_name] for n in variant.graph["nodes"]}
        answers = {node: exact[node] for node in asked}
    else:  # the kind's own keys: their correct numbers
        kind = exercise_kinds.kind_of(exercise.ask)
        answers = {key: repr(kind.truth(solved, key)) for key in asked}
    unknown = set(mistakes) - set(answers)
    if unknown:
        raise services.ServiceError(f"not asked in {exercise.title}: {', '.join(unknown)}")
    answers.update(mistakes)
    score = round((len(asked) - len(mistakes)) / len(asked), 4)
    return QuestionTest.objects.create(exercise=exercise, name=name, answers=answers,
                                       expected_score=score, expected=dict(expected))


def demo_question_tests(exercise: Exercise, mistakes: list[tuple[str, dict, dict]]) -> None:
    """An exercise's all-correct test and its one-mistake tests (the demo course's)."""
    one_mistake_test(exercise, "all correct", {}, {})
    for name, typed, expected in mistakes:
        one_mistake_test(exercise, name, typed, expected)
