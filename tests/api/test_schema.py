"""The OpenAPI schema validates, and the API answers as it says: a property-based run
against it finds no 5xx and no response the schema does not describe."""

from __future__ import annotations

import pytest
import schemathesis
from api_helpers import PASSWORD, Cast, start, submit
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation


def test_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns any warning (an unresolvable serializer, a name clash) into an
    # error; --validate checks the result against the OpenAPI 3 meta-schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/auth/token/", "/api/v1/attempts/{id}/submissions/",
                 "/api/v1/quizzes/{id}/grades/"):
        assert f"{path}:" in text


@pytest.mark.django_db
def test_removing_an_override_is_documented(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ("/api/v1/attempts/{id}/override/",
                 "/api/v1/quizzes/{id}/learners/{learner_id}/override/"):
        removal = paths[path]["delete"]
        assert {"204", "403", "404"} <= set(removal["responses"]), path
        body = removal["requestBody"]
        assert not body.get("required")  # {"reason": "…"} may be left out
        assert body["content"]["application/json"]["schema"]["$ref"].endswith("/Removal")


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert client.get("/api/docs/").status_code == 200


ROLES = {"learner": "learner_a", "instructor": "instructor", "integration": "integration",
         "anonymous": "anonymous"}

# Every response: no 5xx, and a status code, media type and body the schema lists for it.
RESPONSE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_schema_conformance]

# DRF's pagination ignores a `page_size` it cannot read (it serves the default page size),
# as its description in the schema says, so a negated one is not "invalid data accepted".
LENIENT_QUERY = {"page_size"}


def invalid_data_rejected(ctx, response, case):
    """negative_data_rejection, except for cases whose only mutations are in LENIENT_QUERY."""
    mutations = getattr(case.meta.phase.data, "mutations", ()) if case.meta else ()
    if mutations and all(m.parameter_location == ParameterLocation.QUERY
                         and m.parameter in LENIENT_QUERY for m in mutations):
        return None
    return negative_data_rejection(ctx, response, case)


def checks_for(operation, mode) -> list:
    if mode == GenerationMode.NEGATIVE:
        return [*RESPONSE_CHECKS, invalid_data_rejected]
    # Valid-looking bodies are refused on their meaning (a wrong password, a taken username,
    # a program that does not parse, a node the exercise lacks): the schema cannot say
    # which. Without a body, anything the schema allows must be accepted.
    if operation.body:
        return RESPONSE_CHECKS
    return [*RESPONSE_CHECKS, positive_data_acceptance]


class Findings:
    """Calls cases, checks their responses, and keeps every failure (one per operation, mode
    and kind) and every status seen, to report them all at once."""

    def __init__(self, headers: dict):
        self.headers = headers
        self.failures: dict[tuple, str] = {}
        self.statuses: set[tuple[str, int]] = set()

    def call(self, case, checks=RESPONSE_CHECKS, mode="given"):
        response = case.call(headers=self.headers)
        label = case.operation.label
        self.statuses.add((label, response.status_code))
        try:
            case.validate_response(response, checks=checks)
        except BaseExceptionGroup as group:  # schemathesis' FailureGroup
            for failure in group.exceptions:
                where = (label, mode, failure.title, response.status_code)
                self.failures.setdefault(where, f"{' | '.join(map(str, where))}\n{group}")
        return response


# What each role must reach among the cast's real objects (see _walk): proof that the
# checks saw successful bodies and the documented error bodies, not only 404s.
REACHED = {
    "learner": {
        ("GET /api/v1/exercises/{id}/", 200),
        ("GET /api/v1/attempts/{id}/", 200),
        ("GET /api/v1/attempts/{id}/solution/", 200),  # practice shows it
        ("GET /api/v1/attempts/{id}/solution/", 403),  # the quiz never does
        ("POST /api/v1/attempts/{id}/submissions/", 201),
        ("POST /api/v1/attempts/{id}/submissions/", 400),  # unreadable
        ("POST /api/v1/attempts/{id}/submissions/", 409),  # no attempts left
    },
    "instructor": {
        ("GET /api/v1/exercises/{id}/", 200),
        ("GET /api/v1/attempts/{id}/", 200),  # the learner's, with full results
        ("GET /api/v1/quizzes/{id}/grades/", 200),
        ("POST /api/v1/exercises/", 201),
        ("POST /api/v1/exercises/", 400),  # a program that does not read
        ("POST /api/v1/learners/", 201),
        ("POST /api/v1/courses/{id}/learners/", 200),  # a learner of the course already
        ("POST /api/v1/courses/{id}/learners/", 404),  # someone else's account, or nobody
    },
    "integration": {
        ("GET /api/v1/courses/{id}/learners/", 200),
        ("GET /api/v1/quizzes/{id}/grades/", 200),
        ("GET /api/v1/attempts/{id}/", 403),
        ("POST /api/v1/learners/", 201),
    },
    "anonymous": {
        ("GET /api/v1/courses/", 401),
        ("GET /api/v1/attempts/{id}/", 401),
        ("POST /api/v1/attempts/{id}/submissions/", 401),
        ("POST /api/v1/auth/token/", 400),
    },
}


