"""Fixtures for the API tests (the helpers live in api_helpers.py)."""

from __future__ import annotations

import pytest
from api_helpers import Cast
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; one test's requests must not throttle another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; the tests create and log in many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db) -> Cast:
    return Cast()
