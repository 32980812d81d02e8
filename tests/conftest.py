"""Shared pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The production hasher takes over a second per user on these machines; tests make
    # dozens of users. Only the tests use MD5, never a server.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. The test client runs requests in the test's
    own thread, and LocaleMiddleware leaves a German request's language active there; a
    server sets it afresh on every request, a test run would carry it into the next test."""
    from django.utils import translation

    yield
    translation.deactivate()
