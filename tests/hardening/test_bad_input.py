"""Hostile answers, programs and bodies: each is refused with a 4xx and a message that
says what is wrong, fast, never a 5xx; and the server goes on serving afterwards.

Answers go in through every door a learner has: the REST API, the page's JSON endpoint
and the plain form POST. Programs through the API and the admin's live preview. Bodies
(wrong JSON types, NaN, nesting, a megabyte) through the API. The same corpus is then
sent over real HTTP to gunicorn, which must answer each quickly and stay up.

"Fast" is 100 ms per request (the issue's bound), taken as the best of three tries so a
busy CI machine's hiccup is not mistaken for a slow refusal; a bomb is slow every time.
"""

from __future__ import annotations

import http.client
import json
import time

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.http import NEURON_ANSWERS, Server, helper
from exercises import services
from exercises.demo import read
from exercises.models import Course, Quiz, QuizItem, Submission

FAST = 0.100
DEEP = "(" * 10_000 + "1" + ")" * 10_000
MEGABYTE = 1024 * 1024

HOSTILE_ANSWERS = {
    "power tower": "9**9**9**9",
    "caret tower": "9^9^9^9",
    "huge power": "2**1000000",
    "10,000-deep parentheses": DEEP,
    "parentheses within the length limit": "(" * 99 + "1" + ")" * 99,
    "overflow": "1e999999",
    "overflowing product": "1e308*10",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "minus infinity": "-inf",
    "division by zero": "0/0",
    "Cyrillic O for zero": "1О",
    "zero-width space": "1\u200b2",
    "letter l for one": "l/4",
    "NUL byte": "1\x00",
    "SQL injection": "1; DROP TABLE exercises_submission; --",
    "SQL quote": "' OR '1'='1",
    "script tag": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "python": "__import__('os').system('id')",
    "unknown function": "factorial(100000)",
    "a node name": "w0",
    "5,000 digits": "1" * 5000,
}

HOSTILE_PROGRAMS = {
    "power tower": "a = 9**9**9**9\nL = a * 2",
    "10,000-deep parentheses": "a = " + DEEP[:9_990] + "\nL = a",
    "too long": "a = 1\n" * 5000,
    "overflow": "a = 1e999\nL = a * 2",
    "exp overflow": "a = 1000\nL = exp(exp(a))",
    "NaN": "a = nan\nL = a * 2",
    "float('inf')": "a = float('inf')\nL = a",
    "import": "import os\nL = 1",
    "__import__": "a = __import__('os')\nL = a",
    "exec": "a = exec('1')",
    "SQL injection": "a = 1; DROP TABLE exercises_exercise; --\nL = a",
    "script tag": "a = <script>alert(1)</script>",
    "NUL byte": "a = 1\x00\nL = a",
    "600 nodes": "\n".join(f"a{i} = {i}" for i in range(600)),
    "3,000 factors": "a = 2\nL = " + " * ".join(["a"] * 3000),
    "division by zero": "a = 0\nL = 1 / a",
    "Mermaid bomb": "flowchart LR\n" + "\n".join(f"n{i} --> n{i + 1}" for i in range(2000)),
}

# (raw body, content type, the status it must get)
HOSTILE_BODIES = {
    "NaN literal": ('{"grads": {"w0": NaN}}', "application/json", 400),
    "Infinity literal": ('{"grads": {"w0": Infinity}}', "application/json", 400),
    "1e999": ('{"grads": {"w0": 1e999}}', "application/json", 400),
    "10,000-deep JSON": ('{"grads": ' + "[" * 10_000 + "]" * 10_000 + "}",
                         "application/json", 400),
    "not JSON": ("{grads: w0=1}", "application/json", 400),
    "invalid UTF-8": (b'{"grads": {"w0": "\xff\xfe"}}', "application/json", 400),
    "a list": ("[1, 2]", "application/json", 400),
    "a string": ('"w0"', "application/json", 400),
    "a number": ("5", "application/json", 400),
    "null": ("null", "application/json", 400),
    "grads a list": ('{"grads": [1]}', "application/json", 400),
    "grads a string": ('{"grads": "w0=1"}', "application/json", 400),
    "grads null": ('{"grads": null}', "application/json", 400),
    "answer an object": ('{"grads": {"w0": {"$gt": ""}}}', "application/json", 400),
    "answer a list": ('{"grads": {"w0": [1]}}', "application/json", 400),
    "answer a boolean": ('{"grads": {"w0": true}}', "application/json", 400),
    "answer null": ('{"grads": {"w0": null}}', "application/json", 400),
    "NUL in a node name": ('{"grads": {"w0\\u0000": "1"}}', "application/json", 400),
    "node name of 10,000 chars": (json.dumps({"grads": {"w" * 10_000: "1"}}),
                                  "application/json", 400),
    "5,000 answers": (json.dumps({"grads": {f"n{i}": "1" for i in range(5_000)}}),
                        "application/json", 400),
    "data and grads": ('{"grads": {"w0": "1"}, "data": {"w0": "1"}}', "application/json",
                       400),
    "1 MB body": ('{"grads": {"w0": "' + "1" * MEGABYTE + '"}}', "application/json", 413),
    "a form": ("grads=1", "application/x-www-form-urlencoded", 415),
    "XML": ("<grads><w0>1</w0></grads>", "application/xml", 415),
}


