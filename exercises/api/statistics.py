"""GET /api/v1/quizzes/<id>/statistics/: the quiz's item analysis (exercises.statistics),
as JSON or, with ?format=csv, as a CSV table (one row per item). For the course's
instructors and its integration key."""

from __future__ import annotations

import csv
import io

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from .. import statistics
from ..admin.gradebook import safe_cell
from .permissions import IsInstructorOrIntegration, manages_course
from .views import NOT_ALLOWED, NOT_FOUND, ApiView, visible_quizzes

FIGURES = ("n", "facility", "sd", "discrimination_index", "discrimination_27",
           "discrimination_efficiency")


class NodeShareSerializer(serializers.Serializer):
    first_correct = serializers.FloatField()
    best_correct = serializers.FloatField()


class ItemStatisticsSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    n = serializers.IntegerField(help_text="Learners counted.")
    facility = serializers.FloatField(allow_null=True, help_text="Mean score, 0..1.")
    sd = serializers.FloatField(allow_null=True, help_text="Sample standard deviation, 0..1.")
    discrimination_index = serializers.FloatField(
        allow_null=True, help_text="100 × the correlation with the rest of the quiz.")
    discrimination_27 = serializers.FloatField(
        allow_null=True, help_text="Upper 27 % mean score minus lower 27 %.")
    discrimination_efficiency = serializers.FloatField(allow_null=True)
    nodes = serializers.DictField(child=NodeShareSerializer())
    misconceptions = serializers.DictField(child=serializers.IntegerField())
    ambiguous_misconceptions = serializers.DictField(child=serializers.IntegerField())


class QuizStatisticsSerializer(serializers.Serializer):
    cronbach_alpha = serializers.FloatField(allow_null=True)
    learners = serializers.IntegerField()
    items = ItemStatisticsSerializer(many=True)


def _pairs(mapping: dict, value=lambda v: v) -> str:
    return "; ".join(f"{key}: {value(item)}" for key, item in mapping.items())


def _figure(value) -> str:
    return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


class StatisticsCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        if not isinstance(data, dict) or "items" not in data:  # an error: {"detail": ...}
            for key, value in (data or {}).items():
                writer.writerow([key, safe_cell(value)])
            return out.getvalue()
        writer.writerow(["item", *FIGURES, "first_correct", "best_correct",
                         "misconceptions", "ambiguous_misconceptions", "cronbach_alpha",
                         "learners"])
        for row in data["items"]:
            writer.writerow([
                row["item"], *(_figure(row[key]) for key in FIGURES),
                _pairs(row["nodes"], lambda n: _figure(n["first_correct"])),
                _pairs(row["nodes"], lambda n: _figure(n["best_correct"])),
                _pairs(row["misconceptions"]), _pairs(row["ambiguous_misconceptions"]),
                _figure(data["cronbach_alpha"]), data["learners"]])
        return out.getvalue()


class QuizStatisticsView(ApiView):
    """Item analysis as Moodle's quiz statistics define it (README, "Item analysis")."""

    permission_classes = [IsInstructorOrIntegration]
    renderer_classes = [JSONRenderer, StatisticsCSVRenderer]

    @extend_schema(responses={200: QuizStatisticsSerializer, 403: NOT_ALLOWED,
                              404: NOT_FOUND})
    def get(self, request, pk):
        quiz = get_object_or_404(visible_quizzes(request), pk=pk)
        if not manages_course(request, quiz.course):
            raise PermissionDenied("Only the course's instructors can read its statistics.")
        response = Response(statistics.quiz_statistics(quiz))
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = (
                f'attachment; filename="statistics-quiz-{quiz.pk}.csv"')
        return response
