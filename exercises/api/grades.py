"""GET /api/v1/quizzes/<id>/grades/: per-learner grades for an LMS to sync, paginated in
SQL by keyset (exercises.grades): `next` carries a cursor; each page costs its own rows."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .. import grades
from . import serializers as s
from .permissions import IsInstructorOrIntegration, manages_course
from .views import NOT_ALLOWED, NOT_FOUND, ApiView, visible_quizzes

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class GradesPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        allow_null=True, help_text="Learners in every page: on the first page only.")
    next = serializers.URLField(allow_null=True, help_text="The next page; null: the last.")
    previous = serializers.URLField(allow_null=True, help_text="Always null (forward only).")
    results = s.GradeSerializer(many=True)


def encode(key: grades.Key) -> str:
    raw = f"{key.updated_at.isoformat()}|{key.attempt_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> grades.Key:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, attempt_id = raw.split("|")
        key = grades.Key(datetime.fromisoformat(when), int(attempt_id))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError({"cursor": ["not a cursor this API gave"]}) from None
    if key.updated_at.tzinfo is None or not 0 < key.attempt_id < 2**62:
        raise ValidationError({"cursor": ["not a cursor this API gave"]})
    return key


def page_size(request) -> int:
    """Like the other lists: a value that is not a positive integer gives the default."""
    try:
        size = int(request.query_params.get("page_size", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)


class QuizGradesView(ApiView):
    """Per learner scores (an instructor's override where set, else the best score), for
    an LMS to sync, in the order they last changed. With `updated_since`, only the
    learners whose attempts changed at or after that time."""

    permission_classes = [IsInstructorOrIntegration]

    @extend_schema(parameters=[
        s.GradesQuerySerializer,
        OpenApiParameter("cursor", str, description="From `next` of the page before."),
        OpenApiParameter("page_size", {"type": "integer"}, description=(
            "Results per page: 50 unless given, at most 200 (more gives 200); a value "
            "that is not a positive integer is ignored."))],
        responses={200: GradesPageSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND})
    def get(self, request, pk):
        quiz = get_object_or_404(visible_quizzes(request), pk=pk)
        if not manages_course(request, quiz.course):
            raise PermissionDenied("Only the course's instructors can read its grades.")
        query = s.GradesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since = query.validated_data.get("updated_since")
        cursor = request.query_params.get("cursor")
        after = decode(cursor) if cursor else None
        rows, last = grades.grades_page(quiz, size=page_size(request), updated_since=since,
                                        after=after)
        next_url = None
        if last is not None:
            next_url = replace_query_param(request.build_absolute_uri(), "cursor",
                                           encode(last))
        return Response({
            "count": None if after else grades.count(quiz, updated_since=since),
            "next": next_url, "previous": None,
            "results": s.GradeSerializer(rows, many=True).data})