class Setting:
    """A learner with an attempt at a three-try quiz item, and an instructor."""

    def __init__(self):
        User = get_user_model()
        self.learner = User.objects.create_user("lena", password="pw")
        self.instructor = User.objects.create_user("ivan", password="pw", is_staff=True)
        course = Course.objects.create(title="Hardening")
        course.learners.add(self.learner)
        course.instructors.add(self.instructor)
        self.course = course
        exercise = services.create_exercise(title="Neuron", course=course,
                                            program=read("sigmoid_neuron.txt"))
        quiz = Quiz.objects.create(course=course, title="Quiz", attempts_allowed=3)
        self.item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
        self.attempt, _ = services.start_attempt(self.learner, item=self.item)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=self.learner)}")
        self.teacher_api = APIClient()
        self.teacher_api.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=self.instructor)}")

    def browser(self, client, user):
        client.force_login(user)
        return client


@pytest.fixture
def setting(db):
    return Setting()


def refused(call, status: int | tuple[int, ...] = (400, 413, 415)):
    """The response, after checking it is the expected 4xx within FAST (best of 3)."""
    statuses = status if isinstance(status, tuple) else (status,)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        response = call()
        best = min(best, time.perf_counter() - start)
        assert response.status_code in statuses, (response.status_code, response.content[:300])
        if best < FAST:
            break
    assert best < FAST, f"took {best * 1000:.0f} ms"
    return response


def messages(body) -> list[str]:
    """Every text in a JSON error body (detail, field errors, per-node errors)."""
    if isinstance(body, str):
        return [body] if body.strip() else []
    if isinstance(body, dict):
        return [text for value in body.values() for text in messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in messages(value)]
    return []


def still_serving(setting) -> None:
    response = setting.api.post(f"/api/v1/attempts/{setting.attempt.pk}/submissions/",
                                {"grads": NEURON_ANSWERS}, format="json")
    assert response.status_code == 201 and response.json()["score"] == 1.0


# -- answers through the three doors -----------------------------------------------------------
@pytest.mark.parametrize("answer", HOSTILE_ANSWERS.values(), ids=HOSTILE_ANSWERS.keys())
def test_hostile_answer_through_the_api(setting, answer):
    url = f"/api/v1/attempts/{setting.attempt.pk}/submissions/"
    response = refused(lambda: setting.api.post(
        url, {"grads": {**NEURON_ANSWERS, "w0": answer}}, format="json"), 400)
    body = response.json()
    assert body.get("detail") or body.get("grads")
    assert messages(body.get("errors") or body.get("grads")), body
    setting.attempt.refresh_from_db()
    assert setting.attempt.graded_count == 0  # an unreadable answer costs no attempt
    still_serving(setting)


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS.values(), ids=HOSTILE_ANSWERS.keys())
def test_hostile_answer_through_the_pages_session(setting, client, answer):
    """The page's way in: JSON to the API with the session cookie, as quiz.js sends it."""
    browser = setting.browser(client, setting.learner)
    answers = {**NEURON_ANSWERS, "w0": answer}
    response = refused(lambda: browser.post(
        f"/api/v1/attempts/{setting.attempt.pk}/submissions/", {"grads": answers},
        content_type="application/json"), 400)
    body = response.json()
    assert body.get("detail") or body.get("grads")
    assert "w0" in str(body.get("errors") or body.get("grads"))
    page = browser.get(f"/quizzes/{setting.attempt.item.quiz_id}/items/"
                       f"{setting.attempt.item_id}/").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_a_form_post_to_the_api_is_refused_cleanly(setting, client):
    browser = setting.browser(client, setting.learner)
    response = browser.post(f"/api/v1/attempts/{setting.attempt.pk}/submissions/",
                            {f"answer-{n}": v for n, v in NEURON_ANSWERS.items()})
    assert response.status_code == 415 and response.json()["detail"]


