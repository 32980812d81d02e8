"""The holes a hostile learner found (issue #11), one regression test each.

Each test plays the learner through the versioned API (the only way in) and asserts that
nothing is learned beyond what the strictest policy in force for those numbers allows.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from exercises import services
from exercises.demo import read
from exercises.models import Course, IntegrationToken, Quiz, QuizItem, Reveal

from .helpers import (
    EX3_RIGHT,
    api,
    attempt_body,
    make_user,
    start_item,
    start_practice,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = Course.objects.create(title="Backprop")
    course.instructors.add(make_user("ines", is_staff=True))
    course.learners.add(make_user("lee"))
    return course


@pytest.fixture
def learner(course):
    return course.learners.get()


@pytest.fixture
def instructor(course):
    return course.instructors.get()


@pytest.fixture
def fixed(course, instructor):
    """The notes' Example 3: no randint/choice, so every place shows the same numbers."""
    return services.create_exercise(title="Example 3", program=read("refresher_3.txt"),
                                    course=course, author=instructor)


def quiz_with(course, exercise, **policy) -> QuizItem:
    quiz = Quiz.objects.create(course=course, title=policy.pop("title", "Quiz"), **policy)
    return QuizItem.objects.create(quiz=quiz, exercise=exercise, position=1)


STRICT = {"attempts_allowed": 1, "show_correctness": Reveal.NEVER,
          "show_solution": Reveal.NEVER, "step_through": False, "hint_level": 0}


