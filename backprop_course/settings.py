"""Django settings for backprop-course, configured from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_prometheus",
    "simple_history",  # exercises' revision history (exercises.revisions)
    "axes",
    "exercises",
    "lti_tool",  # django-lti: registrations, deployments, keys, platform users and contexts
    "lti",
]

# Outermost: Prometheus's request timer, then the request's log line and request id.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "backprop_course.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session middleware, so it sees the cookies that one sets (lti/framing.py).
    "lti.framing.LtiCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The learner's chosen language (the switch in the header), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in with 429
    # After the CSP and X-Frame-Options middleware, so it decides first: LTI pages framed
    # by their platform only.
    "lti.framing.LtiFramingMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Sign-in lock-out for the sign-in page, the admin and the API's token endpoint alike
# (exercises/auth_backends.py): SIGN_IN_FAILURE_LIMIT wrong passwords from one client
# address, or for one username, lock that address or username out for
# SIGN_IN_LOCKOUT_MINUTES; the right password does not get through meanwhile.
AUTHENTICATION_BACKENDS = [
    "exercises.auth_backends.SignInLockout",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT") or 10)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Everything the pages load comes from this server: no CDN, no inline scripts. KaTeX
# writes inline styles, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

ROOT_URLCONF = "backprop_course.urls"
WSGI_APPLICATION = "backprop_course.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/backprop
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    # A dropped connection (database restart, idle timeout) is noticed before use.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameters let psycopg prepare each query a connection runs repeatedly,
    # so PostgreSQL plans it once, not per request (bench/http.py: a submission's database
    # CPU fell from 6.4 to 1.5 ms). Turn off (0) behind a pooler that cannot keep prepared
    # statements, e.g. PgBouncer in transaction mode before 1.21.
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True,
                                                              prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. BEGIN IMMEDIATE takes the write lock when a
    # transaction starts, so concurrent submissions queue for it (up to `timeout` s)
    # instead of two reading, then one failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20,
                                                          transaction_mode="IMMEDIATE")
# The same backends, counting queries and their time for /metrics (django-prometheus).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, else per-process memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Every key this deployment writes to Redis (cache, throttle counters, Celery's queues)
# starts with this, so deployments sharing one Redis database keep apart.
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX") or "bp-" + Path(
    str(DATABASES["default"]["NAME"])).stem
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            # Redis down must not hang a request: fail within a second (then the throttle
            # lets it through, /readyz reports it).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
# English, and German complete enough to prove the mechanism: pages, admin labels, hints
# and misconception texts (locale/de/LC_MESSAGES; the compiled .mo files are committed).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by whitenoise from STATIC_ROOT when DEBUG is off: hashed names (cached for a year)
# and pre-compressed copies, made by `collectstatic`.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("AUTH_THROTTLE_RATE") or "20/min",
        "submissions": os.environ.get("SUBMISSION_THROTTLE_RATE") or "120/min",
    },
    # Service errors (InvalidProgram, InvalidAnswers, Conflict ...) become 400/403/409 here.
    "EXCEPTION_HANDLER": "exercises.api.exceptions.api_exception_handler",
    "DEFAULT_METADATA_CLASS": "exercises.api.metadata.AllowedMethodsMetadata",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "backprop-course API",
    "DESCRIPTION": "Exercises, attempts, submissions and grades for LMS integration.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the misconception codes, used by `misconception` and `also` alike.
    "ENUM_NAME_OVERRIDES": {"MisconceptionEnum": "exercises.grading.ALL_CODES"},
}

# Security: hardened whenever DEBUG is off.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# HTTPS-only settings, off by default so `make serve` works over plain HTTP; turn them on
# behind TLS (see the README, "Production serving").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):  # only behind a proxy that sets it
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o.strip()]

# POST /api/v1/floor/ (bench/http.py's baseline: authenticate + insert one row); 404 unless on.
BENCH_FLOOR_ENABLED = env_bool("BENCH_FLOOR", False)

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True

# LTI 1.3 (lti/): the tool's public address for URLs printed outside a request
# (`manage.py lti_add_platform`); pages use the request's own host.
LTI_TOOL_URL = os.environ.get("LTI_TOOL_URL", "http://127.0.0.1:8000").rstrip("/")
# Held scores (sent only after the due date, or once the quiz shows scores) go out from
# this periodic task when a Celery beat runs; `manage.py lti_send_held_scores` does the same.
CELERY_BEAT_SCHEDULE = {
    "lti-send-held-scores": {"task": "lti.tasks.send_held_scores", "schedule": 300.0},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:"}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Django's LOGGING (below) applies in workers too: JSON lines with the request id.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# -- Operations (README, "Production serving") ------------------------------------------
# Logs: JSON lines on stdout in every process (gunicorn workers, Celery, commands).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "backprop_course.observability.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level",
                                   "name": "logger"}},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                   "formatter": "json", "filters": ["request_id"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false"]},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers replaced: everything goes up to the root's JSON lines.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
# Who gets mail about a 500 (besides the log): "Name <address>, address, ..."
ADMINS = [(address.split("<")[0].strip() or address.strip(),
           address.split("<")[-1].rstrip("> ").strip())
          for address in os.environ.get("ADMINS", "").split(",") if address.strip()]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "root@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")

# Errors to Sentry only when a DSN is given; nothing is sent otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from .observability import init_sentry

    init_sentry(SENTRY_DSN, os.environ.get("SENTRY_ENVIRONMENT"),
                float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0))

# /metrics answers only these (comma-separated addresses or networks).
METRICS_ALLOWED_IPS = os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
