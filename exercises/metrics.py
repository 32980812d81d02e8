"""Prometheus metrics of our own (django-prometheus counts requests and queries).

prometheus_client only, no Django. Under gunicorn each worker writes its values to files
in PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py) and /metrics adds them up. An
increment or observation is a write to a memory-mapped file, cheap enough for the
submission path (bench/http.py shows no difference).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SUBMISSIONS_GRADED = Counter("backprop_submissions_graded_total",
                             "Submissions graded and stored, by kind (full/step) and validity.",
                             ["kind", "valid"])
GRADING_SECONDS = Histogram("backprop_grading_seconds",
                            "Time to grade one submission (not storing it).",
                            buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1))
THROTTLED = Counter("backprop_throttled_requests_total",
                    "Requests refused with 429 by a throttle, by route.", ["route"])
CELERY_TASKS = Counter("backprop_celery_tasks_total",
                       "Celery tasks finished, by task name and outcome.", ["task", "outcome"])
