"""Celery for long jobs (regrading, bulk variants). With no broker configured the tasks
run eagerly in the calling process, so `make run` needs nothing but Python."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backprop_course.settings")

app = Celery("backprop_course")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