def test_unicode_digits_are_read_as_the_digits_they_are(setting):
    """Fullwidth and mathematical digits are NFKC-normalised, not refused: a 201."""
    url = f"/api/v1/attempts/{setting.attempt.pk}/submissions/"
    response = setting.api.post(url, {"grads": {**NEURON_ANSWERS, "f": "１", "w2": "𝟎.𝟏𝟗𝟔𝟔"}},
                                format="json")
    assert response.status_code == 201 and response.json()["score"] == 1.0


# -- bodies through the API --------------------------------------------------------------------
@pytest.mark.parametrize(("body", "content_type", "status"), HOSTILE_BODIES.values(),
                         ids=HOSTILE_BODIES.keys())
def test_hostile_body(setting, body, content_type, status):
    url = f"/api/v1/attempts/{setting.attempt.pk}/submissions/"
    response = refused(lambda: setting.api.post(url, body, content_type=content_type), status)
    assert messages(response.json()), response.content[:300]
    assert not Submission.objects.filter(counted=True).exists()
    still_serving(setting)


def test_a_megabyte_answer_from_the_page(setting, client):
    browser = setting.browser(client, setting.learner)
    response = refused(lambda: browser.post(
        f"/api/v1/attempts/{setting.attempt.pk}/submissions/",
        {"grads": {"w0": "1" * MEGABYTE}}, content_type="application/json"), (400, 413))
    assert response.status_code in (400, 413)
    assert not Submission.objects.exists()


# -- programs through the API and the admin preview -----------------------------------------------
@pytest.mark.parametrize("program", HOSTILE_PROGRAMS.values(), ids=HOSTILE_PROGRAMS.keys())
def test_hostile_program_through_the_api(setting, program):
    response = refused(lambda: setting.teacher_api.post("/api/v1/exercises/", {
        "title": "hostile", "program": program, "course": setting.course.pk},
        format="json"), 400)
    body = response.json()
    assert body.get("detail") or body.get("program"), body
    assert messages(body)


@pytest.mark.parametrize("program", HOSTILE_PROGRAMS.values(), ids=HOSTILE_PROGRAMS.keys())
def test_hostile_program_through_the_admin_preview(setting, client, program):
    browser = setting.browser(client, setting.instructor)
    response = refused(lambda: browser.post("/admin/exercises/exercise/preview/",
                                            {"program": program}), 400)
    assert response.json()["error"]


# -- the same over real HTTP, against gunicorn ----------------------------------------------------
def test_gunicorn_refuses_the_corpus_fast_and_stays_up(live_database):
    learner = helper(live_database, "--seed", "1", "--attempts-allowed", "3")["learners"][0]
    path = f"/api/v1/attempts/{learner['attempt']}/submissions/"
    headers = {"Authorization": f"Token {learner['token']}"}
    bodies = [(json.dumps({"grads": {**NEURON_ANSWERS, "w0": answer}}), "application/json",
               400) for answer in HOSTILE_ANSWERS.values()] + list(HOSTILE_BODIES.values())
    with Server(live_database, workers=2, floor=False) as server:
        def post(body, content_type):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            start = time.perf_counter()
            conn.request("POST", path, body=body.encode() if isinstance(body, str) else body,
                         headers={**headers, "Content-Type": content_type})
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            return response.status, payload, time.perf_counter() - start

        slow, wrong = [], []
        for body, content_type, status in bodies:
            got, payload, elapsed = min((post(body, content_type) for _ in range(3)),
                                        key=lambda result: result[2])
            if got != status or not messages(json.loads(payload)):
                wrong.append((body[:60], got, payload[:200]))
            if elapsed >= FAST:
                slow.append((body[:60], f"{elapsed * 1000:.0f} ms"))
        good = post(json.dumps({"grads": NEURON_ANSWERS}), "application/json")
        assert server.process.poll() is None, server.output()
    assert wrong == [] and slow == []
    assert good[0] == 201 and json.loads(good[1])["score"] == 1.0
    assert "Traceback" not in server.output() and "WORKER TIMEOUT" not in server.output()
