"""WSGI entry point (gunicorn backprop_course.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backprop_course.settings")

application = get_wsgi_application()
