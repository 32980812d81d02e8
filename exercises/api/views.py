"""The REST API (/api/v1/): thin views that check who is asking, validate, and call
services/selectors. Errors from services become responses in `exceptions.py`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import selectors, services
from ..models import Attempt, Course, Quiz, QuizItem
from . import serializers as s
from .authentication import TokenOrIntegrationAuthentication, is_integration
from .exceptions import BadRequest
from .parsers import LimitedJSONParser
from .permissions import (
    IsInstructor,
    IsInstructorOrIntegration,
    IsPerson,
    IsPersonOrIntegration,
    manages_course,
)
from .schema import AnyOfSerializer, ApiSchema
from .throttling import ScopedThrottle


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "A page number (or `last`); a page past the end is 404."
    page_size_query_description = ("Results per page: 50 unless given, at most 200 (more gives "
                                   "200); a value that is not a positive integer is ignored.")


class ApiView(generics.GenericAPIView):
    schema = ApiSchema()
    authentication_classes = [TokenOrIntegrationAuthentication, SessionAuthentication]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes = [ScopedThrottle]
    permission_classes = [IsPerson]
    pagination_class = Pagination


NOT_ALLOWED = OpenApiResponse(s.ServiceErrorSerializer, description="Not allowed.")
NOT_FOUND = OpenApiResponse(s.ServiceErrorSerializer, description="Not there, or not yours.")
CONFLICT = OpenApiResponse(s.ServiceErrorSerializer, description="Conflict.")
MAX_ID = 2**62


def id_filter(name: str) -> OpenApiParameter:
    """A `?<name>=<id>` filter, read by `int_param`."""
    return OpenApiParameter(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                            description=f"Only those with this {name} id.")


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None
    if not 1 <= value <= MAX_ID:
        raise ValidationError({name: ["A valid id is required."]})
    return value


def course_for_new(request, course_id: int | None) -> Course:
    """The course a new learner or exercise goes to: the named one (which the caller must
    teach), the integration token's own, or the instructor's default course."""
    if is_integration(request):
        if course_id not in (None, request.auth.course_id):
            raise ValidationError({"course": ["an integration token works in its own course"]})
        return request.auth.course
    if course_id is None:
        return services.default_course_for(request.user)
    course = Course.objects.filter(pk=course_id).first()
    if course is None or not selectors.teaches(request.user, course):
        raise ValidationError({"course": ["no course you teach has this id"]})
    return course


def caller(request):
    """Who is acting: the user, or the integration key (an IntegrationToken)."""
    return request.auth if is_integration(request) else request.user


def visible_courses(request):
    if is_integration(request):
        return Course.objects.filter(pk=request.auth.course_id)
    return selectors.courses_for(request.user)


def visible_quizzes(request):
    if is_integration(request):
        return Quiz.objects.filter(course_id=request.auth.course_id).select_related("course")
    return selectors.quizzes_for(request.user)


# -- auth and people -----------------------------------------------------------------------
class TokenView(ApiView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=s.TokenRequestSerializer, responses={
        200: s.TokenSerializer, 400: s.ServiceErrorSerializer}, auth=[])
    def post(self, request):
        body = s.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(request._request, username=body.validated_data["username"],
                            password=body.validated_data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # The sign-in lock-out (settings: AXES_*) of every way in, right password or not.
            raise Throttled(wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                            detail="Too many failed sign-ins: try again later.")
        if user is None or not user.is_active:
            raise BadRequest("Unable to log in with the username and password given.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class LearnerCreateView(ApiView):
    """Create a learner account, enrolled in a course (see `course`)."""

    permission_classes = [IsInstructorOrIntegration]

    @extend_schema(request=s.LearnerCreateSerializer, responses={
        201: s.CreatedLearnerSerializer, 400: OpenApiResponse(
            description="Invalid, or the username is taken."), 403: NOT_ALLOWED,
        409: OpenApiResponse(s.ServiceErrorSerializer,
                             description="The username was taken meanwhile.")})
    def post(self, request):
        body = s.LearnerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        course = course_for_new(request, data.get("course"))
        made_by = caller(request)
        user = services.create_learner(
            username=data["username"], password=data["password"], email=data.get("email", ""),
            course=course, created_by=made_by if not is_integration(request) else None,
            created_by_key=made_by if is_integration(request) else None)
        return Response({"id": user.pk, "username": user.get_username(), "email": user.email,
                         "course": course.pk}, status=status.HTTP_201_CREATED)


# -- courses -----------------------------------------------------------------------------
class CourseMixin:
    serializer_class = s.CourseSerializer

    def get_queryset(self):
        return visible_courses(self.request)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if is_integration(self.request):
            context["roles"] = {self.request.auth.course_id: "integration"}
        else:
            taught = selectors.taught_courses(self.request.user).values_list("id", flat=True)
            context["roles"] = {pk: "instructor" for pk in taught}
        return context


class CourseListView(CourseMixin, ApiView, generics.ListAPIView):
    """The courses the caller teaches or is enrolled in (an integration: its course)."""

    permission_classes = [IsPersonOrIntegration]


class CourseDetailView(CourseMixin, ApiView, generics.RetrieveAPIView):
    permission_classes = [IsPersonOrIntegration]


class CourseLearnersView(ApiView, generics.ListAPIView):
    """A course's learners (instructors and the course's integration), and enrolling an
    existing user."""

    permission_classes = [IsInstructorOrIntegration]
    serializer_class = s.LearnerSerializer

    def course(self) -> Course:
        course = get_object_or_404(visible_courses(self.request), pk=self.kwargs["pk"])
        if not manages_course(self.request, course):
            raise PermissionDenied("Only the course's instructors can do this.")
        return course

    def get_queryset(self):
        return self.course().learners.order_by("username", "id")

    @extend_schema(request=s.EnrollSerializer, responses={
        200: s.LearnerSerializer, 201: s.LearnerSerializer, 400: OpenApiResponse(
            description="Invalid input."), 403: NOT_ALLOWED, 404: OpenApiResponse(
            s.ServiceErrorSerializer, description="No account you may enrol has this "
            "username (one you made, or one in a course you teach), or no such course.")})
    def post(self, request, pk):
        course = self.course()
        body = s.EnrollSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = selectors.enrollable_user(caller(request), body.validated_data["username"])
        if user is None:
            # One answer for "no such account" and "not one you may enrol": usernames
            # cannot be probed through this endpoint.
            raise NotFound("No account you may enrol has this username.")
        added = services.enroll_learner(course, user)
        return Response(s.LearnerSerializer(user).data,
                        status=status.HTTP_201_CREATED if added else status.HTTP_200_OK)


# -- quizzes -----------------------------------------------------------------------------
class QuizMixin:
    serializer_class = s.QuizSerializer
    permission_classes = [IsPersonOrIntegration]

    def get_queryset(self):
        return visible_quizzes(self.request).prefetch_related("items__exercise",
                                                              "items__pool_tag")


@extend_schema(parameters=[id_filter("course")])
class QuizListView(QuizMixin, ApiView, generics.ListAPIView):
    """Quizzes of the caller's courses."""

    def get_queryset(self):
        quizzes = super().get_queryset()
        course = int_param(self.request, "course")
        return quizzes if course is None else quizzes.filter(course_id=course)


