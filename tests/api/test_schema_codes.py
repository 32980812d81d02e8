"""The API schema names every misconception code the grader can return."""

from __future__ import annotations

import pytest

from exercises.grading import ALL_CODES, CODES, KINDS


@pytest.mark.django_db
def test_the_schema_enum_is_the_catalogue(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    enum = components["MisconceptionEnum"]["enum"]
    assert enum == list(ALL_CODES) and set(CODES) <= set(enum)
    assert "update_sign" in enum and "local_own_value" in enum and len(KINDS) == 5
    node = components["NodeResult"]["properties"]
    assert "MisconceptionEnum" in str(node["misconception"])
    assert "MisconceptionEnum" in str(node["also"]["items"])
    assert node["ambiguous"]["type"] == "boolean"
