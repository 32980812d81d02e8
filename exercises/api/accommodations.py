"""Running a course through the API: learners' accommodations in a quiz, and manual score
overrides. Thin views: who may call, what crosses the wire; the rules are in
`exercises.accommodations` and `exercises.overrides`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from .. import accommodations, overrides
from ..course_records import MAX_EXTRA_ATTEMPTS, MAX_TIME_MULTIPLIER, Accommodation
from ..models import Quiz
from .authentication import is_integration
from .permissions import IsInstructor, IsInstructorOrIntegration, manages_course
from .views import CONFLICT, NOT_ALLOWED, NOT_FOUND, ApiView, AttemptMixin, visible_quizzes


# -- what crosses the wire ---------------------------------------------------------------
class AccommodationInputSerializer(serializers.Serializer):
    """Fields left out stay as they were (on a new one: no change); null clears one."""

    learner = serializers.IntegerField(min_value=1)
    time_multiplier = serializers.FloatField(
        required=False, allow_null=True, min_value=1.0, max_value=MAX_TIME_MULTIPLIER,
        help_text="Every time limit of the quiz (per item and quiz-wide) × this.")
    extra_attempts = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_EXTRA_ATTEMPTS,
        help_text="Graded submissions per item on top of the quiz's.")
    due_at = serializers.DateTimeField(required=False, allow_null=True,
                                       help_text="The learner's own due date (ISO 8601).")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    applies_to = serializers.ChoiceField(
        choices=["quiz", "course"], default="quiz",
        help_text="`course`: the learner's accommodation in every quiz of the course.")


class AccommodationSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="learner.username", read_only=True)
    applies_to = serializers.SerializerMethodField()
    by = serializers.CharField(source="by_label", read_only=True,
                               help_text="Who set it last: a username or an LMS key.")

    class Meta:
        model = Accommodation
        fields = ["id", "learner", "username", "course", "quiz", "applies_to",
                  "time_multiplier", "extra_attempts", "due_at", "reason", "by",
                  "created_at", "updated_at"]

    def get_applies_to(self, acc) -> str:
        return "course" if acc.quiz_id is None else "quiz"


class RemovalSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                   help_text="Why (optional; kept with the removal).")


OVERRIDE_REMOVED = OpenApiResponse(
    description="Removed: the computed score counts again (the removal is kept in the "
    "history with who, why and when, and passed on to the LMS).")
NO_OVERRIDE = OpenApiResponse(
    NOT_FOUND.response, description="Not there, not yours, or no override in force.")


def removal_reason(request) -> str:
    body = RemovalSerializer(data=request.data or {})
    body.is_valid(raise_exception=True)
    return body.validated_data.get("reason", "")


class OverrideInputSerializer(serializers.Serializer):
    score = serializers.FloatField(min_value=0, max_value=1,
                                   help_text="0..1 (of the item, or of the quiz).")
    reason = serializers.CharField(max_length=overrides.MAX_REASON)
    confirm = serializers.BooleanField(
        default=False, help_text="Needed when the override lowers the score.")


class OverrideSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    score = serializers.FloatField()
    previous_score = serializers.FloatField()
    reason = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


class QuizOverrideSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()
    learner = serializers.IntegerField()
    score = serializers.FloatField(help_text="The learner's quiz score now, 0..1.")
    previous_score = serializers.FloatField()
    reason = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


# -- views ---------------------------------------------------------------------------------
class QuizAccommodationMixin:
    permission_classes = [IsInstructorOrIntegration]

    def quiz(self) -> Quiz:
        quiz = get_object_or_404(visible_quizzes(self.request), pk=self.kwargs["pk"])
        if not manages_course(self.request, quiz.course):
            raise PermissionDenied("Only the course's instructors can do this.")
        return quiz

    def actor(self) -> accommodations.Actor:
        if is_integration(self.request):
            return accommodations.Actor(user=None, label=f"LMS key '{self.request.auth.name}'")
        return accommodations.Actor.of(self.request.user)


class AccommodationListView(QuizAccommodationMixin, ApiView, generics.ListAPIView):
    """GET: the accommodations that apply in this quiz (its own and the course-wide ones).
    POST: set or change a learner's (201 new, 200 changed); logged with who and why."""

    serializer_class = AccommodationSerializer

    def get_queryset(self):
        return accommodations.for_quiz(self.quiz())

    @extend_schema(request=AccommodationInputSerializer, responses={
        201: AccommodationSerializer, 200: AccommodationSerializer, 403: NOT_ALLOWED,
        404: NOT_FOUND})
    def post(self, request, pk):
        quiz = self.quiz()
        body = AccommodationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        learner = get_user_model().objects.filter(pk=data.pop("learner")).first()
        if learner is None:
            raise ValidationError({"learner": ["no learner with this id"]})
        applies_to = data.pop("applies_to")
        reason = data.pop("reason", "")
        acc, created = accommodations.set_accommodation(
            learner=learner, course=quiz.course, quiz=quiz if applies_to == "quiz" else None,
            values=data, reason=reason, actor=self.actor())
        return Response(AccommodationSerializer(acc).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AccommodationDetailView(QuizAccommodationMixin, ApiView):
    @extend_schema(responses={200: AccommodationSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND})
    def get(self, request, pk, accommodation_id):
        return Response(AccommodationSerializer(self.accommodation(accommodation_id)).data)

    @extend_schema(request=RemovalSerializer, responses={
        204: OpenApiResponse(description="Removed (and logged)."), 403: NOT_ALLOWED,
        404: NOT_FOUND})
    def delete(self, request, pk, accommodation_id):
        acc = self.accommodation(accommodation_id)
        body = RemovalSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        accommodations.remove_accommodation(acc, actor=self.actor(),
                                            reason=body.validated_data.get("reason", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def accommodation(self, accommodation_id) -> Accommodation:
        return get_object_or_404(accommodations.for_quiz(self.quiz()), pk=accommodation_id)


class AttemptOverrideView(AttemptMixin, ApiView):
    """POST: set the attempt's score by hand, with a reason (the course's instructors).
    Lowering the score needs `"confirm": true`, else 409 saying so. DELETE: remove the
    override in force (the best score counts again), optionally saying why."""

    permission_classes = [IsInstructor]

    def overridable(self, request, pk):
        attempt = self.attempt(pk)
        if not overrides.may_override(request.user, attempt):
            raise PermissionDenied("Only the course's instructors can override a score.")
        return attempt

    @extend_schema(request=OverrideInputSerializer, responses={
        201: OverrideSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk):
        attempt = self.overridable(request, pk)
        body = OverrideInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        override = overrides.override_score(
            attempt, score=data["score"], reason=data["reason"], confirm=data["confirm"],
            actor=accommodations.Actor.of(request.user))
        return Response({"attempt": attempt.pk, "previous_score": override.previous_score,
                         **overrides.shown(override)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RemovalSerializer, responses={
            204: OVERRIDE_REMOVED, 403: NOT_ALLOWED, 404: NO_OVERRIDE},
        description="Remove the attempt's override in force (the course's instructors, as "
        "for setting one): its best score counts again in grades, the gradebook and the "
        "LMS. The body and its reason are optional; the removal is recorded with who, why "
        "and when. 404 when no override is in force.")
    def delete(self, request, pk):
        attempt = self.overridable(request, pk)
        overrides.remove_override(attempt, reason=removal_reason(request),
                                  actor=accommodations.Actor.of(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizOverrideView(ApiView):
    """POST: set a learner's score for the whole quiz by hand, with a reason (the course's
    instructors): it is their quiz score in grades, the gradebook and the LMS; the items
    keep theirs. Lowering the score needs `"confirm": true`, else 409 saying so; a learner
    with no attempt in the quiz yet, 409 too. DELETE: remove the quiz override in force
    (the items' weighted scores count again), optionally saying why."""

    permission_classes = [IsInstructor]

    def quiz_and_learner(self, request, pk, learner_id):
        quiz = get_object_or_404(visible_quizzes(request), pk=pk)
        if not overrides.may_override_quiz(request.user, quiz):
            raise PermissionDenied("Only the course's instructors can override a score.")
        return quiz, get_object_or_404(quiz.course.learners, pk=learner_id)

    @extend_schema(request=OverrideInputSerializer, responses={
        201: QuizOverrideSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk, learner_id):
        quiz, learner = self.quiz_and_learner(request, pk, learner_id)
        body = OverrideInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        override = overrides.override_quiz_score(
            quiz, learner, score=data["score"], reason=data["reason"],
            confirm=data["confirm"], actor=accommodations.Actor.of(request.user))
        return Response({"quiz": quiz.pk, "learner": learner.pk,
                         "previous_score": override.previous_score,
                         **overrides.shown(override)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RemovalSerializer, responses={
            204: OVERRIDE_REMOVED, 403: NOT_ALLOWED, 404: NO_OVERRIDE},
        description="Remove the learner's quiz override in force (the course's "
        "instructors, as for setting one): their items' weighted scores count again in "
        "grades (a change for `updated_since`), the gradebook and the LMS. The body and "
        "its reason are optional; the removal is recorded with who, why and when. 404 "
        "when no quiz override is in force.")
    def delete(self, request, pk, learner_id):
        quiz, learner = self.quiz_and_learner(request, pk, learner_id)
        overrides.remove_quiz_override(quiz, learner, reason=removal_reason(request),
                                       actor=accommodations.Actor.of(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