class QuizDetailView(QuizMixin, ApiView, generics.RetrieveAPIView):
    pass


# -- exercises ----------------------------------------------------------------------------
EXERCISE_DETAIL = AnyOfSerializer(
    component_name="ExerciseDetail",
    serializers=[s.InstructorExerciseSerializer, s.LearnerExerciseSerializer],
    resource_type_field_name=None)


@extend_schema_view(get=extend_schema(parameters=[id_filter("course")]))
class ExerciseListView(ApiView, generics.ListAPIView):
    """GET: the exercises of the caller's courses (no graphs, no solutions).
    POST (instructors): create an exercise; its solution is computed at once."""

    serializer_class = s.ExerciseListSerializer

    def get_permissions(self):
        return [IsInstructor()] if self.request.method == "POST" else [IsPerson()]

    def get_queryset(self):
        exercises = selectors.exercises_for(self.request.user).prefetch_related("tags")
        course = int_param(self.request, "course")
        return exercises if course is None else exercises.filter(course_id=course)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated and not is_integration(self.request):
            context["managed_ids"] = set(selectors.managed_exercises(
                self.request.user).values_list("id", flat=True))
        return context

    @extend_schema(request=s.ExerciseCreateSerializer, responses={
        201: s.InstructorExerciseSerializer,
        400: OpenApiResponse(s.InvalidProgramSerializer,
                             description="Invalid input, or a program that cannot be read."),
        403: NOT_ALLOWED})
    def post(self, request):
        body = s.ExerciseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        exercise = services.create_exercise(
            title=data["title"], program=data["program"], mermaid=data["mermaid"],
            author=request.user, course=course_for_new(request, data.get("course")),
            difficulty=data["difficulty"], tags=data.get("tags", ()), ask=data["kind"],
            tolerance=data.get("tolerance"), asked_nodes=data.get("ask"),
            learning_rate=data.get("learning_rate"), parameters=data.get("parameters"),
            nudge_input=data.get("nudge", {}).get("input", ""),
            nudge_h=data.get("nudge", {}).get("h"), granularity=data["granularity"])
        return Response(s.InstructorExerciseSerializer(exercise).data,
                        status=status.HTTP_201_CREATED)


