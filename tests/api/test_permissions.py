"""Every endpoint × every role: anonymous, learner A (owns the attempt), learner B (same
course), an instructor of another course, the course's instructor, and the course's
integration token."""

from __future__ import annotations

import pytest
from api_helpers import PASSWORD, start
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from exercises.models import Submission

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "learner_a", "learner_b", "other_instructor", "instructor",
         "integration"]


def _row(method, url, body, *codes):
    return pytest.param(method, url, body, dict(zip(ROLES, codes, strict=True)),
                        id=f"{method} {url}")


# {placeholders} are filled from the cast; {role} keeps created usernames apart.
MATRIX = [
    _row("post", "/api/v1/auth/token/", {"username": "ada", "password": "{password}"},
         200, 200, 200, 200, 200, 200),
    _row("post", "/api/v1/learners/", {"username": "new-{role}", "password": "pw"},
         401, 403, 403, 201, 201, 201),
    _row("get", "/api/v1/courses/", None, 401, 200, 200, 200, 200, 200),
    _row("get", "/api/v1/courses/{course}/", None, 401, 200, 200, 404, 200, 200),
    _row("get", "/api/v1/courses/{course}/learners/", None, 401, 403, 403, 404, 200, 200),
    _row("post", "/api/v1/courses/{course}/learners/", {"username": "bob"},
         401, 403, 403, 404, 200, 200),
    _row("get", "/api/v1/quizzes/", None, 401, 200, 200, 200, 200, 200),
    _row("get", "/api/v1/quizzes/{quiz}/", None, 401, 200, 200, 404, 200, 200),
    _row("get", "/api/v1/quizzes/{quiz}/grades/", None, 401, 403, 403, 404, 200, 200),
    _row("post", "/api/v1/quiz-items/{item}/attempts/", None, 401, 201, 201, 404, 201, 403),
    _row("get", "/api/v1/exercises/", None, 401, 200, 200, 200, 200, 403),
    _row("post", "/api/v1/exercises/", {"title": "t", "program": "a = 2\nL = a * a"},
         401, 403, 403, 201, 201, 403),
    _row("get", "/api/v1/exercises/{exercise}/", None, 401, 200, 200, 404, 200, 403),
    _row("post", "/api/v1/exercises/{exercise}/attempts/", None,
         401, 200, 201, 404, 201, 403),
    _row("get", "/api/v1/attempts/", None, 401, 200, 200, 200, 200, 403),
    _row("get", "/api/v1/attempts/{attempt}/", None, 401, 200, 404, 404, 200, 403),
    _row("get", "/api/v1/attempts/{attempt}/solution/", None, 401, 403, 404, 404, 200, 403),
    _row("post", "/api/v1/attempts/{attempt}/submissions/", {"grads": {"x": "36"}},
         401, 201, 404, 404, 403, 403),
]


def _fill(value, names):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body", "expected"), MATRIX)
def test_permission_matrix(cast, role, method, url, body, expected):

    attempt = start(cast.client("learner_a"), cast.exercise.pk)  # learner A's, unsubmitted
    names = {"course": cast.course.pk, "quiz": cast.quiz.pk, "item": cast.item.pk,
             "exercise": cast.exercise.pk, "attempt": attempt["id"], "role": role,
             "password": PASSWORD}
    client = cast.client(role)
    response = getattr(client, method)(_fill(url, names), _fill(body, names), format="json")
    assert response.status_code == expected[role], response.content
    assert response["Content-Type"] == "application/json"
    if response.status_code >= 400:
        assert "detail" in response.json() or response.status_code == 400
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"


def test_integration_of_another_course_sees_nothing_here(cast):
    client = cast.client("other_integration")
    assert client.get(f"/api/v1/courses/{cast.course.pk}/").status_code == 404
    assert client.get(f"/api/v1/quizzes/{cast.quiz.pk}/grades/").status_code == 404
    assert client.get("/api/v1/quizzes/").json()["count"] == 0
    courses = client.get("/api/v1/courses/").json()["results"]
    assert [(c["id"], c["role"]) for c in courses] == [(cast.other_course.pk, "integration")]


def test_a_wrong_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/courses/")
    assert response.status_code == 401 and response.json()["detail"]


def test_learner_lists_hold_only_their_own_and_their_courses(cast):
    start(cast.client("learner_a"), cast.exercise.pk)
    outsider = cast.client("outsider")
    exercises = [e["id"] for e in outsider.get("/api/v1/exercises/").json()["results"]]
    assert exercises == [cast.other_exercise.pk]
    assert outsider.get("/api/v1/quizzes/").json()["count"] == 0
    assert outsider.get("/api/v1/attempts/").json()["count"] == 0
    roles = {c["id"]: c["role"] for c in
             cast.client("instructor").get("/api/v1/courses/").json()["results"]}
    assert roles == {cast.course.pk: "instructor"}


def test_session_authentication_for_the_browser_needs_csrf(cast):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(cast.learner_a)
    assert browser.get("/api/v1/courses/").status_code == 200
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    response = browser.post(f"/api/v1/attempts/{attempt['id']}/submissions/",
                            {"grads": {"x": "36"}}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_inactive_users_cannot_get_a_token(cast):
    get_user_model().objects.filter(pk=cast.learner_a.pk).update(is_active=False)

    response = APIClient().post("/api/v1/auth/token/",
                                {"username": "ada", "password": PASSWORD}, format="json")
    assert response.status_code == 400
