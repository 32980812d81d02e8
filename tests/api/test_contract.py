"""The contract an LMS relies on, end to end over HTTP."""

from __future__ import annotations

import pytest
from api_helpers import PASSWORD, find_leaks, make_user, start, submit
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from exercises.demo import SEED_EXAMPLES, read
from exercises.models import Attempt, Exercise, Submission

pytestmark = pytest.mark.django_db


def token_client(username: str, password: str = PASSWORD) -> APIClient:
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_token_for_good_credentials_only(cast):
    assert token_client("ines")  # asserts inside
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "ines", "password": "nope"},
                             format="json")
    assert wrong.status_code == 400
    assert "detail" in wrong.json() and "token" not in wrong.json()
    missing = APIClient().post("/api/v1/auth/token/", {"username": "ines"}, format="json")
    assert missing.status_code == 400
    assert "password" in missing.json()


def test_instructor_creates_a_learner_who_can_practise_their_exercises(cast):
    instructor = token_client("ines")
    created = instructor.post("/api/v1/learners/", {"username": "newbie", "password": "pw",
                                                    "email": "n@example.org"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["username"] == "newbie" and body["course"] == cast.course.pk
    user = get_user_model().objects.get(pk=body["id"])
    assert cast.course.learners.filter(pk=user.pk).exists()
    assert user.check_password("pw")

    taken = instructor.post("/api/v1/learners/", {"username": "NEWBIE", "password": "x"},
                            format="json")
    assert taken.status_code == 400
    assert "username" in taken.json()

    learner = token_client("newbie", "pw")
    listed = learner.get("/api/v1/exercises/").json()["results"]
    assert cast.exercise.pk in [item["id"] for item in listed]
    assert start(learner, cast.exercise.pk)["ask"] == ["x", "y", "z", "L"]


def test_learners_go_to_a_course_the_caller_may_use(cast):
    instructor = cast.client("instructor")
    elsewhere = instructor.post("/api/v1/learners/", {"username": "n1", "password": "pw",
                                                      "course": cast.other_course.pk},
                                format="json")
    assert elsewhere.status_code == 400 and "course" in elsewhere.json()
    integration = cast.client("integration")
    made = integration.post("/api/v1/learners/", {"username": "n2", "password": "pw"},
                            format="json")
    assert made.status_code == 201 and made.json()["course"] == cast.course.pk
    foreign = integration.post("/api/v1/learners/", {"username": "n3", "password": "pw",
                                                     "course": cast.other_course.pk},
                               format="json")
    assert foreign.status_code == 400
    assert not get_user_model().objects.filter(username__in=["n1", "n3"]).exists()


def test_enrolling_an_existing_user(cast):
    url = f"/api/v1/courses/{cast.course.pk}/learners/"
    instructor, integration = cast.client("instructor"), cast.client("integration")
    made = instructor.post("/api/v1/learners/", {"username": "nia", "password": "pw"},
                           format="json")
    assert made.status_code == 201
    cast.course.learners.remove(made.json()["id"])
    first = instructor.post(url, {"username": "nia"}, format="json")  # one they made
    again = integration.post(url, {"username": "nia"}, format="json")  # now in its course
    assert (first.status_code, again.status_code) == (201, 200)
    # Someone else's account, and no account at all, look the same.
    foreign = instructor.post(url, {"username": "olga"}, format="json")
    unknown = instructor.post(url, {"username": "nobody"}, format="json")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    names = [row["username"] for row in integration.get(url).json()["results"]]
    assert names == ["ada", "bob", "nia"]


def test_create_exercise_returns_graph_and_solution(cast):
    instructor = cast.client("instructor")
    response = instructor.post("/api/v1/exercises/", {
        "title": "(a + b) × d", "program": "a = 3\nb = 2\nc = a + b\nd = 4\nL = c * d\n",
        "tolerance": {"rel": 0.001, "abs": 0.0001}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["solution"]["a"] == {"data": 3.0, "grad": 4.0}
    assert body["solution"]["d"] == {"data": 4.0, "grad": 5.0}
    assert body["graph"]["output"] == "L"
    assert [n["name"] for n in body["graph"]["nodes"]] == ["a", "b", "c", "d", "L"]
    exercise = Exercise.objects.get(pk=body["id"])
    assert exercise.course == cast.course  # the instructor's default course
    assert (exercise.tolerance_rel, exercise.tolerance_abs) == (0.001, 0.0001)


def test_an_instructor_without_a_course_gets_one(db):
    staff = make_user("sam", is_staff=True)
    client = token_client("sam")
    response = client.post("/api/v1/exercises/", {"title": "t", "program": "a = 2\nL = a * a"},
                           format="json")
    assert response.status_code == 201
    course = Exercise.objects.get(pk=response.json()["id"]).course
    assert list(course.instructors.all()) == [staff]


def test_a_bad_program_is_400_with_line_and_problem(cast):
    response = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "broken", "program": "a = 3\nb = 2\nL = a * q\n"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["line"] == 3
    assert body["problem"] and "q" in body["problem"]
    assert body["detail"].startswith("line 3")
    assert not Exercise.objects.filter(title="broken").exists()


@pytest.mark.parametrize("payload", [
    {"program": "a = 1\nL = a * a"},  # no title
    {"title": "t"},  # no source
    {"title": "t", "program": "a = 1\nL = a * a", "tolerance": {"rel": -1}},
    {"title": "t", "program": "a = 1\nL = a * a", "kind": "everything"},
    {"title": "t", "program": "a = 1\nL = a * a", "ask": ["nope"]},
    {"title": "t", "program": ["not", "text"]},
])
def test_invalid_exercises_are_400(cast, payload):
    response = cast.client("instructor").post("/api/v1/exercises/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()


def test_asking_about_an_unknown_node_is_a_field_error(cast):
    response = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "t", "program": "a = 1\nL = a * a", "ask": ["a", "nope"]}, format="json")
    assert response.status_code == 400
    assert "nope" in response.json()["ask"][0]


def test_exercise_detail_by_role(cast):
    url = f"/api/v1/exercises/{cast.exercise.pk}/"
    instructor = cast.client("instructor").get(url).json()
    assert instructor["solution"]["x"] == {"data": 5.0, "grad": 36.0}
    assert instructor["program"].startswith("# Basic Calculus Refresh")
    learner = cast.client("learner_a").get(url)
    assert learner.status_code == 200
    body = learner.json()
    assert "solution" not in body and "program" not in body
    assert find_leaks(body) == []
    assert {n["name"]: n["data"] for n in body["graph"]["nodes"]}["z"] == 15.0


def test_practice_attempt_is_the_learners_variant_and_comes_back_the_same(cast):
    learner = cast.client("learner_a")
    url = f"/api/v1/exercises/{cast.exercise.pk}/attempts/"
    first = learner.post(url)
    again = learner.post(url)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["graph"] == again.json()["graph"]
    body = first.json()
    assert body["ask"] == ["x", "y", "z", "L"]
    assert body["mode"] == "backward" and body["submissions_left"] is None
    assert body["exercise"] == cast.exercise.pk
    for node in body["graph"]["nodes"]:
        assert set(node) >= {"name", "kind", "op", "inputs", "data"}
    assert find_leaks(body) == []


@pytest.mark.parametrize("example", SEED_EXAMPLES, ids=[e[0] for e in SEED_EXAMPLES])
def test_seed_examples_submitted_correctly_score_one(cast, example):
    _slug, title, program, mermaid, _difficulty, _tags = example
    instructor = cast.client("instructor")
    created = instructor.post("/api/v1/exercises/", {
        "title": title, "program": read(program), "mermaid": read(mermaid)}, format="json")
    assert created.status_code == 201, created.content
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    solution = instructor.get(f"/api/v1/attempts/{attempt['id']}/solution/").json()["solution"]
    grads = {name: repr(solution[name]["grad"]) for name in attempt["ask"]}
    response = submit(learner, attempt["id"], grads)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["score"] == 1.0
    assert all(node["correct"] for node in body["nodes"].values())
    assert set(body["nodes"]) == set(attempt["ask"])
    shown = learner.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert shown["best_score"] == 1.0 and shown["solved"] is True
    assert [s["score"] for s in shown["submissions"]] == [1.0]


def test_the_contract_answer_example(cast):
    """The issue's own example: (a + b) × d with grads as strings."""
    created = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "t", "program": "a = 3\nb = 2\nc = a + b\nd = 4\nL = c * d"}, format="json")
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    response = submit(learner, attempt["id"], {"a": "4", "b": "4", "c": "4", "d": "5",
                                               "L": "1"})
    assert response.status_code == 201
    body = response.json()
    assert body["score"] == 1.0
    for node in body["nodes"].values():
        assert {"correct", "valid", "misconception", "hint", "hint_latex"} <= set(node)


def test_missing_branch_comes_back_with_its_code_and_a_hint(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    body = submit(learner, attempt["id"], {"x": "15", "y": "15", "z": "7", "L": "1"}).json()
    x = body["nodes"]["x"]
    assert (x["correct"], x["misconception"]) == (False, "missing_branch")
    assert "path" in x["hint"] and x["hint_latex"]
    assert body["nodes"]["y"]["correct"] and body["score"] < 1


def test_own_value_at_a_multiply_gate(cast):
    created = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "Example 2", "program": read("refresher_2.txt"), "granularity": "gate"},
        format="json")
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    answers = {"a": "4", "b": "4", "c": "2", "d": "2", "e": "2", "f": "10", "L": "1"}
    body = submit(learner, attempt["id"], answers).json()
    assert body["nodes"]["a"]["misconception"] == "own_value"
    assert body["nodes"]["a"]["hint"]
    assert body["nodes"]["b"]["correct"]


