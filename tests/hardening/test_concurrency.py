"""Fifty simultaneous submissions to one attempt whose quiz allows three: exactly three
are graded, the other 47 are refused with 409, and no row is lost or written twice.

Over HTTP against gunicorn (several worker processes, one database: a SQLite file or
PostgreSQL, whichever the suite runs on), and in process on PostgreSQL through the service
and the API from 50 threads, each with its own database connection.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.http import NEURON_ANSWERS, Server, helper
from exercises import services
from exercises.demo import read
from exercises.models import Attempt, Course, Quiz, QuizItem, Submission

ALLOWED, SENDERS = 3, 50
BODY = json.dumps({"grads": NEURON_ANSWERS}).encode()


def all_at_once(count: int, send) -> Counter:
    """Run `send()` in `count` threads released together; count what they return."""
    barrier = threading.Barrier(count)
    outcomes: list = []

    def run():
        try:
            barrier.wait(timeout=30)
            outcomes.append(send())
        except Exception as exc:  # noqa: BLE001 — any crash is an outcome to report
            outcomes.append(repr(exc))
        finally:
            connection.close()  # this thread's own database connection

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes)


def test_fifty_at_once_over_http(live_database):
    seeded = helper(live_database, "--seed", "1", "--attempts-allowed", str(ALLOWED))
    learner = seeded["learners"][0]
    with Server(live_database, workers=4, floor=False) as server:
        def send():
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            conn.request("POST", f"/api/v1/attempts/{learner['attempt']}/submissions/",
                         body=BODY, headers={"Authorization": f"Token {learner['token']}",
                                             "Content-Type": "application/json"})
            response = conn.getresponse()
            payload = json.loads(response.read() or b"{}")
            conn.close()
            if response.status == 409:
                assert "no attempts left" in payload["detail"]
            return response.status

        outcomes = all_at_once(SENDERS, send)
    assert outcomes == {201: ALLOWED, 409: SENDERS - ALLOWED}, server.output()
    rows = helper(live_database, "--count")
    assert rows["attempts"][str(learner["attempt"])] == {
        "rows": ALLOWED, "counted": ALLOWED, "graded_count": ALLOWED}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("through", ["service", "api"])
def test_fifty_at_once_in_process(through):
    learner = get_user_model().objects.create_user("racer", password="pw")
    course = Course.objects.create(title="Race")
    course.learners.add(learner)
    exercise = services.create_exercise(title="Neuron", program=read("sigmoid_neuron.txt"),
                                        course=course)
    quiz = Quiz.objects.create(course=course, title="Timed", attempts_allowed=ALLOWED)
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise)
    attempt, _ = services.start_attempt(learner, item=item)
    token = Token.objects.create(user=learner).key

    def by_service():
        own = Attempt.objects.select_related("item__quiz", "exercise", "variant").get(
            pk=attempt.pk)  # each thread its own instance, as each request has
        try:
            services.submit(own, dict(NEURON_ANSWERS))
            return 201
        except services.Conflict:
            return 409

    def by_api():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(f"/api/v1/attempts/{attempt.pk}/submissions/",
                           {"grads": NEURON_ANSWERS}, format="json").status_code

    outcomes = all_at_once(SENDERS, by_service if through == "service" else by_api)
    assert outcomes == {201: ALLOWED, 409: SENDERS - ALLOWED}
    attempt.refresh_from_db()
    assert attempt.graded_count == ALLOWED
    rows = Submission.objects.filter(attempt=attempt)
    assert rows.count() == ALLOWED and rows.filter(counted=True).count() == ALLOWED
    assert attempt.best_score == 1.0 and attempt.solved
