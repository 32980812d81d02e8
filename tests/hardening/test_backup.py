"""The README's backup and restore (Production serving, "Backups"): pg_dump of the
database, pg_restore into a fresh one, and the app serves the same gradebook, to the same
integration key (only its hash was in the dump)."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.http import NEURON_ANSWERS, Server, helper, manage, throwaway_database

TOKEN = """
from exercises.models import IntegrationToken, QuizItem
item = QuizItem.objects.get(pk={item})
token = IntegrationToken.objects.create(course=item.quiz.course, name="backup test")
print(token.key, item.quiz_id)
"""


def api(server: Server, path: str, key: str, body: dict | None = None):
    request = urllib.request.Request(
        server.url + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, json.loads(response.read())


@pytest.mark.postgres
def test_a_restored_dump_serves_the_same_gradebook(live_database, tmp_path):
    seeded = helper(live_database, "--seed", "3")
    key, quiz = manage(live_database, "shell", "-c",
                       TOKEN.format(item=seeded["item"])).split()[-2:]
    answers = [NEURON_ANSWERS, {**NEURON_ANSWERS, "w0": "0.1966"}, NEURON_ANSWERS]
    with Server(live_database, workers=1, floor=False) as server:
        for learner, grads in zip(seeded["learners"], answers, strict=True):
            status, _ = api(server, f"/api/v1/attempts/{learner['attempt']}/submissions/",
                            learner["token"], {"grads": grads})
            assert status == 201
        status, before = api(server, f"/api/v1/quizzes/{quiz}/grades/", key)
    assert status == 200 and before["count"] == 3
    assert sorted(row["score"] for row in before["results"])[0] < 1.0  # one slip

    dump = tmp_path / "backprop.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", live_database, "-f", str(dump)], check=True)
    server_url = urlsplit(live_database)
    admin = urlunsplit((server_url.scheme, server_url.netloc, "/postgres", "", ""))
    with throwaway_database("postgres", prefix="bp_restored", admin_url=admin) as fresh:
        subprocess.run(["pg_restore", "--no-owner", "-d", fresh, str(dump)], check=True)
        with Server(fresh, workers=1, floor=False) as server:
            status, after = api(server, f"/api/v1/quizzes/{quiz}/grades/", key)
    assert status == 200 and after == before
    assert key.encode() not in dump.read_bytes()  # the key itself was never stored