def test_invalid_answers_are_stored_and_cost_nothing(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    response = submit(learner, attempt["id"], {"x": "1/", "y": "15", "z": "7", "L": "1"})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"x"} and body["detail"]
    stored = Submission.objects.get(pk=body["submission"])
    assert (stored.valid, stored.counted, stored.raw_answers["x"]) == (False, False, "1/")
    assert Attempt.objects.get(pk=attempt["id"]).graded_count == 0
    shown = learner.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert [(s["valid"], s["counted"]) for s in shown["submissions"]] == [(False, False)]


@pytest.mark.parametrize("payload", [
    {}, {"grads": "36"}, {"grads": ["36"]}, {"grads": {"x": ["36"]}}, {"grads": {"x": True}},
    {"grads": {"x": {"v": 1}}}, {"answers": "36"}, {"data": {"y": "7"}},
    {"grads": {"x": "36"}, "data": {"y": "7"}}, {"answers": {"x": "36"}, "grads": {"x": "36"}},
])
def test_malformed_submissions_are_field_errors_and_not_stored(cast, payload):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    response = learner.post(f"/api/v1/attempts/{attempt['id']}/submissions/", payload,
                            format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"answers", "grads", "data"}
    assert not Submission.objects.exists()


def test_data_exercises_take_data_answers(cast):
    created = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "forward", "program": read("refresher_2.txt"), "kind": "data"}, format="json")
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    assert attempt["mode"] == "forward" and attempt["ask"] == ["c", "e", "L"]
    assert {n["name"]: n["data"] for n in attempt["graph"]["nodes"]}["c"] is None
    response = learner.post(f"/api/v1/attempts/{attempt['id']}/submissions/",
                            {"data": {"c": "6", "e": "10", "L": "20"}}, format="json")
    assert response.status_code == 201 and response.json()["score"] == 1.0


