"""POST /api/v1/floor/: the benchmark's floor — authenticate, insert one row, answer.

bench/http.py measures submissions side by side with this endpoint on the same server, so
the gap between the two is what grading and its queries cost. It goes through the same
authentication and JSON rendering as the rest of the API, and nothing else. Off (404)
unless settings.BENCH_FLOOR_ENABLED (env BENCH_FLOOR=1); not in the OpenAPI schema.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import FloorPing
from .views import ApiView


@extend_schema(exclude=True)
class FloorView(APIView):
    authentication_classes = ApiView.authentication_classes
    permission_classes = ApiView.permission_classes
    renderer_classes = ApiView.renderer_classes
    parser_classes = ApiView.parser_classes
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        if not settings.BENCH_FLOOR_ENABLED:
            raise Http404  # before authentication: a disabled floor is simply not there
        super().initial(request, *args, **kwargs)

    def post(self, request):
        ping = FloorPing.objects.create(user=request.user)
        return Response({"id": ping.pk}, status=status.HTTP_201_CREATED)
