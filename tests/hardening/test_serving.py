"""Production serving: the settings `make serve` runs with (DEBUG off, security checks,
Redis or local cache, throttle rates, Celery), the gunicorn config, whitenoise's static
files and security headers through a real gunicorn, and the benchmark's floor endpoint."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.http import ROOT, Server, manage
from exercises.models import FloorPing

SECRET = "serving-test-" + "k" * 50
PROD = {"DEBUG": "0", "SECRET_KEY": SECRET}


def settings_with(env: dict[str, str], *names: str) -> dict:
    """Settings as a fresh process with this environment sees them (settings are read
    from the environment once, at import)."""
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}, "
            "default=str))")
    clean = {k: v for k, v in os.environ.items() if k not in {
        "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY"}}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={**clean, **env,
                                                      "DJANGO_SETTINGS_MODULE":
                                                      "backprop_course.settings"})
    return json.loads(done.stdout)


def deploy_check(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **env})
    return done.stdout + done.stderr


# -- settings ---------------------------------------------------------------------------------
def test_check_deploy_leaves_only_the_https_only_items():
    report = deploy_check(PROD)
    warnings = sorted(set(word.strip("():") for word in report.split()
                          if word.startswith("(security.")))
    assert warnings == ["security.W004", "security.W008"], report  # HSTS, SSL redirect
    behind_tls = deploy_check({**PROD, "SECURE_SSL_REDIRECT": "1",
                               "SECURE_HSTS_SECONDS": "31536000",
                               "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
                               "SECURE_HSTS_PRELOAD": "1"})
    assert "no issues" in behind_tls, behind_tls


def test_debug_off_needs_a_secret_key():
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "DEBUG": "0",
                                                    "SECRET_KEY": ""})
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr


def test_redis_when_configured_local_memory_otherwise():
    names = ("CACHES", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "SESSION_COOKIE_SECURE",
             "REST_FRAMEWORK")
    local = settings_with(PROD, *names)
    assert local["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert local["CELERY_TASK_ALWAYS_EAGER"] is True and not local["CELERY_BROKER_URL"]
    assert local["SESSION_COOKIE_SECURE"] is True  # DEBUG off: secure cookies by default
    assert local["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {"auth": "20/min",
                                                                 "submissions": "120/min"}
    redis = settings_with({**PROD, "REDIS_URL": "redis://127.0.0.1:6379/3",
                           "SUBMISSION_THROTTLE_RATE": "600/min",
                           "AUTH_THROTTLE_RATE": "5/min", "SECURE_COOKIES": "0"}, *names)
    assert redis["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3", "KEY_PREFIX": "bp-db",  # the database's name
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    assert redis["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert redis["CELERY_TASK_ALWAYS_EAGER"] is False
    assert redis["SESSION_COOKIE_SECURE"] is False
    assert redis["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {"auth": "5/min",
                                                                 "submissions": "600/min"}


def test_database_settings_per_engine():
    url = "postgres://u@db.example:5432/bp"
    postgres = settings_with({"DATABASE_URL": url}, "DATABASES")["DATABASES"]["default"]
    assert postgres["CONN_MAX_AGE"] == 60 and postgres["CONN_HEALTH_CHECKS"] is True
    assert postgres["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 2}
    pooled = settings_with({"DATABASE_URL": url, "DB_SERVER_SIDE_BINDING": "0"}, "DATABASES")
    assert pooled["DATABASES"]["default"]["OPTIONS"] == {}
    sqlite = settings_with({}, "DATABASES")["DATABASES"]["default"]
    assert sqlite["OPTIONS"] == {"timeout": 20, "transaction_mode": "IMMEDIATE"}


def test_gunicorn_config(monkeypatch):
    path = str(ROOT / "backprop_course" / "gunicorn.conf.py")
    for name in ("WEB_CONCURRENCY", "BIND", "GUNICORN_THREADS", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    default = runpy.run_path(path)
    assert default["workers"] == os.cpu_count() + 1  # gthread: slow clients hold a thread
    assert default["bind"] == "127.0.0.1:8000" and default["worker_class"] == "gthread"
    assert default["threads"] == 16 and default["control_socket_disable"] is True
    assert default["timeout"] == 30 and default["graceful_timeout"] > 0
    assert default["max_requests"] > 0 and default["max_requests_jitter"] > 0
    assert default["accesslog"] is None
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    monkeypatch.setenv("BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    tuned = runpy.run_path(path)
    assert (tuned["workers"], tuned["bind"], tuned["threads"], tuned["worker_class"]) == (
        7, "0.0.0.0:9000", 4, "gthread")


def test_make_serve_targets_the_config():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn -c backprop_course/gunicorn.conf.py" in serve
    assert "DEBUG=0" in serve and "migrate" in serve and "collectstatic" in serve


# -- through a real gunicorn, DEBUG off ---------------------------------------------------------
def test_static_files_and_headers_through_gunicorn(live_database, tmp_path):
    static_root = tmp_path / "static"
    manage(live_database, "collectstatic", "--noinput", "-v", "0", DEBUG="0",
           SECRET_KEY=SECRET, STATIC_ROOT=str(static_root))
    with Server(live_database, workers=1, floor=False,
                env={"STATIC_ROOT": str(static_root)}) as server:
        page = urllib.request.urlopen(server.url + "/accounts/login/", timeout=10)
        html = page.read().decode()
        assert page.status == 200
        headers = page.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        # Hashed file names from the manifest, served by whitenoise, cached "forever".
        css = next(part.split('"')[0] for part in html.split('href="/static/')[1:]
                   if part.split('"')[0].endswith(".css"))
        assert css.count(".") >= 2, css  # name.<hash>.css
        request = urllib.request.Request(f"{server.url}/static/{css}",
                                         headers={"Accept-Encoding": "gzip"})
        asset = urllib.request.urlopen(request, timeout=10)
        assert asset.status == 200 and asset.headers["Content-Encoding"] == "gzip"
        assert "immutable" in asset.headers["Cache-Control"]
    assert "Traceback" not in server.output()
    assert Path(static_root / "staticfiles.json").exists()


# -- the floor endpoint -------------------------------------------------------------------------
@pytest.fixture
def token_client(db):
    user = get_user_model().objects.create_user("floor", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_floor_is_off_by_default(token_client):
    assert token_client.post("/api/v1/floor/").status_code == 404
    assert not FloorPing.objects.exists()


def test_floor_authenticates_and_inserts_one_row(token_client, settings,
                                                 django_assert_num_queries):
    settings.BENCH_FLOOR_ENABLED = True
    with django_assert_num_queries(2):  # the token (with its user), the insert
        response = token_client.post("/api/v1/floor/")
    assert response.status_code == 201
    assert FloorPing.objects.get().pk == response.json()["id"]
    assert APIClient().post("/api/v1/floor/").status_code == 401


def test_floor_is_not_in_the_schema(client, db):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if "floor" in path]