def test_quiz_attempts_run_out_with_409(cast):
    learner = cast.client("learner_a")
    started = learner.post(f"/api/v1/quiz-items/{cast.item.pk}/attempts/")
    assert started.status_code == 201
    attempt = started.json()
    assert (attempt["quiz"], attempt["submissions_left"]) == (cast.quiz.pk, 1)
    assert submit(learner, attempt["id"], {"w0": "(("}).status_code == 400  # free
    first = submit(learner, attempt["id"], {"w0": "1"})
    assert first.status_code == 201 and first.json()["submissions_left"] == 0
    second = submit(learner, attempt["id"], {"w0": "2"})
    assert second.status_code == 409 and second.json()["detail"]
    assert Submission.objects.filter(attempt_id=attempt["id"], counted=True).count() == 1


def test_practice_on_an_exercise_in_a_stricter_quiz_takes_no_answers(cast):
    # The quiz (one attempt, no solution) has the same fixed numbers: practice shows them
    # but answers for them are taken in the quiz only.
    learner = cast.client("learner_a")
    practice = start(learner, cast.quiz_exercise.pk)
    response = submit(learner, practice["id"], {"w0": "1"})
    assert response.status_code == 409 and "Quiz" in response.json()["detail"]
    assert learner.get(f"/api/v1/attempts/{practice['id']}/solution/").status_code == 403
    # Its instructor may still try it out.
    assert cast.client("instructor").post(
        f"/api/v1/exercises/{cast.quiz_exercise.pk}/attempts/").status_code == 201


def test_another_learners_attempt_is_404(cast):
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    other = cast.client("learner_b")
    assert other.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 404
    assert submit(other, attempt["id"], {"x": "36"}).status_code == 404
    assert other.get("/api/v1/attempts/").json()["count"] == 0


def test_instructor_sees_a_learners_attempt_with_full_results(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    submit(learner, attempt["id"], {"x": "15"})
    body = cast.client("instructor").get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert body["learner"]["username"] == "ada"
    assert body["submissions"][0]["nodes"]["x"]["misconception"] == "missing_branch"


@pytest.mark.parametrize("payload", [{"grads": {"x": "36"}}, {"grads": "36"}, {}])
def test_whose_attempt_is_answered_before_what_the_body_holds(cast, payload):
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    url = f"/api/v1/attempts/{attempt['id']}/submissions/"
    assert cast.client("learner_b").post(url, payload, format="json").status_code == 404
    assert cast.client("outsider").post(url, payload, format="json").status_code == 404
    response = cast.client("instructor").post(url, payload, format="json")
    assert response.status_code == 403 and "learner" in response.json()["detail"]
    assert cast.client("learner_b").post("/api/v1/attempts/999999/submissions/", payload,
                                         format="json").status_code == 404
    assert not Submission.objects.exists()


def test_values_sent_to_a_gradient_exercise_are_a_field_error(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, cast.exercise.pk)
    response = learner.post(f"/api/v1/attempts/{attempt['id']}/submissions/",
                            {"data": {"y": "7"}}, format="json")
    assert response.status_code == 400
    assert response.json()["data"] == ["this exercise asks for gradients: send grads"]
    assert not Submission.objects.exists()
