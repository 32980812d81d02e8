"""Titles, program text, hints and typed answers are escaped wherever they are shown (the
learner's pages and the admin), the API answers JSON only, and every HTML page carries
a Content-Security-Policy that allows no inline script."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from exercises import selectors, services
from exercises.models import Course, Quiz, QuizItem, Submission

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, BREAKOUT)
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
PROGRAM = f"# {SCRIPT} {BREAKOUT}\na = 2\nb = -3\nc = a * b  # {SCRIPT}\nL = c * c\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    User = get_user_model()
    learner = User.objects.create_user("lou", password="pw")
    instructor = User.objects.create_user("ines", password="pw", is_staff=True)
    course = Course.objects.create(title=f"Course {SCRIPT}")
    course.learners.add(learner)
    course.instructors.add(instructor)
    exercise = services.create_exercise(title=f"Title {SCRIPT} {BREAKOUT}", program=PROGRAM,
                                        course=course, author=instructor)
    quiz = Quiz.objects.create(course=course, title=f"Quiz {BREAKOUT}")
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
    attempt, _ = services.start_attempt(learner, item=item)
    with pytest.raises(services.InvalidAnswers):  # stored, shown in the admin's records
        services.submit(attempt, {"a": SCRIPT, "b": BREAKOUT})
    graded = services.submit(attempt, {"a": "1", "b": "2", "c": "3", "L": "1"})  # hints
    assert any(node.get("hint") for node in graded.result["nodes"].values())
    return {"learner": learner, "instructor": instructor, "course": course,
            "exercise": exercise, "quiz": quiz, "item": item, "attempt": attempt,
            "submissions": list(Submission.objects.filter(attempt=attempt))}


def check_page(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for payload in PAYLOADS:
        assert payload not in page, f"unescaped {payload!r}"
    assert "onerror=alert(1)>" not in page
    assert ESCAPED_SCRIPT in page  # the hostile text is there, as text
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'", policy  # no inline script, no eval
    assert "'none'" in directives["object-src"] and "'none'" in directives["frame-ancestors"]
    return page


def test_learner_pages_escape_everything(client, world):
    client.force_login(world["learner"])
    quiz, item = world["quiz"], world["item"]
    check_page(client.get(reverse("exercises:dashboard")))
    check_page(client.get(reverse("exercises:quiz", args=[quiz.pk])))
    page = check_page(client.get(reverse("exercises:item", args=[quiz.pk, item.pk])))
    assert page.count('class="bp-hint-text"') >= 2  # the graded feedback is on the page

    # Hostile answers sent as the page sends them (JSON to the API): refused per box, and
    # nothing of them reaches a page unescaped.
    response = client.post(reverse("api:attempt-submissions", args=[world["attempt"].pk]),
                           {"grads": {"a": SCRIPT, "b": BREAKOUT}},
                           content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"a", "b"}
    page = check_page(client.get(reverse("exercises:item", args=[quiz.pk, item.pk])))
    assert SCRIPT not in page and BREAKOUT not in page


def test_hints_are_escaped_on_the_page(client, world, monkeypatch):
    """Hints are the grader's words about node names, which cannot hold markup; should
    one ever carry some, the templates still escape it."""
    real = selectors.learner_result

    def hostile(submission):
        result = real(submission)
        for node in result.get("nodes", {}).values():
            node.update(hint=SCRIPT, hint_latex=BREAKOUT, explanation=SCRIPT)
        return result

    monkeypatch.setattr(selectors, "learner_result", hostile)
    client.force_login(world["learner"])
    quiz, item = world["quiz"], world["item"]
    page = check_page(client.get(reverse("exercises:item", args=[quiz.pk, item.pk])))
    assert page.count(ESCAPED_SCRIPT) >= 4
    answers = {"a": "1", "b": "2", "c": "3", "L": "1"}
    response = client.post(reverse("api:attempt-submissions", args=[world["attempt"].pk]),
                           {"grads": answers}, content_type="application/json")
    assert response.status_code == 201
    # The page's script puts the API's words in with textContent; the page it reads back
    # for the feedback escapes them.
    page = check_page(client.get(reverse("exercises:item", args=[quiz.pk, item.pk])))
    assert SCRIPT not in page and BREAKOUT not in page and ESCAPED_SCRIPT in page


def test_admin_pages_escape_everything(client, world):
    client.force_login(world["instructor"])
    exercise = world["exercise"]
    for url in (reverse("admin:exercises_exercise_changelist"),
                reverse("admin:exercises_exercise_change", args=[exercise.pk]),
                reverse("admin:exercises_quiz_change", args=[world["quiz"].pk]),
                reverse("admin:exercises_course_change", args=[world["course"].pk]),
                reverse("admin:exercises_submission_changelist"),
                *[reverse("admin:exercises_submission_change", args=[submission.pk])
                  for submission in world["submissions"]]):
        check_page(client.get(url))


def test_admin_preview_and_api_answer_json(world):
    api = APIClient()
    api.force_authenticate(world["instructor"])
    response = api.get(f"/api/v1/exercises/{world['exercise'].pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert SCRIPT in response.json()["program"]  # data, exactly as written; JSON, not HTML


def test_every_html_error_page_has_the_policy(client, world):
    client.force_login(world["learner"])
    response = client.get("/quizzes/999999/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    login = client.get(reverse("login"))
    assert "script-src 'self'" in login["Content-Security-Policy"]
