"""A hostile learner's toolkit: API clients and the shortest calls to each learner action."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

EX3_RIGHT = {"L": "1", "y": "15", "z": "7", "x": "36"}  # the notes' Example 3


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password="pw", **extra)


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def start_item(client, item) -> dict:
    response = client.post(f"/api/v1/quiz-items/{item.pk}/attempts/", format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def start_practice(client, exercise) -> dict:
    response = client.post(f"/api/v1/exercises/{exercise.pk}/attempts/", format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def submit(client, attempt_id: int, answers: dict, kind: str | None = None):
    body = {"grads": answers}
    if kind:
        body["kind"] = kind
    return client.post(f"/api/v1/attempts/{attempt_id}/submissions/", body, format="json")


def attempt_body(client, attempt_id: int) -> dict:
    response = client.get(f"/api/v1/attempts/{attempt_id}/")
    assert response.status_code == 200, response.content
    return response.json()
