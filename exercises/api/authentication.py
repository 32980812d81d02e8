"""`Authorization: Token <key>` for people (DRF tokens) and for LMS integrations.

An integration key (`IntegrationToken`, stored hashed; shown once when made) authenticates
as an `IntegrationPrincipal`: not a user, but something acting for one course, while the
key is neither revoked nor expired. Views check `is_integration(request)`
and let it do only what an LMS needs (provision learners, list its course and quizzes,
read grades); everything else answers 403.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..models import IntegrationToken, key_prefix

LAST_USE_EVERY = timedelta(minutes=1)  # how stale IntegrationToken.last_used_at may be


class IntegrationPrincipal:
    """`request.user` for an integration token. Deliberately not a User: code that
    expects one (selectors, services) must not be reached with it by accident."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, token: IntegrationToken):
        self.token = token
        self.course = token.course
        # Throttles key on `pk`; keep integrations apart from users and from each other.
        self.pk = self.id = f"integration:{token.pk}"

    def get_username(self) -> str:
        return f"integration:{self.token.name}"

    def __str__(self) -> str:
        return self.get_username()


class TokenOrIntegrationAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        if "." not in key:  # a person's DRF token (hex), or an integration key made before
            try:            # keys were hashed (they had no dot either)
                return super().authenticate_credentials(key)
            except exceptions.AuthenticationFailed:
                pass
        token = integration_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return IntegrationPrincipal(token), token


def integration_token(key: str) -> IntegrationToken | None:
    """The usable (not revoked, not expired) integration token this key belongs to; its
    last use is written at most once a minute (not a write per request)."""
    now = timezone.now()
    for token in IntegrationToken.objects.select_related("course").filter(
            prefix=key_prefix(key)):
        if token.matches(key) and token.usable(now):
            if token.last_used_at is None or now - token.last_used_at > LAST_USE_EVERY:
                IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
            return token
    return None


def is_integration(request) -> bool:
    return isinstance(request.auth, IntegrationToken)


class TokenOrIntegrationScheme(OpenApiAuthenticationExtension):
    target_class = "exercises.api.authentication.TokenOrIntegrationAuthentication"
    name = "token"  # not "tokenAuth": DRF's own TokenAuthentication has that one

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: a user's key from /api/v1/auth/token/, or an "
                               "LMS integration key acting for one course."}
