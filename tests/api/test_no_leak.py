"""No learner-facing response holds a correct gradient before the quiz policy allows it.

Each scenario walks every endpoint a learner can call and searches the JSON (keys, numbers
and numbers inside text such as hints) for solution keys and for the exercise's correct
gradients. The exercises are chosen so that those gradients differ from every forward
value a learner is legitimately shown.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import find_leaks, start, submit
from django.utils import timezone

from exercises import services
from exercises.demo import read
from exercises.models import Quiz, QuizItem, Reveal, Submission

pytestmark = pytest.mark.django_db

EXAMPLES = ["sigmoid_neuron.txt", "staged_fxy.txt", "two_weight_network.txt"]


def secrets_of(exercise, shown_values=()) -> list[float]:
    """The correct gradients that are neither trivial (0, ±1) nor equal to a value the
    learner is shown anyway."""
    solution = services.get_or_create_variant(exercise, 0).graph
    given = [n["data"] for n in solution["nodes"]] + list(shown_values)
    return sorted({n["grad"] for n in solution["nodes"]
                   if abs(n["grad"]) not in (0.0, 1.0)
                   and all(abs(n["grad"] - v) > 1e-3 * max(1, abs(v)) for v in given)})


FORMULA_KEYS = {"hint_formula", "hint_formula_latex"}


def instructor_nodes(cast, attempt_id: int) -> dict:
    """The grader's full result for the attempt's latest submission, as instructors see it."""
    body = cast.client("instructor").get(f"/api/v1/attempts/{attempt_id}/").json()
    return body["submissions"][-1]["nodes"]


def learner_bodies(client, cast, exercise, attempt_id: int | None = None) -> dict:
    """Every learner GET (and the idempotent attempt POSTs), by URL."""
    urls = ["/api/v1/courses/", f"/api/v1/courses/{cast.course.pk}/", "/api/v1/quizzes/",
            "/api/v1/exercises/", f"/api/v1/exercises/{exercise.pk}/", "/api/v1/attempts/"]
    for quiz in Quiz.objects.filter(course=cast.course):
        urls.append(f"/api/v1/quizzes/{quiz.pk}/")
    if attempt_id is not None:
        urls += [f"/api/v1/attempts/{attempt_id}/", f"/api/v1/attempts/{attempt_id}/solution/"]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        bodies[url] = response.json()
    return bodies


def assert_clean(bodies: dict, secrets: list[float]):
    assert secrets, "pick an exercise whose gradients differ from its values"
    leaks = {url: found for url, body in bodies.items() if (found := find_leaks(body, secrets))}
    assert leaks == {}


def test_the_detector_finds_a_solution(cast):
    """The walker would notice: an instructor's view of the same exercise is full of them."""
    exercise = services.create_exercise(title="n", program=read("sigmoid_neuron.txt"),
                                        course=cast.course)
    body = cast.client("instructor").get(f"/api/v1/exercises/{exercise.pk}/").json()
    found = find_leaks(body, secrets_of(exercise))
    assert any("(key)" in f for f in found) and any("grad = " in f for f in found)
    assert find_leaks({"hint": "so ∂f/∂w0 = -0.1966."}, [-0.19661193324148188])


@pytest.mark.parametrize("program", EXAMPLES)
def test_practice_before_any_graded_submission(cast, program):
    exercise = services.create_exercise(title="practice", program=read(program),
                                        course=cast.course)
    learner = cast.client("learner_a")
    attempt = start(learner, exercise.pk)
    bodies = {"start": attempt}
    # An unreadable answer is stored but not graded: it must not unlock the solution.
    invalid = submit(learner, attempt["id"], {attempt["ask"][0]: "2*(", attempt["ask"][1]: "7"})
    assert invalid.status_code == 400
    bodies["invalid submission"] = invalid.json()
    bodies.update(learner_bodies(learner, cast, exercise, attempt["id"]))
    assert learner.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 403
    assert_clean(bodies, secrets_of(exercise, shown_values=[7.0]))


@pytest.mark.parametrize("hint_level", [2, 3])  # 3 works the numbers through
@pytest.mark.parametrize("program", EXAMPLES)
def test_quiz_that_never_shows_the_solution(cast, program, hint_level):
    exercise = services.create_exercise(title="exam", program=read(program),
                                        course=cast.course)
    quiz = Quiz.objects.create(course=cast.course, title="exam", show_solution=Reveal.NEVER,
                               hint_level=hint_level)
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
    learner = cast.client("learner_a")
    started = learner.post(f"/api/v1/quiz-items/{item.pk}/attempts/")
    assert started.status_code == 201
    attempt = started.json()
    wrong = {name: "2.5" for name in attempt["ask"]}  # 2.5 is no value in these graphs
    graded = submit(learner, attempt["id"], wrong)
    assert graded.status_code == 201
    body = graded.json()
    assert body["score"] is not None
    # At level 3 the hint the learner gets is the formula (level 2) one, not the numbers.
    assert any(n["hint"] for n in body["nodes"].values())
    if hint_level == 3:
        full = instructor_nodes(cast, attempt["id"])
        for name, node in body["nodes"].items():
            assert node["hint"] == full[name]["hint_formula"] != full[name]["hint"], name
            assert node["hint_latex"] == full[name]["hint_formula_latex"], name
    assert not any(FORMULA_KEYS & set(n) for n in body["nodes"].values())
    bodies = {"start": attempt, "graded": body}
    bodies.update(learner_bodies(learner, cast, exercise, attempt["id"]))
    assert learner.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 403
    assert_clean(bodies, secrets_of(exercise, shown_values=[2.5]))


