"""The learner's pages (mounted at "/")."""

from django.urls import path

from . import views

app_name = "exercises"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/items/<int:item_id>/", views.item_page, name="item"),
    path("attempts/<int:attempt_id>/submit/", views.submit_attempt, name="submit"),
    path("attempts/<int:attempt_id>/submit.json", views.submit_json, name="submit_json"),
    path("attempts/<int:attempt_id>/step.json", views.step_json, name="step_json"),
    path("preview/exercise/<int:exercise_id>/", views.preview_exercise,
         name="preview_exercise"),
]
