"""The LTI 1.3 tool's endpoints (mounted at /lti/)."""

from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("register/", views.register, name="register"),
    path("continue/<str:token>/", views.continue_launch, name="continue"),
    path("deep-link/<str:token>/", views.deep_link, name="deep_link"),
]
