"""The learner's pages (mounted at "/"). They take no answers of their own: the item page
sends them to the versioned API (one way in for every learner action)."""

from django.urls import path

from . import views

app_name = "exercises"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/items/<int:item_id>/", views.item_page, name="item"),
    path("preview/exercise/<int:exercise_id>/", views.preview_exercise,
         name="preview_exercise"),
]
