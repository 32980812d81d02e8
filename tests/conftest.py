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


@pytest.fixture(autouse=True)
def fresh_policy_epoch_memo():
    """The disclosure rule reads the policy epoch once per request (disclosure._memo). A
    test's rolled-back transaction takes the epoch back with it, so a value kept from an
    earlier test could match a decision it never made: every test starts without one."""
    from exercises import disclosure

    disclosure._memo.epoch, disclosure._memo.in_request = None, False
    yield
    disclosure._memo.epoch, disclosure._memo.in_request = None, False


@pytest.fixture(autouse=True)
def fresh_feedback_rules():
    """An exercise's authored rules are kept per process by its id (feedback.rules_for). A
    rolled-back test gives its ids back, so the next test's exercise could read the rules
    kept for another one: every test starts without them."""
    from exercises import feedback

    feedback._RULES.clear()
    yield
    feedback._RULES.clear()
