"""Integration keys stored hashed (exercises.models.IntegrationToken): what a database dump
holds opens nothing; a key works until revoked or expired; its last use is recorded; keys
made before hashing keep working (migration 0004)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import client_for
from django.core import serializers
from django.utils import timezone
from rest_framework.test import APIClient

from exercises.models import IntegrationToken


def courses_with(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/courses/")


def test_the_database_holds_no_working_key(cast):
    key = cast.integration.key
    assert courses_with(key).status_code == 200
    dump = serializers.serialize("json", IntegrationToken.objects.all())
    assert key not in dump and key.split(".")[1] not in dump
    for row in IntegrationToken.objects.values("prefix", "hashed_key"):
        for candidate in row.values():  # anything stored, tried as a key
            assert courses_with(candidate).status_code == 401
            assert courses_with(f"{row['prefix']}.{candidate}").status_code == 401
    assert IntegrationToken.objects.get(pk=cast.integration.pk).key is None  # not kept


def test_a_key_stops_working_when_revoked_or_expired(cast):
    key = cast.integration.key
    assert courses_with(key).json()["results"][0]["id"] == cast.course.pk
    IntegrationToken.objects.filter(pk=cast.integration.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert courses_with(key).status_code == 401
    IntegrationToken.objects.filter(pk=cast.integration.pk).update(
        expires_at=timezone.now() + timedelta(days=1))
    assert courses_with(key).status_code == 200
    IntegrationToken.objects.filter(pk=cast.integration.pk).update(revoked_at=timezone.now())
    assert courses_with(key).status_code == 401


def test_a_wrong_secret_with_a_right_prefix_is_refused(cast):
    prefix = cast.integration.key.split(".")[0]
    assert courses_with(f"{prefix}.{'x' * 32}").status_code == 401


def test_last_use_is_recorded_about_once_a_minute(cast, django_assert_num_queries):
    token = IntegrationToken.objects.get(pk=cast.integration.pk)
    assert token.last_used_at is None
    client = client_for(cast.integration)
    assert client.get("/api/v1/courses/").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    assert client.get("/api/v1/courses/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # not a write per request


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_hashing_keep_working_after_the_migration():
    """Back to before 0004 (plain keys), a key of the old form (40 hex characters, no dot),
    forward through 0004: the same key still opens its course, and only its hash is kept."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    old_key = "0123456789abcdef0123456789abcdef01234567"
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app's: lti's follow exercises
    executor.migrate([("exercises", "0003_accommodations_overrides")])
    old = MigrationExecutor(connection).loader.project_state(
        [("exercises", "0003_accommodations_overrides")]).apps
    course = old.get_model("exercises", "Course").objects.create(title="Before")
    old.get_model("exercises", "IntegrationToken").objects.create(course=course, key=old_key)
    MigrationExecutor(connection).migrate(latest)

    token = IntegrationToken.objects.get(course_id=course.pk)
    assert token.prefix == old_key[:8] and old_key not in token.hashed_key
    response = courses_with(old_key)
    assert response.status_code == 200 and response.json()["results"][0]["id"] == course.pk
