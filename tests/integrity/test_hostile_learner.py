"""A hostile learner against the strictest policy, through every way in.

The exam: one attempt, correctness and solution never shown, hint level 0, no step-through.
It uses the notes' Example 3 (fixed numbers, also in a lenient homework and open to
practice) and the sigmoid neuron. The learner tries everything a learner can reach — the
API's every endpoint, the pages (and what they embed), step checks, unreadable answers,
the solution, practice, the homework that shares the exam's numbers — and every body is
searched for a verdict or a correct gradient.
"""

from __future__ import annotations

import math
import re

import pytest
from django.test import Client
from django.urls import reverse
from leak_search import searchable

from exercises import services
from exercises.demo import read
from exercises.models import Course, Quiz, QuizItem, Reveal

from .helpers import EX3_RIGHT, api, make_user, submit

# The right answers typed so that no typed text is itself a secret number: the learner's
# own answers are echoed back (as they should be), and must not count as a leak.
TYPED_RIGHT = {**EX3_RIGHT, "x": "6*6"}

pytestmark = pytest.mark.django_db

STRICTEST = {"attempts_allowed": 1, "show_correctness": Reveal.NEVER,
             "show_solution": Reveal.NEVER, "step_through": False, "hint_level": 0}
# A verdict as the pages and the API write one (the pages' vocabulary for screen readers,
# "Correct"/"Not right" in data attributes, is not a verdict).
VERDICTS = re.compile(r'"correct":\s*(true|false)|data-status="(correct|wrong)"|'
                      r'bp-verdict-(correct|wrong)|"status":\s*"(correct|wrong)"|'
                      r'"misconception":\s*"|Solved\.')
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@pytest.fixture
def world():
    course = Course.objects.create(title="Backprop")
    instructor = make_user("ines", is_staff=True)
    learner = make_user("mallory")
    course.instructors.add(instructor)
    course.learners.add(learner)
    fixed = services.create_exercise(title="Example 3", program=read("refresher_3.txt"),
                                     course=course, author=instructor)
    neuron = services.create_exercise(title="Neuron", program=read("sigmoid_neuron.txt"),
                                      course=course, author=instructor)
    exam = Quiz.objects.create(course=course, title="Exam", **STRICTEST)
    exam_items = [QuizItem.objects.create(quiz=exam, exercise=e, position=k)
                  for k, e in enumerate((fixed, neuron), start=1)]
    homework = Quiz.objects.create(course=course, title="Homework", step_through=True,
                                   show_solution=Reveal.IMMEDIATELY)
    homework_item = QuizItem.objects.create(quiz=homework, exercise=fixed, position=1)
    return {"course": course, "learner": learner, "fixed": fixed, "neuron": neuron,
            "exam": exam, "exam_items": exam_items, "homework_item": homework_item}


def secrets_of(attempts: list[dict]) -> list[float]:
    """The exam's correct gradients, less those equal to a value the learner is shown."""
    from exercises.models import Attempt

    found = set()
    for body in attempts:
        solution = Attempt.objects.get(pk=body["id"]).variant.graph
        shown = [n["data"] for n in solution["nodes"]]
        found |= {n["grad"] for n in solution["nodes"]
                  if abs(n["grad"]) not in (0.0, 1.0)
                  and all(abs(n["grad"] - v) > 1e-3 * max(1, abs(v)) for v in shown)}
    return sorted(found)


def leaks(text: str, secrets: list[float]) -> list[str]:
    found = [m.group(0) for m in VERDICTS.finditer(text)]
    for number in NUMBER.findall(searchable(text)):
        value = float(number)
        if any(math.isclose(value, s, rel_tol=1e-3, abs_tol=1e-9) for s in secrets):
            found.append(number)
    return found