# 1 -------------------------------------------------------------------------------------
def test_an_invalid_submission_reveals_only_which_boxes_were_unreadable(course, learner,
                                                                         fixed):
    item = quiz_with(course, fixed, attempts_allowed=1)  # correctness shown at once
    client = api(learner)
    attempt = start_item(client, item)
    response = submit(client, attempt["id"], {**EX3_RIGHT, "x": "abc"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"x"}
    for body in (response.json(), attempt_body(client, attempt["id"])):
        text = str(body)
        assert "'correct'" not in text and "misconception" not in text.replace(
            "'misconception': None", "")
        assert "hint" not in text.replace("'hint': None", "")
    stored = attempt_body(client, attempt["id"])["submissions"][0]
    assert set(stored["nodes"]) == {"x"}
    assert stored["score"] is None
    assert attempt_body(client, attempt["id"])["graded_count"] == 0


# 2 -------------------------------------------------------------------------------------
def test_a_step_check_is_refused_where_the_quiz_has_no_step_through(course, learner, fixed):
    item = quiz_with(course, fixed, step_through=False)
    client = api(learner)
    attempt = start_item(client, item)
    response = submit(client, attempt["id"], {"x": "36"}, kind="step")
    assert response.status_code == 403, response.content
    assert attempt_body(client, attempt["id"])["submissions"] == []


def test_a_step_check_is_refused_where_attempts_are_limited(course, learner, fixed):
    # A step check is a free verdict: only where graded tries are free too.
    item = quiz_with(course, fixed, step_through=True, attempts_allowed=3)
    client = api(learner)
    attempt = start_item(client, item)
    assert submit(client, attempt["id"], {"x": "36"}, kind="step").status_code == 403


def test_a_step_check_is_graded_where_allowed(course, learner, fixed):
    item = quiz_with(course, fixed, step_through=True)
    client = api(learner)
    attempt = start_item(client, item)
    response = submit(client, attempt["id"], {"x": "36"}, kind="step")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "step" and body["counted"] is False
    assert body["nodes"]["x"]["correct"] is True and list(body["nodes"]) == ["x"]


def test_the_pages_own_json_endpoints_are_gone():
    for name in ("submit_json", "step_json", "submit"):
        with pytest.raises(NoReverseMatch):
            reverse(f"exercises:{name}", args=[1])


# 3 -------------------------------------------------------------------------------------
def test_a_lenient_quiz_does_not_give_away_a_strict_exams_numbers(course, learner, fixed):
    lenient = quiz_with(course, fixed, title="Homework", show_solution=Reveal.IMMEDIATELY)
    exam = quiz_with(course, fixed, title="Exam", **STRICT)
    client = api(learner)
    homework = start_item(client, lenient)
    # The same numbers are in the exam: the homework takes no graded answers for them now,
    # and shows no verdict or solution.
    refused = submit(client, homework["id"], {**EX3_RIGHT, "x": "15"})
    assert refused.status_code == 409, refused.content
    assert client.get(f"/api/v1/attempts/{homework['id']}/solution/").status_code == 403
    exam_attempt = start_item(client, exam)
    response = submit(client, exam_attempt["id"], EX3_RIGHT)
    assert response.status_code == 201
    assert "correct" not in str(response.json()["nodes"])
    assert response.json()["score"] is None


def test_a_step_check_in_a_lenient_quiz_answers_to_the_exam_too(course, learner, fixed):
    lenient = quiz_with(course, fixed, title="Homework", step_through=True)
    quiz_with(course, fixed, title="Exam", **STRICT)
    client = api(learner)
    homework = start_item(client, lenient)
    assert submit(client, homework["id"], {"x": "36"}, kind="step").status_code in (403, 409)


def test_practice_cannot_read_an_exam_exercises_solution(course, learner, fixed):
    quiz_with(course, fixed, title="Exam", **STRICT)
    client = api(learner)
    response = client.post(f"/api/v1/exercises/{fixed.pk}/attempts/", format="json")
    if response.status_code in (200, 201):  # started, but it answers to the exam
        practice = response.json()["id"]
        assert submit(client, practice, EX3_RIGHT).status_code == 409
        assert client.get(f"/api/v1/attempts/{practice}/solution/").status_code == 403
    else:
        assert response.status_code == 403


def test_perturbed_items_give_fresh_numbers(course, learner, fixed):
    quiz_with(course, fixed, title="Homework", show_solution=Reveal.IMMEDIATELY)
    exam = quiz_with(course, fixed, title="Exam", **STRICT)
    exam.perturb = True
    exam.save()
    client = api(learner)
    homework_item = QuizItem.objects.get(quiz__title="Homework")
    homework = start_item(client, homework_item)
    assert submit(client, homework["id"], {**EX3_RIGHT, "x": "15"}).status_code == 201
    assert client.get(f"/api/v1/attempts/{homework['id']}/solution/").status_code == 200
    exam_attempt = start_item(client, exam)
    data = {n["name"]: n["data"] for n in exam_attempt["graph"]["nodes"]}
    assert data["x"] != 5  # new numbers, so the homework's solution is not the exam's
    assert services.has_random_inputs(fixed) is False


# 4 -------------------------------------------------------------------------------------
def test_practice_from_before_an_exam_is_governed_by_the_exam(course, learner, fixed,
                                                              instructor):
    client = api(learner)
    practice = start_practice(client, fixed)
    assert submit(client, practice["id"], {**EX3_RIGHT, "x": "15"}).status_code == 201
    assert client.get(f"/api/v1/attempts/{practice['id']}/solution/").status_code == 200
    quiz_with(course, fixed, title="Exam", **STRICT)  # the exercise joins a running exam
    assert client.get(f"/api/v1/attempts/{practice['id']}/solution/").status_code == 403
    assert submit(client, practice["id"], EX3_RIGHT).status_code == 409
    body = attempt_body(client, practice["id"])
    assert body["best_score"] is None
    assert "correct" not in str(body["submissions"])


# 5 -------------------------------------------------------------------------------------
def test_after_attempts_waits_for_the_last_attempt(course, learner, fixed):
    item = quiz_with(course, fixed, attempts_allowed=2, show_solution=Reveal.AFTER_ATTEMPTS)
    client = api(learner)
    attempt = start_item(client, item)
    assert submit(client, attempt["id"], {**EX3_RIGHT, "x": "15"}).status_code == 201
    assert client.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 403
    assert submit(client, attempt["id"], {**EX3_RIGHT, "x": "16"}).status_code == 201
    assert client.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 200


def test_after_attempts_shows_the_solution_once_solved(course, learner, fixed):
    item = quiz_with(course, fixed, attempts_allowed=3, show_solution=Reveal.AFTER_ATTEMPTS)
    client = api(learner)
    attempt = start_item(client, item)
    assert submit(client, attempt["id"], EX3_RIGHT).status_code == 201
    assert client.get(f"/api/v1/attempts/{attempt['id']}/solution/").status_code == 200


def test_a_new_quiz_with_an_attempt_limit_waits_for_the_last_attempt(client, course,
                                                                      instructor):
    client.force_login(instructor)
    response = client.get(reverse("admin:exercises_quiz_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.fields["show_solution"].initial == Reveal.AFTER_ATTEMPTS
    assert "score full marks" in form.fields["show_solution"].help_text


# 6 -------------------------------------------------------------------------------------
def test_sign_in_locks_out_after_repeated_wrong_passwords(client, learner, settings):
    for _ in range(30):
        client.post(reverse("login"), {"username": "lee", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "lee", "password": "pw"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429, 200)


def test_the_token_endpoint_shares_the_sign_in_lock_out(learner):
    client = APIClient()
    for _ in range(30):
        client.post("/api/v1/auth/token/", {"username": "lee", "password": "wrong"},
                    format="json", REMOTE_ADDR="10.0.0.9")
    # A different client address: the lock is per username as well as per client.
    response = client.post("/api/v1/auth/token/", {"username": "lee", "password": "pw"},
                           format="json", REMOTE_ADDR="10.0.0.10")
    assert response.status_code in (403, 429), response.content


# 7 -------------------------------------------------------------------------------------
def test_an_instructor_cannot_enrol_someone_elses_account(course, instructor):
    get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    client = api(instructor)
    url = f"/api/v1/courses/{course.pk}/learners/"
    someone = client.post(url, {"username": "boss"}, format="json")
    nobody = client.post(url, {"username": "no-such-user"}, format="json")
    assert someone.status_code == nobody.status_code == 404
    assert someone.json() == nobody.json()
    assert "boss@example.org" not in someone.content.decode()
    assert not course.learners.filter(username="boss").exists()


def test_an_integration_key_enrols_only_accounts_it_made(course):
    token = IntegrationToken.objects.create(course=course)
    other = Course.objects.create(title="Other")
    stranger = make_user("stranger")
    other.learners.add(stranger)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(f"/api/v1/courses/{course.pk}/learners/", {"username": "stranger"},
                       format="json").status_code == 404
    made = client.post("/api/v1/learners/", {"username": "newbie", "password": "s3cret-pass"},
                       format="json")
    assert made.status_code == 201
    course.learners.remove(get_user_model().objects.get(username="newbie"))
    again = client.post(f"/api/v1/courses/{course.pk}/learners/", {"username": "newbie"},
                        format="json")
    assert again.status_code == 201


def test_an_instructor_enrols_a_learner_from_another_course_they_teach(course, instructor):
    second = Course.objects.create(title="Second")
    second.instructors.add(instructor)
    kim = make_user("kim")
    second.learners.add(kim)
    response = api(instructor).post(f"/api/v1/courses/{course.pk}/learners/",
                                    {"username": "kim"}, format="json")
    assert response.status_code == 201


def test_the_course_admin_does_not_list_every_user(client, course, instructor):
    make_user("outsider")
    client.force_login(instructor)
    response = client.get(reverse("admin:exercises_course_change", args=[course.pk]))
    assert response.status_code == 200
    assert "outsider" not in response.content.decode()
    found = client.get(reverse("admin:autocomplete"), {
        "term": "out", "app_label": "exercises", "model_name": "course",
        "field_name": "learners"})
    assert "outsider" not in found.content.decode()


# 8 -------------------------------------------------------------------------------------
def test_the_item_pages_input_hint_is_not_an_answer(client, course, learner, fixed):
    item = quiz_with(course, fixed)
    client.force_login(learner)
    page = client.get(reverse("exercises:item", args=[item.quiz_id, item.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "15 + 7*3" not in text and "0.62*(1-0.62)" not in text


def test_level_0_sends_no_misconception_sentence(course, learner, fixed):
    item = quiz_with(course, fixed, hint_level=0)
    client = api(learner)
    attempt = start_item(client, item)
    node = submit(client, attempt["id"], {**EX3_RIGHT, "x": "15"}).json()["nodes"]["x"]
    assert node["correct"] is False
    assert not node.get("explanation") and not node.get("misconception")
    assert not node.get("hint") and not node.get("also")


# 9 -------------------------------------------------------------------------------------
def test_the_instructor_sees_the_best_score_under_hidden_correctness(course, learner, fixed,
                                                                    instructor):
    item = quiz_with(course, fixed, show_correctness=Reveal.NEVER)
    attempt = start_item(api(learner), item)
    submit(api(learner), attempt["id"], EX3_RIGHT)
    body = api(instructor).get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert body["best_score"] == 1.0
    assert body["submissions"][0]["score"] == 1.0


def test_the_schema_does_not_require_a_verdict_per_node(client):
    schema = client.get("/api/schema/?format=json").json()
    node = schema["components"]["schemas"]["NodeResult"]
    assert "correct" not in node.get("required", [])


def test_the_admin_warns_when_an_exam_shares_a_homeworks_numbers(course, fixed):
    from exercises import selectors

    homework = quiz_with(course, fixed, title="Homework", show_solution=Reveal.IMMEDIATELY)
    exam = quiz_with(course, fixed, title="Exam", **STRICT)
    warnings = selectors.shared_number_warnings(exam.quiz)
    assert len(warnings) == 1 and "Homework" in warnings[0] and "perturb" in warnings[0]
    assert "stricter" in selectors.shared_number_warnings(homework.quiz)[0]
    exam.perturb = True
    exam.save()
    assert selectors.shared_number_warnings(exam.quiz) == []


def test_a_stricter_hint_level_keeps_the_exercises_own_rules(course, learner, instructor):
    """A result graded before the quiz's hint level was lowered is graded again for the
    learner at the new level, as the grader would now: with the exercise's own rules."""
    from exercises import feedback
    from exercises.models import FeedbackRule, Submission

    exercise = services.create_exercise(title="Doubled", program="x = 5\ny = x * 3\n"
                                        "L = y * 2\n", course=course, author=instructor)
    FeedbackRule.objects.create(exercise=exercise, node="x", expression="upstream * 2",
                                code="doubled", message="You doubled the upstream gradient.")
    feedback.forget_rules(exercise)  # as the admin does when it saves a rule
    item = quiz_with(course, exercise, hint_level=2)
    client = api(learner)
    attempt = start_item(client, item)
    answers = {"L": "1", "y": "2", "x": "4"}  # ∂L/∂x is 6: 4 is the rule's number
    graded = submit(client, attempt["id"], answers).json()["nodes"]["x"]
    assert graded["misconception"] == "authored" and graded["rule"] == "doubled"
    Quiz.objects.filter(pk=item.quiz_id).update(hint_level=1)
    shown = attempt_body(client, attempt["id"])["submissions"][0]["nodes"]["x"]
    assert (shown["misconception"], shown["rule"]) == ("authored", "doubled")
    assert Submission.objects.get().result["nodes"]["x"]["rule"] == "doubled"
