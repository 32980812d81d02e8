"""Fixtures for the integrity tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; one test's requests must not throttle another's.
    cache.clear()
    yield
    cache.clear()