@pytest.mark.django_db(transaction=True)  # the app is called through WSGI, which commits
@pytest.mark.parametrize("role", ROLES)
def test_responses_conform_to_the_schema(role):
    """Schemathesis generates requests from the schema (valid ones and, for the request
    bodies and parameters, invalid ones) for every operation and checks each response
    against it; then requests at the cast's real objects (an exercise, a practice attempt
    with a submission, a quiz item) check the bodies that generated ids rarely reach."""
    cast = Cast()
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    submit(cast.client("learner_a"), attempt["id"], {"x": "15"})
    who = cast.who(ROLES[role])
    if who is None:
        findings = Findings({})
    else:
        key = who.key if role == "integration" else Token.objects.get_or_create(user=who)[0].key
        findings = Findings({"Authorization": f"Token {key}"})
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                            get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(findings, operation, mode)
    _walk(findings, schema, cast, attempt["id"])
    assert not findings.failures, "\n\n".join(findings.failures.values())
    assert REACHED[role] <= findings.statuses, REACHED[role] - findings.statuses


def _fuzz(findings, operation, mode):
    checks = checks_for(operation, mode)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        findings.call(case, checks, mode.value)

    run()


def _walk(findings, schema, cast, attempt_id):
    """The same requests for every role; each role gets its own answers (the learner owns
    the attempt, the instructor teaches the course, the integration acts for it)."""

    def call(method, path, pk=None, **parts):
        operation = schema[path][method]
        return findings.call(operation.Case(
            path_parameters=None if pk is None else {"id": pk}, **parts))

    course, quiz = cast.course.pk, cast.quiz.pk
    call("GET", "/api/v1/courses/{id}/", course)
    call("GET", "/api/v1/courses/{id}/learners/", course)
    call("POST", "/api/v1/courses/{id}/learners/", course, body={"username": "olga"})
    call("POST", "/api/v1/courses/{id}/learners/", course, body={"username": "bob"})
    call("POST", "/api/v1/courses/{id}/learners/", course, body={"username": "nobody"})
    call("POST", "/api/v1/learners/", body={"username": "carol", "password": PASSWORD})
    call("POST", "/api/v1/learners/", body={"username": "ada", "password": PASSWORD})
    call("GET", "/api/v1/quizzes/{id}/", quiz)
    call("GET", "/api/v1/quizzes/{id}/grades/", quiz,
         query={"updated_since": "2000-01-01T00:00:00Z"})
    call("GET", "/api/v1/exercises/{id}/", cast.exercise.pk)
    call("POST", "/api/v1/exercises/",
         body={"title": "a × b", "program": "a = 3\nb = 2\nL = a * b", "tags": ["t"]})
    call("POST", "/api/v1/exercises/", body={"title": "typo", "program": "a = 3\nL = a * q"})
    call("POST", "/api/v1/exercises/{id}/attempts/", cast.exercise.pk)
    call("GET", "/api/v1/attempts/{id}/", attempt_id)
    call("GET", "/api/v1/attempts/{id}/solution/", attempt_id)
    for grads in ({"x": "36", "y": "15", "L": "1"}, {"x": "1/"}):  # graded; unreadable
        call("POST", "/api/v1/attempts/{id}/submissions/", attempt_id, body={"grads": grads})
    item = call("POST", "/api/v1/quiz-items/{id}/attempts/", cast.item.pk)
    if item.status_code == 201:  # one submission allowed, no solution shown
        answer = {"grads": {item.json()["ask"][0]: "0"}}
        for _ in range(2):  # graded; no attempts left
            call("POST", "/api/v1/attempts/{id}/submissions/", item.json()["id"], body=answer)
        call("GET", "/api/v1/attempts/{id}/", item.json()["id"])
        call("GET", "/api/v1/attempts/{id}/solution/", item.json()["id"])