class ExerciseDetailView(ApiView):
    """Instructors of the exercise's course get the source and the solution; learners get
    the graph with the forward values they are given, and no gradient."""

    def get_queryset(self):
        return selectors.exercises_for(self.request.user).select_related("course")

    @extend_schema(responses={200: EXERCISE_DETAIL, 404: NOT_FOUND})
    def get(self, request, pk):
        exercise = get_object_or_404(self.get_queryset(), pk=pk)
        if selectors.teaches(request.user, exercise.course):
            return Response(s.InstructorExerciseSerializer(exercise).data)
        return Response(s.LearnerExerciseSerializer(exercise).data)


# -- attempts and submissions ------------------------------------------------------------
def attempt_response(attempt: Attempt, created: bool, request) -> Response:
    attempt = attempts_with_details().get(pk=attempt.pk)
    return Response(s.AttemptSerializer(attempt, context={"request": request}).data,
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def attempts_with_details():
    return Attempt.objects.select_related("variant", "exercise", "item__quiz", "learner")


START_RESPONSES = {201: s.AttemptSerializer, 200: OpenApiResponse(
    s.AttemptSerializer, description="The attempt already existed: the same one."),
    403: NOT_ALLOWED, 404: NOT_FOUND}


class ExerciseAttemptView(ApiView):
    """Start (or get back) the caller's practice attempt on an exercise: their variant, with
    no gradients, and the node names to answer for."""

    @extend_schema(request=None, responses=START_RESPONSES)
    def post(self, request, pk):
        exercise = get_object_or_404(
            selectors.exercises_for(request.user).select_related("course"), pk=pk)
        attempt, created = services.start_practice(request.user, exercise)
        return attempt_response(attempt, created, request)


class QuizItemAttemptView(ApiView):
    """Start (or get back) the caller's attempt at a quiz item."""

    @extend_schema(request=None, responses={**START_RESPONSES, 400: OpenApiResponse(
        s.ServiceErrorSerializer, description="The item's pool has no exercises.")})
    def post(self, request, pk):
        item = get_object_or_404(QuizItem.objects.select_related("quiz", "exercise").filter(
            quiz__in=selectors.quizzes_for(request.user)), pk=pk)
        attempt, created = services.start_attempt(request.user, item=item)
        return attempt_response(attempt, created, request)


@extend_schema(parameters=[id_filter("exercise"), id_filter("quiz")])
class AttemptListView(ApiView, generics.ListAPIView):
    """The caller's own attempts."""

    serializer_class = s.AttemptSummarySerializer

    def get_queryset(self):
        attempts = Attempt.objects.filter(learner=self.request.user).select_related(
            "exercise", "item__quiz")
        exercise = int_param(self.request, "exercise")
        quiz = int_param(self.request, "quiz")
        if exercise is not None:
            attempts = attempts.filter(exercise_id=exercise)
        if quiz is not None:
            attempts = attempts.filter(item__quiz_id=quiz)
        return attempts


class AttemptMixin:
    def attempt(self, pk) -> Attempt:
        """The learner's own attempt, or one in a course the caller teaches."""
        # The caller's own attempt is the hot path (every submission): one indexed lookup
        # before the wider visibility query an instructor needs.
        user = self.request.user
        if getattr(user, "pk", None) is not None:
            own = attempts_with_details().filter(pk=pk, learner=user).first()
            if own is not None:
                return own
        visible = selectors.attempts_for(user).values("pk")
        return get_object_or_404(attempts_with_details().filter(pk__in=visible), pk=pk)

    def instructor_view(self, attempt: Attempt) -> bool:
        return attempt.learner_id != self.request.user.pk


class AttemptDetailView(AttemptMixin, ApiView):
    """An attempt with its submissions. Its learner sees results as the quiz policy allows;
    the course's instructors see the grader's full results."""

    @extend_schema(responses={200: s.AttemptSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        attempt = self.attempt(pk)
        context = {"request": request, "full_results": self.instructor_view(attempt)}
        return Response(s.AttemptSerializer(attempt, context=context).data)


class AttemptSolutionView(AttemptMixin, ApiView):
    """The attempt's solution (every node's value and gradient), once the quiz policy
    reveals it; always for the course's instructors."""

    @extend_schema(responses={200: s.SolutionSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND})
    def get(self, request, pk):
        attempt = self.attempt(pk)
        if not (self.instructor_view(attempt) or selectors.reveals_solution(attempt)):
            raise PermissionDenied("The solution is not shown yet.")
        return Response(s.SolutionSerializer(attempt).data)


class SubmissionCreateView(AttemptMixin, ApiView):
    """Submit answers for grading. Unreadable answers are stored, cost no attempt and come
    back as 400 with per-node errors; no attempts left (or the quiz closed) is 409."""

    throttle_scope = "submissions"

    @extend_schema(request=s.SubmissionCreateSerializer, responses={
        201: s.SubmissionResultSerializer,
        400: OpenApiResponse(s.InvalidAnswersSerializer,
                             description="Unreadable answers (stored, not counted)."),
        403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk):
        body = s.SubmissionCreateSerializer(data=request.data)
        if not body.is_valid():
            self.own_attempt(pk)  # someone else's attempt is a 404 or 403 before a 400
            raise ValidationError(body.errors)
        try:
            submission = services.submit_own(request.user, pk, body.validated_data["answers"],
                                             given=body.validated_data["given"],
                                             kind=body.validated_data["kind"])
        except services.NotYours:
            self.own_attempt(pk)
            raise
        return Response(s.SubmissionResultSerializer(submission).data,
                        status=status.HTTP_201_CREATED)

    def own_attempt(self, pk) -> Attempt:
        attempt = self.attempt(pk)
        if self.instructor_view(attempt):
            raise PermissionDenied("Only the attempt's learner can submit answers.")
        return attempt


def not_found(request, *args, **kwargs):
    """Unknown /api/v1/ paths answer in JSON too, not with an HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
