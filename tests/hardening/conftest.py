"""Fixtures for the hardening tests: a real gunicorn on a throwaway database, the cast.

`postgres`-marked tests need PostgreSQL itself (row locks under real concurrency); on a
SQLite run they are deselected here — reported as "deselected", never skipped — and the
PostgreSQL pass of .ci/run runs them (make test passes -m "not postgres" likewise).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache

from bench.http import manage, throwaway_database


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith(".postgresql")


def pytest_collection_modifyitems(config, items):
    if on_postgres():
        return
    keep = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_report_header(config):
    if not on_postgres():
        return "hardening: SQLite run, tests marked postgres are deselected"
    return None


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


@pytest.fixture(scope="session")
def live_database():
    """The URL of a migrated throwaway database of the suite's own kind: a SQLite file,
    or a new database on the PostgreSQL server of DATABASE_URL. Dropped at the end."""
    if on_postgres():
        server = urlsplit(os.environ["DATABASE_URL"])
        admin = urlunsplit((server.scheme, server.netloc, "/postgres", "", ""))
        context = throwaway_database("postgres", prefix="bp_hardening", admin_url=admin)
    else:
        context = throwaway_database("sqlite", prefix="bp_hardening")
    with context as url:
        manage(url, "migrate", "--noinput", "-v", "0")
        yield url
