"""Helpers for the API tests: the cast (two courses, their instructors, two learners, an
integration token per course, exercises from the notes' examples) and request shortcuts."""

from __future__ import annotations

import math
import re

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises import services
from exercises.demo import read
from exercises.models import Course, IntegrationToken, Quiz, QuizItem, Reveal

PASSWORD = "a-long-test-password"


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                **extra)


def client_for(who) -> APIClient:
    """An API client authenticated as a user or an IntegrationToken (None: anonymous)."""
    client = APIClient()
    if isinstance(who, IntegrationToken):
        client.credentials(HTTP_AUTHORIZATION=f"Token {who.key}")
    elif who is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=who).key}")
    return client


class Cast:
    """Everyone, by role name, for parametrized permission tests."""

    def __init__(self):
        self.instructor = make_user("ines")
        self.other_instructor = make_user("otto")
        self.learner_a = make_user("ada")
        self.learner_b = make_user("bob")
        self.outsider = make_user("olga")  # a learner in the other course only
        self.course = Course.objects.create(title="Backprop")
        self.course.instructors.add(self.instructor)
        self.course.learners.add(self.learner_a, self.learner_b)
        self.other_course = Course.objects.create(title="Other")
        self.other_course.instructors.add(self.other_instructor)
        self.other_course.learners.add(self.outsider)
        self.integration = IntegrationToken.objects.create(course=self.course)
        self.other_integration = IntegrationToken.objects.create(course=self.other_course)
        self.exercise = services.create_exercise(
            title="Example 3", program=read("refresher_3.txt"), course=self.course,
            author=self.instructor)
        self.quiz = Quiz.objects.create(course=self.course, title="Quiz",
                                        attempts_allowed=1, show_solution=Reveal.NEVER)
        self.quiz_exercise = services.create_exercise(
            title="Neuron", program=read("sigmoid_neuron.txt"), course=self.course,
            author=self.instructor)
        self.item = QuizItem.objects.create(quiz=self.quiz, exercise=self.quiz_exercise,
                                            position=1)
        self.other_exercise = services.create_exercise(
            title="Elsewhere", program=read("worked_xy.txt"), course=self.other_course,
            author=self.other_instructor)
        self.clients = {}

    def who(self, role: str):
        return {"anonymous": None, "learner_a": self.learner_a, "learner_b": self.learner_b,
                "other_instructor": self.other_instructor, "instructor": self.instructor,
                "integration": self.integration, "outsider": self.outsider,
                "other_integration": self.other_integration}[role]

    def client(self, role: str) -> APIClient:
        if role not in self.clients:
            self.clients[role] = client_for(self.who(role))
        return self.clients[role]


def start(client, exercise_id: int) -> dict:
    response = client.post(f"/api/v1/exercises/{exercise_id}/attempts/", format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def submit(client, attempt_id: int, grads: dict):
    return client.post(f"/api/v1/attempts/{attempt_id}/submissions/", {"grads": grads},
                       format="json")


SECRET_KEYS = {"grad", "grad_exact", "data_exact", "local", "solution", "expected",
               "correct_value"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def find_leaks(body, secrets: list[float] = ()) -> list[str]:
    """Where a JSON body holds a solution key, or a number (also inside text) close to one
    of the secret values. Returns readable paths; empty means clean."""
    found = []

    def close(value: float) -> bool:
        return any(math.isclose(value, s, rel_tol=1e-3, abs_tol=1e-9) for s in secrets)

    def walk(item, path):
        if isinstance(item, dict):
            for key, value in item.items():
                if key in SECRET_KEYS:
                    found.append(f"{path}.{key} (key)")
                walk(value, f"{path}.{key}")
        elif isinstance(item, list):
            for number, value in enumerate(item):
                walk(value, f"{path}[{number}]")
        elif isinstance(item, bool) or item is None:
            return
        elif isinstance(item, int | float):
            if close(float(item)):
                found.append(f"{path} = {item}")
        elif isinstance(item, str):
            for text in _NUMBER.findall(item):
                if close(float(text)):
                    found.append(f"{path} mentions {text}")

    walk(body, "$")
    return found
