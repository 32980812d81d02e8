"""/api/v1/ (mounted by backprop_course/urls.py)."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import accommodations, floor, grades, index, statistics, views

app_name = "api"

urlpatterns = [
    path("", index.ApiIndexView.as_view(), name="index"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("learners/", views.LearnerCreateView.as_view(), name="learners"),
    path("courses/", views.CourseListView.as_view(), name="courses"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course"),
    path("courses/<int:pk>/learners/", views.CourseLearnersView.as_view(),
         name="course-learners"),
    path("quizzes/", views.QuizListView.as_view(), name="quizzes"),
    path("quizzes/<int:pk>/", views.QuizDetailView.as_view(), name="quiz"),
    path("quizzes/<int:pk>/grades/", grades.QuizGradesView.as_view(), name="quiz-grades"),
    path("quizzes/<int:pk>/accommodations/", accommodations.AccommodationListView.as_view(),
         name="quiz-accommodations"),
    path("quizzes/<int:pk>/accommodations/<int:accommodation_id>/",
         accommodations.AccommodationDetailView.as_view(), name="quiz-accommodation"),
    path("quizzes/<int:pk>/learners/<int:learner_id>/override/",
         accommodations.QuizOverrideView.as_view(), name="quiz-learner-override"),
    path("quizzes/<int:pk>/statistics/", statistics.QuizStatisticsView.as_view(),
         name="quiz-statistics"),
    path("quiz-items/<int:pk>/attempts/", views.QuizItemAttemptView.as_view(),
         name="quiz-item-attempts"),
    path("exercises/", views.ExerciseListView.as_view(), name="exercises"),
    path("exercises/<int:pk>/", views.ExerciseDetailView.as_view(), name="exercise"),
    path("exercises/<int:pk>/attempts/", views.ExerciseAttemptView.as_view(),
         name="exercise-attempts"),
    path("attempts/", views.AttemptListView.as_view(), name="attempts"),
    path("attempts/<int:pk>/", views.AttemptDetailView.as_view(), name="attempt"),
    path("attempts/<int:pk>/solution/", views.AttemptSolutionView.as_view(),
         name="attempt-solution"),
    path("attempts/<int:pk>/submissions/", views.SubmissionCreateView.as_view(),
         name="attempt-submissions"),
    path("attempts/<int:pk>/override/", accommodations.AttemptOverrideView.as_view(),
         name="attempt-override"),
    path("floor/", floor.FloorView.as_view(), name="floor"),  # bench only (BENCH_FLOOR=1)
    # Last: anything else under /api/v1/ answers in JSON (only paths ending in a slash, so
    # APPEND_SLASH still redirects /api/v1/courses to /api/v1/courses/). [\s\S], not "."
    # (nor "(?s)", which URL reversing cannot read): a path with an encoded newline
    # (/api/v1/courses/%0A/) too. csrf_exempt: a POST too, rather than the CSRF failure
    # page (HTML 403) for a session caller or none.
    re_path(r"^[\s\S]*/$", csrf_exempt(views.not_found)),
]
