"""GET /api/v1/: the API's resources, so a client (or a person) exploring it gets JSON."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)  # a map of the API, not a part of it: /api/schema/ is the map
class ApiIndexView(APIView):
    """The API's collections and its OpenAPI schema; everything else is reached from them."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public, the same for everyone

    def get(self, request):
        names = ("token", "learners", "courses", "quizzes", "exercises", "attempts")
        return Response({
            "resources": {name: request.build_absolute_uri(reverse(f"api:{name}"))
                          for name in names},
            "schema": request.build_absolute_uri(reverse("schema")),
            "docs": request.build_absolute_uri(reverse("swagger-ui")),
        })
