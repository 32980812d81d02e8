"""WSGI entry point (gunicorn backprop_course.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backprop_course.settings")

from .faults import limit_chunked_bodies  # noqa: E402 — needs the settings module named

application = limit_chunked_bodies(get_wsgi_application())
