"""Long jobs on Celery: eager (in the calling process) with no broker, so `make run` needs
nothing; with Redis as the broker a real worker process runs them."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time

import pytest
import redis
from celery import Celery

from backprop_course.celery import app
from bench.http import PYTHON, REDIS, ROOT, django_env, helper, reachable
from exercises import services, tasks
from exercises.demo import read
from exercises.models import Course, Quiz, QuizItem, Regrade, Variant


@pytest.fixture
def eager():
    # The suite runs without a broker, so this is the configured mode (test_serving checks
    # the settings); pinned here so a developer's REDIS_URL cannot make these broker calls.
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def graded_exercise(db, django_user_model):
    learner = django_user_model.objects.create_user("tia", password="pw")
    course = Course.objects.create(title="Tasks")
    course.learners.add(learner)
    exercise = services.create_exercise(title="Example 3", program=read("refresher_3.txt"),
                                        course=course)
    item = QuizItem.objects.create(quiz=Quiz.objects.create(course=course, title="Q"),
                                   exercise=exercise)
    attempt, _ = services.start_attempt(learner, item=item)
    services.submit(attempt, {"x": "15", "y": "15", "z": "7", "L": "1"})  # 3 of 4 right
    return exercise


def test_without_a_broker_tasks_run_in_process(graded_exercise, eager):
    result = tasks.make_variants.delay(graded_exercise.pk, [101, 102, 103])
    assert result.successful() and result.get() == 3  # done before delay() returned
    assert set(Variant.objects.filter(exercise=graded_exercise).values_list(
        "seed", flat=True)) >= {101, 102, 103}

    graded_exercise.tolerance_rel = 0.5  # loosen: x = 15 against 36 is still wrong
    graded_exercise.save()
    regraded = tasks.regrade_exercise.delay(graded_exercise.pk, None, "tolerance").get()
    regrade = Regrade.objects.get()
    assert regraded == {"regraded": 1, "changed": 0, "regrade_ids": [regrade.pk]}
    assert regrade.reason == "tolerance"


def test_task_errors_surface_in_eager_mode(db, eager):
    with pytest.raises(Exception, match="does not exist"):
        tasks.make_variants.delay(999_999, [1])


def test_a_worker_runs_tasks_from_the_redis_broker(live_database):
    assert reachable(*REDIS), "Redis must listen on 127.0.0.1:6379 (see the README)"
    broker = "redis://127.0.0.1:6379/14"
    queue = f"bp_test_{secrets.token_hex(4)}"  # only this test's worker takes its tasks
    prefix = f"{queue}-keys"  # REDIS_KEY_PREFIX: the worker's broker keys start with it
    seeded = helper(live_database, "--seed", "1")
    before = helper(live_database, "--count")["variants"]
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "backprop_course", "worker", "-P", "solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=django_env(live_database, CELERY_BROKER_URL=broker,
                                 REDIS_KEY_PREFIX=prefix),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = Celery(broker=broker)
        client.conf.broker_transport_options = {"global_keyprefix": f"{prefix}:"}
        client.send_task("exercises.tasks.make_variants",
                         args=[seeded["exercise"], [7001, 7002, 7003, 7004]], queue=queue)
        deadline = time.monotonic() + 60
        count = before
        while time.monotonic() < deadline and count < before + 4:
            time.sleep(0.5)
            count = helper(live_database, "--count")["variants"]
        assert count == before + 4, "the worker did not make the variants"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        keys = redis.Redis.from_url(broker)
        for key in keys.scan_iter(f"*{queue}*"):  # the queue's keys, left by kombu
            keys.delete(key)
    assert "Traceback" not in output, output