def level_3_quiz_attempt(cast, program: str, show_solution: str, due_at=None):
    """A learner's graded, all-wrong submission in a level-3 quiz: (client, exercise,
    attempt, the submission's response body)."""
    exercise = services.create_exercise(title="level 3", program=read(program),
                                        course=cast.course)
    quiz = Quiz.objects.create(course=cast.course, title="level 3", hint_level=3,
                               show_solution=show_solution, due_at=due_at)
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
    learner = cast.client("learner_a")
    attempt = learner.post(f"/api/v1/quiz-items/{item.pk}/attempts/").json()
    graded = submit(learner, attempt["id"], {name: "2.5" for name in attempt["ask"]})
    assert graded.status_code == 201
    return learner, exercise, attempt, graded.json()


@pytest.mark.parametrize("program", EXAMPLES)
def test_level_3_hints_wait_for_the_solution_and_show_the_formula_until_then(cast, program):
    due = timezone.now() + timedelta(days=1)
    learner, exercise, attempt, body = level_3_quiz_attempt(cast, program, Reveal.AFTER_DUE,
                                                            due_at=due)
    secrets = secrets_of(exercise, shown_values=[2.5])
    full = instructor_nodes(cast, attempt["id"])
    # Instructors see both hints; the worked one holds correct gradients.
    assert all(full[name]["hint"] and full[name]["hint_formula"] for name in attempt["ask"])
    assert find_leaks({name: n["hint"] for name, n in full.items()}, secrets)
    assert not find_leaks({name: n["hint_formula"] for name, n in full.items()}, secrets)

    before = {"graded": body, **learner_bodies(learner, cast, exercise, attempt["id"])}
    shown = before[f"/api/v1/attempts/{attempt['id']}/"]["submissions"][-1]["nodes"]
    for nodes in (body["nodes"], shown):
        assert {name: (n["hint"], n["hint_latex"]) for name, n in nodes.items()} == {
            name: (n["hint_formula"], n["hint_formula_latex"]) for name, n in full.items()}
        assert not any(FORMULA_KEYS & set(n) for n in nodes.values())
    assert_clean(before, secrets)

    Quiz.objects.filter(pk=exercise.quiz_items.get().quiz_id).update(
        due_at=timezone.now() - timedelta(minutes=1))
    after = learner.get(f"/api/v1/attempts/{attempt['id']}/").json()
    nodes = after["submissions"][-1]["nodes"]
    assert {name: (n["hint"], n["hint_latex"]) for name, n in nodes.items()} == {
        name: (n["hint"], n["hint_latex"]) for name, n in full.items()}
    assert not any(FORMULA_KEYS & set(n) for n in nodes.values())
    assert find_leaks(nodes, secrets)  # the worked numbers, now that the policy allows them
    assert learner.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 200


def test_a_stored_level_3_result_without_a_formula_hint_shows_no_hint(cast):
    """Results graded before the formula hint was recorded: blank, as they always were."""
    learner, exercise, attempt, _ = level_3_quiz_attempt(cast, "sigmoid_neuron.txt",
                                                         Reveal.NEVER)
    submission = Submission.objects.get(attempt_id=attempt["id"])
    result = submission.result
    for node in result["nodes"].values():
        assert node.pop("hint_formula") and node.pop("hint_formula_latex")
    Submission.objects.filter(pk=submission.pk).update(result=result)  # as stored before
    body = learner.get(f"/api/v1/attempts/{attempt['id']}/").json()
    nodes = body["submissions"][-1]["nodes"]
    assert nodes and all(n["hint"] is None and n["hint_latex"] is None for n in nodes.values())
    assert_clean({"attempt": body}, secrets_of(exercise, shown_values=[2.5]))


def test_quiz_that_shows_results_after_the_due_date(cast):
    exercise = services.create_exercise(title="later", program=read("sigmoid_neuron.txt"),
                                        course=cast.course)
    quiz = Quiz.objects.create(course=cast.course, title="later",
                               show_correctness=Reveal.AFTER_DUE,
                               show_solution=Reveal.AFTER_DUE,
                               due_at=timezone.now() + timedelta(days=1))
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
    learner = cast.client("learner_a")
    attempt = learner.post(f"/api/v1/quiz-items/{item.pk}/attempts/").json()
    graded = submit(learner, attempt["id"], {name: "2.5" for name in attempt["ask"]}).json()
    assert graded["score"] is None and graded["best_score"] is None
    assert all(node.get("hint") is None for node in graded["nodes"].values())
    bodies = {"graded": graded, **learner_bodies(learner, cast, exercise, attempt["id"])}
    assert bodies[f"/api/v1/attempts/{attempt['id']}/"]["best_score"] is None
    assert_clean(bodies, secrets_of(exercise, shown_values=[2.5]))


def test_values_exercise_hides_the_values_it_asks_for(cast):
    exercise = services.create_exercise(title="forward", program=read("two_weight_network.txt"),
                                        course=cast.course, ask="data")
    solution = services.get_or_create_variant(exercise, 0).graph
    given = [n["data"] for n in solution["nodes"] if n["kind"] != "op"]
    hidden = sorted({n["data"] for n in solution["nodes"] if n["kind"] == "op"
                     and all(abs(n["data"] - v) > 1e-6 for v in given)})
    learner = cast.client("learner_a")
    attempt = start(learner, exercise.pk)
    bodies = {"start": attempt, **learner_bodies(learner, cast, exercise, attempt["id"])}
    assert hidden
    assert_clean(bodies, hidden + secrets_of(exercise))


def test_after_a_graded_practice_submission_the_solution_is_shown(cast):
    """The policy's other side: practice reveals the solution once the learner has tried."""
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    submit(learner, attempt["id"], {"x": "15"})
    response = learner.get(f"/api/v1/attempts/{attempt['id']}/solution/")
    assert response.status_code == 200
    assert response.json()["solution"]["x"] == {"data": 5.0, "grad": 36.0}
