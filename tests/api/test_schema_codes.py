"""The API schema names every misconception code the grader can return."""

from __future__ import annotations

import pytest

from exercises.grading import CODES


@pytest.mark.django_db
def test_the_schema_enum_is_the_catalogue(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert components["MisconceptionEnum"]["enum"] == list(CODES)
    node = components["NodeResult"]["properties"]
    assert "MisconceptionEnum" in str(node["misconception"])
    assert "MisconceptionEnum" in str(node["also"]["items"])
    assert node["ambiguous"]["type"] == "boolean"
