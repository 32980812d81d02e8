"""The OpenAPI schema validates, and a property-based run against it finds no 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from api_helpers import Cast, start, submit
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error


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
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert client.get("/api/docs/").status_code == 200


ROLES = {"learner": "learner_a", "instructor": "instructor", "integration": "integration"}


@pytest.mark.django_db(transaction=True)  # the app is called through WSGI, which commits
@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors(role):
    """Schemathesis generates requests from the schema (valid ones and, for the request
    bodies and parameters, invalid ones) for every operation; none may answer 5xx. The
    caller has an exercise, an attempt and a submission, so small generated ids reach real
    objects as well as missing ones."""
    cast = Cast()
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    submit(cast.client("learner_a"), attempt["id"], {"x": "15"})
    who = cast.who(ROLES[role])
    key = who.key if role == "integration" else Token.objects.get_or_create(user=who)[0].key
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                            get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers)


def _fuzz(operation, mode, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    run()
