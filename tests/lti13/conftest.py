"""Fixtures for the LTI tests: the platform emulator, its registration here, a course with
a quiz, and helpers that walk a browser through login initiation and launch."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from quizbank.helpers import BRANCH_PROGRAM, make_user

from exercises import services
from exercises.models import Course, Quiz, QuizItem
from lti import registration

from .platform import Platform


@pytest.fixture(scope="session")
def platform_server():
    server = Platform()
    yield server
    server.close()


@pytest.fixture
def platform(platform_server):
    cache.clear()  # access tokens the tool cached from an earlier test's platform state
    platform_server.scores.clear()
    platform_server.score_answers.clear()
    platform_server.tokens.clear()
    platform_server.members.clear()
    platform_server.registrations.clear()
    return platform_server


@pytest.fixture
def registered(db, platform, client):
    made = registration.add_platform(**platform.urls, deployment_id=platform.deployment_id)
    platform.tool_jwks = client.get("/lti/jwks/").json()
    return made


@pytest.fixture
def bank(db):
    instructor = make_user("ada", staff=True)
    course = Course.objects.create(title="Course A")
    course.instructors.add(instructor)
    exercise = services.create_exercise(title="x feeds two operations",
                                        program=BRANCH_PROGRAM, course=course,
                                        author=instructor)
    quiz = Quiz.objects.create(course=course, title="Branches")
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise, points=4, position=1)
    return SimpleNamespace(instructor=instructor, course=course, exercise=exercise,
                           quiz=quiz, item=item)


def start_login(client, platform, **extra):
    """The platform's login initiation; returns the auth request's parameters."""
    response = client.post("/lti/login/", {
        "iss": platform.issuer, "login_hint": "hint-1", "client_id": platform.client_id,
        "target_link_uri": "http://testserver/lti/launch/", **extra})
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.urls["auth_url"]
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def launch(client, platform, *, sub="learner-1", roles=None, token=None, state=None,
           **claims):
    """Login initiation, then the id_token POST, as the platform's browser would."""
    auth = start_login(client, platform)
    if token is None:
        body = platform.claims(auth["nonce"], sub=sub, roles=roles or [], **claims)
        token = platform.sign(body)
    return client.post("/lti/launch/", {"id_token": token, "state": state or auth["state"]})
