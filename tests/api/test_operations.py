"""Operations, in process: OPTIONS, chunked bodies, a lost database, the request log and
its request id, /healthz, /readyz, /metrics (backprop_course/observability.py, faults.py,
health.py). The same through a real gunicorn: tests/hardening/test_operations_serving.py."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from api_helpers import PASSWORD, start, submit
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from backprop_course.wsgi import application

ROOT = Path(__file__).resolve().parents[2]


def api_paths() -> list[str]:
    """Every /api/v1/ route, with 1 for each id."""
    resolver = next(p for p in get_resolver().url_patterns
                    if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/")
    paths = []
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("^"):  # the JSON 404 for everything else
            continue
        paths.append("/api/v1/" + re.sub(r"<int:\w+>", "1", route))
    return paths


# -- OPTIONS ------------------------------------------------------------------------------
def test_options_answers_the_allowed_methods_on_every_api_path(cast, settings):
    settings.BENCH_FLOOR_ENABLED = True  # the benchmark's endpoint too
    client = cast.client("instructor")
    paths = api_paths()
    assert len(paths) >= 17
    for path in paths:
        response = client.options(path)
        assert response.status_code == 200, (path, response.content)
        allowed = [m.strip() for m in response["Allow"].split(",")]
        assert "OPTIONS" in allowed and response.json()["allowed_methods"] == allowed, path


def test_options_on_the_token_endpoint_for_anyone(db):
    response = APIClient().options("/api/v1/auth/token/")
    assert response.status_code == 200
    assert response["Allow"] == "POST, OPTIONS"


def test_the_api_root_is_a_json_index(db):
    response = Client().get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    resources = response.json()["resources"]
    assert resources["courses"] == "http://testserver/api/v1/courses/"
    assert Client().get(resources["exercises"]).status_code == 401  # a real route


# -- chunked bodies -----------------------------------------------------------------------
def wsgi_call(path: str, body: bytes, **environ) -> tuple[str, dict, bytes]:
    """The WSGI application itself, as gunicorn calls it for a chunked request: no
    CONTENT_LENGTH, the decoded body in wsgi.input."""
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "testserver",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "wsgi.errors": sys.stderr, "CONTENT_TYPE": "application/json",
           "HTTP_TRANSFER_ENCODING": "chunked", "REMOTE_ADDR": "127.0.0.1", **environ}
    status = {}

    def start_response(line, headers, exc_info=None):
        status.update(line=line, headers=dict(headers))

    # As Django's test client does: the test's database connection must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(application(env, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status["line"], status["headers"], content


def test_a_chunked_body_is_read(cast):
    body = json.dumps({"username": cast.learner_a.username, "password": PASSWORD}).encode()
    line, _, content = wsgi_call("/api/v1/auth/token/", body)
    assert line.startswith("200"), content
    assert "token" in json.loads(content)


def test_a_large_chunked_body_is_refused(db):
    body = b'{"username": "' + b"x" * (1024 * 1024) + b'"}'
    line, _, content = wsgi_call("/api/v1/auth/token/", body)
    assert line.startswith("413"), content
    assert json.loads(content) == {"detail": "The request body is too large."}


# -- the database lost mid-request --------------------------------------------------------
@pytest.fixture
def database_drops(monkeypatch):
    """Every query fails as psycopg's does when PostgreSQL ends the connection."""
    def lost(self, *args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(CursorWrapper, "execute", lost)
    return monkeypatch


def test_a_lost_database_is_a_json_503_with_retry_after(cast, database_drops):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION="Token whatever")
    response = client.get("/api/v1/courses/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "try again" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    page = Client(raise_request_exception=False).get("/", follow=False)
    assert page.status_code in (302, 503)  # the home page may send anonymous to login
    database_drops.undo()
    assert cast.client("learner_a").get("/api/v1/courses/").status_code == 200


def test_an_unexpected_api_error_is_json_too_and_logged_with_its_traceback(cast, monkeypatch,
                                                                           caplog):
    from exercises.api import views

    monkeypatch.setattr(views.CourseListView, "list", lambda *a, **k: 1 / 0)
    client = cast.client("learner_a")
    client.raise_request_exception = False
    response = client.get("/api/v1/courses/", HTTP_X_REQUEST_ID="boom-1")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    (error,) = [r for r in caplog.records if r.name == "django.request"]
    assert error.exc_info[0] is ZeroDivisionError and error.request_id == "boom-1"


# -- the request log ----------------------------------------------------------------------
def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "backprop_course.request"]


def test_one_log_line_per_request_with_its_request_id(cast, caplog):
    caplog.set_level(logging.INFO, logger="backprop_course.request")
    client = cast.client("learner_a")
    attempt = start(client, cast.exercise.pk)
    caplog.clear()
    response = submit(client, attempt["id"], {"x": "15"})
    assert response.status_code == 201
    (line,) = request_lines(caplog)
    assert response["X-Request-ID"] == line.request_id and len(line.request_id) == 32
    assert (line.method, line.path, line.route, line.status, line.user_id) == (
        "POST", f"/api/v1/attempts/{attempt['id']}/submissions/",
        "api/v1/attempts/<int:pk>/submissions/", 201, cast.learner_a.pk)
    assert line.duration_ms > 0

    caplog.clear()
    anonymous = Client().get("/api/v1/courses/", HTTP_X_REQUEST_ID="lb-4711")
    (line,) = request_lines(caplog)
    assert anonymous["X-Request-ID"] == "lb-4711" == line.request_id
    assert line.user_id is None and line.status == 401