def test_nothing_beyond_the_policy_through_any_way_in(world):
    learner = world["learner"]
    client = api(learner)
    bodies: dict[str, str] = {}

    def keep(label, response):
        bodies[label] = response.content.decode()
        return response

    # Start every place the learner can reach, including the homework and practice that
    # share the exam's fixed numbers.
    exam_attempts = [keep(f"start {item.pk}", client.post(
        f"/api/v1/quiz-items/{item.pk}/attempts/", format="json")).json()
        for item in world["exam_items"]]
    homework = keep("homework", client.post(
        f"/api/v1/quiz-items/{world['homework_item'].pk}/attempts/", format="json")).json()
    practice = keep("practice", client.post(
        f"/api/v1/exercises/{world['fixed'].pk}/attempts/", format="json"))
    secrets = secrets_of(exam_attempts)
    assert secrets, "the exam must have gradients worth hiding"

    ex3 = exam_attempts[0]["id"]
    # Unreadable answers cost nothing: probe with one bad box and every other box right.
    for k in range(3):
        keep(f"invalid {k}", submit(client, ex3, {**TYPED_RIGHT, "y": "oops"}))
    # Step checks, everywhere.
    for attempt_id in (ex3, homework["id"]) + ((practice.json()["id"],)
                                               if practice.status_code in (200, 201) else ()):
        response = keep(f"step {attempt_id}", submit(client, attempt_id, {"x": "6*6"},
                                                     kind="step"))
        assert response.status_code in (403, 409), response.content
    # The homework and practice take no graded answer for the exam's numbers.
    assert keep("homework submit", submit(client, homework["id"], TYPED_RIGHT)).status_code == 409
    # The one real attempt, then a second one (refused).
    assert keep("exam submit", submit(client, ex3, TYPED_RIGHT)).status_code == 201
    assert keep("exam again", submit(client, ex3, TYPED_RIGHT)).status_code == 409

    # Every read a learner has.
    urls = ["/api/v1/courses/", f"/api/v1/courses/{world['course'].pk}/", "/api/v1/quizzes/",
            f"/api/v1/quizzes/{world['exam'].pk}/", "/api/v1/exercises/",
            f"/api/v1/exercises/{world['fixed'].pk}/", f"/api/v1/exercises/{world['neuron'].pk}/",
            "/api/v1/attempts/", f"/api/v1/quizzes/{world['exam'].pk}/grades/"]
    for attempt in [*exam_attempts, homework]:
        urls += [f"/api/v1/attempts/{attempt['id']}/",
                 f"/api/v1/attempts/{attempt['id']}/solution/"]
    for url in urls:
        keep(url, client.get(url))
    assert client.get(f"/api/v1/attempts/{ex3}/solution/").status_code == 403
    assert client.get(f"/api/v1/attempts/{homework['id']}/solution/").status_code == 403

    # The pages, as the browser sees them (the JSON config and tables included).
    browser = Client()
    browser.force_login(learner)
    pages = [reverse("exercises:dashboard"), reverse("exercises:quiz", args=[world["exam"].pk])]
    pages += [reverse("exercises:item", args=[item.quiz_id, item.pk])
              for item in [*world["exam_items"], world["homework_item"]]]
    pages += [reverse("exercises:preview_exercise", args=[world["fixed"].pk]),
              reverse("admin:exercises_quiz_gradebook", args=[world["exam"].pk])]
    for url in pages:
        keep(url, browser.get(url))

    found = {label: hit for label, body in bodies.items() if (hit := leaks(body, secrets))}
    assert found == {}


def test_the_leak_search_skips_times_and_ids_but_not_values():
    # It failed whenever a page was written at minute 36 (Example 3's x has ∂L/∂x = 36).
    assert leaks('{"id": 36, "created_at": "2026-12-01T19:36:36.123Z"} at 19:36 '
                 '<a href="/attempts/36/">', [36.0]) == []
    assert leaks('{"grad": 36}', [36.0]) == ["36"]
    assert leaks('{"id": 7, "value": 36.0}', [36.0]) == ["36.0"]
