from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health


def favicon(request):
    # static() at request time: at import, with DEBUG off, it needs collectstatic's manifest
    # (`manage.py check --deploy` before collectstatic failed).
    return RedirectView.as_view(url=static("exercises/favicon.svg"), permanent=True)(request)


urlpatterns = [
    # --- operations (backprop_course/health.py) ----------------------------------
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the API's JSON, say).
    path("favicon.ico", favicon),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    # quiz.js's words in the page's language (locale/*/LC_MESSAGES/djangojs.po)
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # --- exercises app -------------------------------------------------------
    path("api/v1/", include("exercises.api.urls")),  # app_name "api"
    path("lti/", include("lti.urls")),  # app_name "lti": the LTI 1.3 tool
    path("", include("exercises.urls")),  # app_name "exercises"; keep last
]

# A lost database connection answers 503 + Retry-After; the API never answers HTML.
handler500 = "backprop_course.faults.server_error"
