"""kill -9 the server in the middle of a load run: every submission that was answered
201 is in the database afterwards, no attempt is left half-updated, and a restarted
server carries on with the same data."""

from __future__ import annotations

import json
import math
import threading
import time

from bench import loadgen
from bench.http import NEURON_ANSWERS, Server, helper

LEARNERS = 20
BODY = json.dumps({"grads": NEURON_ANSWERS}).encode()


def test_every_201_survives_kill_minus_9(live_database):
    people = helper(live_database, "--seed", str(LEARNERS))["learners"]
    created: list[int] = []
    statuses: list[tuple[float, int]] = []

    def request_for(number: int):
        learner = people[number]
        return ("POST", f"/api/v1/attempts/{learner['attempt']}/submissions/",
                {"Authorization": f"Token {learner['token']}",
                 "Content-Type": "application/json"}, BODY)

    def on_response(number: int, status: int, payload: bytes) -> None:
        statuses.append((time.monotonic(), status))
        if status == 201:
            created.append(json.loads(payload)["id"])

    killed_at = math.inf
    with Server(live_database, workers=3, floor=False) as server:
        # The load runs until a second after the kill (however slow a loaded machine is
        # to reach 50 submissions), so the server is down while learners still send.
        load = threading.Thread(target=loadgen.run, args=(
            "127.0.0.1", server.port, request_for), kwargs=dict(
            concurrency=LEARNERS, seconds=120.0, warmup=0.0, on_response=on_response,
            timeout=10.0, until=lambda: time.monotonic() > killed_at + 1.0))
        load.start()
        deadline = time.monotonic() + 60
        while len(created) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)  # well into the run: submissions are being written now
        killed_at = time.monotonic()
        server.kill()
        load.join(timeout=60)
    assert not load.is_alive()
    before = [status for at, status in statuses if at < killed_at]
    after = [status for at, status in statuses if at > killed_at + 0.5]
    assert len(created) >= 50, "the run never got going"
    assert after and 201 not in after, "the server was not down after kill -9"
    assert set(before) <= {201}, f"errors before the kill: {set(before)}"

    rows = helper(live_database, "--count")
    stored = set(rows["submission_ids"])
    lost = [pk for pk in created if pk not in stored]
    assert lost == [], f"{len(lost)} of {len(created)} acknowledged submissions are missing"
    mine = {str(learner["attempt"]) for learner in people}
    assert [pk for pk in rows["torn_attempts"] if str(pk) in mine] == []

    # A new server on the same database serves, and sees everything stored.
    with Server(live_database, workers=1, floor=False) as again:
        stats = loadgen.run("127.0.0.1", again.port, lambda n: request_for(0),
                            concurrency=1, seconds=0.5, warmup=0.0)
        assert stats.requests and set(stats.statuses) == {201}, again.output()