def test_a_request_id_that_is_not_plain_is_replaced(db, caplog):
    caplog.set_level(logging.INFO, logger="backprop_course.request")
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="a b\u00e9" + "x" * 300)
    assert len(response["X-Request-ID"]) == 32 and " " not in response["X-Request-ID"]


def test_the_request_id_reaches_log_lines_written_during_the_request(db, caplog):
    caplog.set_level(logging.INFO)
    Client().get("/readyz", HTTP_X_REQUEST_ID="probe-1")
    assert {r.request_id for r in caplog.records if r.name == "backprop_course.request"} == {
        "probe-1"}


def test_log_lines_are_json_on_stdout():
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('exercises').warning('hello', extra={'answer': 42})")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "backprop_course.settings"})
    line = json.loads(done.stdout.strip().splitlines()[-1])
    assert (line["message"], line["level"], line["logger"], line["answer"]) == (
        "hello", "WARNING", "exercises", 42)
    assert line["request_id"] is None and "time" in line


# -- health -------------------------------------------------------------------------------
def test_healthz_touches_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_checks_the_database_and_migrations():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "migrations": "ok"}  # no Redis, no broker configured here


def test_readyz_fails_when_the_database_is_unreachable():
    """A process whose database does not answer (nothing listens on port 9): /readyz
    says which check failed, with 503; /healthz still answers."""
    code = ("import django, json; django.setup(); from django.test import Client; "
            "c = Client(); r = c.get('/readyz'); h = c.get('/healthz'); "
            "print(json.dumps([r.status_code, r.json(), h.status_code]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backprop_course.settings",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing", "ALLOWED_HOSTS": "*"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=env, timeout=60)
    status, body, healthz = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503 and healthz == 200
    assert body["status"] == "fail" and body["checks"]["database"]["status"] == "fail"


# -- metrics ------------------------------------------------------------------------------
def test_metrics_only_to_allowed_addresses(cast, settings):
    attempt = start(cast.client("learner_a"), cast.exercise.pk)
    assert submit(cast.client("learner_a"), attempt["id"], {"x": "15"}).status_code == 201
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    response = Client().get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    text = response.content.decode()
    samples = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
               if line and not line.startswith("#")}
    for name in ("django_http_requests_total_by_view_transport_method_total",
                 "django_http_responses_total_by_status_view_method_total",
                 "django_db_execute_total", "backprop_submissions_graded_total",
                 "backprop_grading_seconds_bucket"):
        assert name in samples, name
    assert 'backprop_submissions_graded_total{kind="full",valid="True"}' in text
    settings.METRICS_ALLOWED_IPS = "10.0.0.0/8, 192.0.2.7"
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.8").get("/metrics").status_code == 403
    assert Client().get("/metrics").status_code == 403


# -- Sentry, Celery -----------------------------------------------------------------------
SENTRY_STATE = ("import django, json, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
                "print(json.dumps([c.is_active(), sorted(c.integrations) if c.is_active() "
                "else []]))")


@pytest.mark.parametrize("dsn, active", [("", False),
                                         ("http://public@127.0.0.1:9/1", True)])
def test_sentry_only_with_a_dsn(dsn, active):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backprop_course.settings",
           "SENTRY_DSN": dsn}
    done = subprocess.run([sys.executable, "-c", SENTRY_STATE], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=env, timeout=60)
    is_active, integrations = json.loads(done.stdout.strip().splitlines()[-1])
    assert is_active is active
    if active:
        assert {"django", "celery"} <= set(integrations)


def test_a_task_carries_the_request_id_of_the_request_that_queued_it():
    """The message header the publishing request adds, and the worker's side reading it."""
    from types import SimpleNamespace

    from backprop_course import celery as hooks
    from backprop_course.observability import request_id_var

    headers = {}
    token = request_id_var.set("req-77")
    try:
        hooks._send_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-77"}

    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, request_id=None,
                                                   headers=headers))
    hooks._take_request_id(task_id="t-1", task=task)
    assert request_id_var.get() == "req-77"
    hooks._drop_request_id(task_id="t-1")
    assert request_id_var.get() is None


def test_celery_outcomes_are_counted(cast):
    """Eager here (no broker): a success is counted as a worker would count it. (An eager
    failure is raised into the request that called it, and logged there.)"""
    from prometheus_client import REGISTRY

    from backprop_course.celery import app
    from exercises import tasks

    def successes():
        return REGISTRY.get_sample_value("backprop_celery_tasks_total", {
            "task": "exercises.tasks.make_variants", "outcome": "success"}) or 0

    before = successes()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert tasks.make_variants.delay(cast.exercise.pk, [11, 12]).get() == 2
    finally:
        app.conf.task_always_eager = eager
    assert successes() == before + 1
