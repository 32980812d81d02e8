"""Shared pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The production hasher takes over a second per user on these machines; tests make
    # dozens of users. Only the tests use MD5, never a server.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
