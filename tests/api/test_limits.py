"""Throttling, request size, hostile bodies, grade syncing and query counts."""

from __future__ import annotations

import pytest
from api_helpers import PASSWORD, make_user, start, submit
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from exercises import services
from exercises.demo import read
from exercises.models import Exercise, Quiz, QuizItem, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"auth": "2/min",
                                                          "submissions": "2/min"}}


def test_token_requests_are_throttled(cast, tiny_rates):
    client = APIClient()
    body = {"username": "ada", "password": PASSWORD}
    codes = [client.post("/api/v1/auth/token/", body, format="json").status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.json()["detail"] and int(response["Retry-After"]) > 0


def test_submissions_are_throttled_per_learner(cast, tiny_rates):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    codes = [submit(learner, attempt["id"], {"x": "36"}).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Submission.objects.count() == 2
    other = start(cast.client("learner_b"), cast.exercise.pk)
    assert submit(cast.client("learner_b"), other["id"], {"x": "36"}).status_code == 201


@pytest.mark.parametrize("url", ["/api/v1/exercises/", "/api/v1/auth/token/",
                                 "/api/v1/learners/"])
def test_a_megabyte_body_is_refused_not_a_500(cast, url):
    body = '{"title": "' + "x" * (1024 * 1024) + '"}'
    response = cast.client("instructor").post(url, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"]


def test_a_megabyte_submission_is_refused(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    body = '{"grads": {"x": "' + "1" * (1024 * 1024) + '"}}'
    response = learner.post(f"/api/v1/attempts/{attempt['id']}/submissions/", body,
                            content_type="application/json")
    assert response.status_code == 413
    assert not Submission.objects.exists()


def test_a_megabyte_form_post_over_a_session_is_refused(cast):
    # JSON only: the CSRF check reads the form through DRF's parsers, which refuse it.
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(cast.instructor)
    browser.cookies["csrftoken"] = "a" * 32  # a well-formed secret, so the form is read
    response = browser.post("/api/v1/exercises/", "title=" + "x" * (1024 * 1024),
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["detail"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("[" * 50_000 + "]" * 50_000, "application/json", 400),  # nesting past the recursion limit
    ('{"title": NaN}', "application/json", 400),
    ("{not json", "application/json", 400),
    (b"\xff\xfe{}", "application/json", 400),
    ("title=t", "application/x-www-form-urlencoded", 415),
    ("<xml/>", "text/xml", 415),
])
def test_hostile_bodies_are_4xx(cast, body, content_type, status):
    response = cast.client("instructor").post("/api/v1/exercises/", body,
                                              content_type=content_type)
    assert response.status_code == status
    assert response.json()["detail"]


def test_a_huge_program_is_a_field_error(cast):
    response = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "t", "program": "a = 1\n" * 5000}, format="json")
    assert response.status_code == 400 and "program" in response.json()
    assert not Exercise.objects.filter(title="t").exists()


@pytest.mark.parametrize("query", ["course=abc", "course=-1", "course=99999999999999999999"])
def test_bad_filters_are_400(cast, query):
    response = cast.client("learner_a").get(f"/api/v1/exercises/?{query}")
    assert response.status_code == 400 and "course" in response.json()


def test_grades_and_updated_since(cast):
    quiz = Quiz.objects.create(course=cast.course, title="sync")
    item = QuizItem.objects.create(quiz=quiz, exercise=cast.exercise, points=2)
    second = QuizItem.objects.create(quiz=quiz, exercise=cast.quiz_exercise, points=2)
    for role, grads in (("learner_a", {"x": "36", "y": "15", "z": "7", "L": "1"}),
                        ("learner_b", {"x": "15", "y": "15", "z": "7", "L": "1"})):
        client = cast.client(role)
        attempt = client.post(f"/api/v1/quiz-items/{item.pk}/attempts/").json()
        assert submit(client, attempt["id"], grads).status_code == 201
    cutoff = timezone.now()
    client = cast.client("learner_b")
    attempt = client.post(f"/api/v1/quiz-items/{second.pk}/attempts/").json()
    submit(client, attempt["id"], {"w0": "-0.1966"})

    url = f"/api/v1/quizzes/{quiz.pk}/grades/"
    everyone = cast.client("integration").get(url).json()
    rows = {row["username"]: row for row in everyone["results"]}
    assert everyone["count"] == 2
    assert rows["ada"]["items"] == {str(item.pk): 1.0}
    assert rows["ada"]["score"] == pytest.approx(0.5)  # one of two equal items
    assert 0 < rows["bob"]["items"][str(item.pk)] < 1

    changed = cast.client("instructor").get(url, {"updated_since": cutoff.isoformat()})
    assert changed.status_code == 200
    assert [row["username"] for row in changed.json()["results"]] == ["bob"]
    later = cast.client("instructor").get(url, {"updated_since": timezone.now().isoformat()})
    assert later.json()["count"] == 0
    bad = cast.client("instructor").get(url, {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()


def test_lists_do_not_grow_queries_with_rows(cast, django_assert_max_num_queries):
    exercises = [services.create_exercise(title=f"e{n}", program=read("worked_xy.txt"),
                                          course=cast.course, tags=["a", "b"])
                 for n in range(8)]
    quiz = Quiz.objects.create(course=cast.course, title="many", attempts_allowed=3)
    learner = cast.client("learner_a")
    for exercise in exercises:
        item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
        attempt = learner.post(f"/api/v1/quiz-items/{item.pk}/attempts/").json()
        for _ in range(3):
            submit(learner, attempt["id"], {"x": "3", "y": "2"})
    for user in [make_user(f"extra{n}") for n in range(6)]:
        cast.course.learners.add(user)
        for item in quiz.items.all()[:3]:
            services.submit(services.start_attempt(user, item=item)[0], {"x": "3"})
    attempt_id = learner.get("/api/v1/attempts/").json()["results"][0]["id"]
    for role, url in [("learner_a", "/api/v1/exercises/"), ("learner_a", "/api/v1/attempts/"),
                      ("learner_a", "/api/v1/quizzes/"), ("learner_a", "/api/v1/courses/"),
                      ("learner_a", f"/api/v1/attempts/{attempt_id}/"),
                      ("instructor", f"/api/v1/quizzes/{quiz.pk}/grades/"),
                      ("instructor", f"/api/v1/courses/{cast.course.pk}/learners/")]:
        client = cast.client(role)
        client.get(url)  # warm the token lookups' first-use costs
        # On PostgreSQL the grades page's two reads are each planned for the quiz, one
        # statement each (grades.planned_for_this_quiz).
        planning = 2 if "/grades/" in url and connection.vendor == "postgresql" else 0
        with django_assert_max_num_queries(8 + planning):
            response = client.get(url)
        assert response.status_code == 200, url


def test_pagination(cast):
    for n in range(5):
        services.create_exercise(title=f"p{n}", program="a = 2\nL = a * a", course=cast.course)
    page = cast.client("learner_a").get("/api/v1/exercises/", {"page_size": 2}).json()
    assert page["count"] == 7 and len(page["results"]) == 2 and page["next"]
    assert cast.client("learner_a").get("/api/v1/exercises/", {"page": 99}).status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/nothing/", "/api/v1/attempts/abc/",
                                 "/api/v1/exercises/1/nothing/"])
def test_unknown_paths_are_json_404s(cast, url):
    response = cast.client("learner_a").get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("url", ["/api/v1/attempts/abc/submissions/",
                                 "/api/v1/courses/%0A/learners/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_paths_are_json_404s_for_any_method(db, url, method):
    # Not Django's CSRF failure page (HTML 403) for a POST, nor its HTML 404 for a path
    # with an encoded newline.
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)(url, {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_path_without_its_slash_is_redirected(cast):
    response = cast.client("learner_a").get("/api/v1/courses")
    assert response.status_code == 301 and response["Location"] == "/api/v1/courses/"


def test_djangos_own_size_limit_becomes_a_json_413():
    # Reached when Django reads a body itself (e.g. a form read during a CSRF check).
    from django.core.exceptions import RequestDataTooBig

    from exercises.api.exceptions import api_exception_handler

    response = api_exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413 and response.data["detail"]


@pytest.fixture
def redis_counters(settings):
    """Throttle counters in the local Redis (a database of their own, emptied around the
    test): the fixed-window path every app host shares in production."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings.REDIS_URL = url
    yield client
    client.flushdb()


def test_submissions_are_throttled_in_redis(cast, tiny_rates, redis_counters):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    responses = [submit(learner, attempt["id"], {"x": "36"}) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 201, 429]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 61
    assert Submission.objects.count() == 2
    (key,) = [k for k in redis_counters.keys() if b"submissions" in k]
    assert int(redis_counters.get(key)) == 3 and 0 < redis_counters.ttl(key) <= 61
    other = start(cast.client("learner_b"), cast.exercise.pk)
    assert submit(cast.client("learner_b"), other["id"], {"x": "36"}).status_code == 201


def test_deployments_sharing_a_redis_keep_their_own_counters(cast, tiny_rates,
                                                             redis_counters, settings):
    """Two deployments on one Redis database, their learners with the same user ids:
    one's submissions do not use up the other's limit (REDIS_KEY_PREFIX)."""
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    settings.REDIS_KEY_PREFIX = "bp-course-a"
    assert [submit(learner, attempt["id"], {"x": "36"}).status_code for _ in range(3)] == [
        201, 201, 429]
    settings.REDIS_KEY_PREFIX = "bp-course-b"  # the other deployment: user ids overlap
    assert submit(learner, attempt["id"], {"x": "36"}).status_code == 201
    prefixes = {key.split(b":")[0] for key in redis_counters.keys()}
    assert prefixes == {b"bp-course-a", b"bp-course-b"}


def test_a_throttle_without_redis_lets_requests_through(cast, tiny_rates, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    codes = [submit(learner, attempt["id"], {"x": "36"}).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
