"""`Authorization: Token <key>` for people (DRF tokens) and for LMS integrations.

An integration key (`IntegrationToken.key`) authenticates as an `IntegrationPrincipal`:
not a user, but something acting for one course. Views check `is_integration(request)`
and let it do only what an LMS needs (provision learners, list its course and quizzes,
read grades); everything else answers 403.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..models import IntegrationToken


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
        try:
            return super().authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            token = IntegrationToken.objects.select_related("course").filter(key=key).first()
            if token is None:
                raise
            return IntegrationPrincipal(token), token


def is_integration(request) -> bool:
    return isinstance(request.auth, IntegrationToken)


class TokenOrIntegrationScheme(OpenApiAuthenticationExtension):
    target_class = "exercises.api.authentication.TokenOrIntegrationAuthentication"
    name = "token"  # not "tokenAuth": DRF's own TokenAuthentication has that one

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: a user's key from /api/v1/auth/token/, or an "
                               "LMS integration key acting for one course."}
