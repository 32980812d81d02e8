"""Celery for long jobs (regrading, bulk variants). With no broker configured the tasks
run eagerly in the calling process, so `make run` needs nothing but Python.

A task carries the request id of the request that started it (a message header), so its
log lines can be found with the request's; outcomes are counted for /metrics.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backprop_course.settings")

app = Celery("backprop_course")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_task_request_ids: dict[str, object] = {}  # task id -> the context variable's reset token


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    from .observability import request_id_var

    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@signals.task_prerun.connect
def _take_request_id(task_id=None, task=None, **kwargs):
    from .observability import request_id_var

    if task.request.is_eager:  # runs inside the request: the id is already set
        return
    request_id = getattr(task.request, "request_id", None) or (
        task.request.headers or {}).get("request_id")
    _task_request_ids[task_id] = request_id_var.set(request_id or f"task-{task_id}")


@signals.task_postrun.connect
def _drop_request_id(task_id=None, **kwargs):
    from .observability import request_id_var

    token = _task_request_ids.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


def _count(outcome):
    def count(sender=None, **kwargs):
        from exercises import metrics

        metrics.CELERY_TASKS.labels(task=getattr(sender, "name", str(sender)),
                                    outcome=outcome).inc()
    return count


# Kept in names: Celery holds receivers weakly.
_on_success = signals.task_success.connect(_count("success"), weak=False)
_on_failure = signals.task_failure.connect(_count("failure"), weak=False)
_on_retry = signals.task_retry.connect(_count("retry"), weak=False)
