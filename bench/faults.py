"""Faults under load: what learners see while something breaks (a report, not a test).

    python -m bench.faults [--quick] [--case NAME ...] [--workers N] [--threads T]

A throwaway PostgreSQL database (bp_faults_<random>), learners seeded as in bench/http.py,
and, per case, a fresh gunicorn from backprop_course/gunicorn.conf.py (DEBUG=0) with its
cache, throttles and Celery broker on a PRIVATE redis-server started here on a free port
(never the shared one). Paced learners submit answers the whole time; after a quiet
`before` phase the fault is made during `during`, and `after` shows the recovery:

  kill-worker   kill -9 of one gunicorn worker (the master starts another)
  pg-terminate  every PostgreSQL backend of the database terminated, twice a second
  redis-stop    the private redis-server stopped (started again for `after`)
  slow-clients  20 clients each sending a request head one byte a second

Reported per case: requests, answers by status (0: no answer), acknowledged-but-lost (a
201 whose submission is not in the database afterwards: must be 0), p99 per phase.
Written to bench/out/faults.md; the database is dropped and every process stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from bench import loadgen
from bench.http import (
    OUT,
    PG_ADMIN,
    Server,
    answer_bodies,
    free_port,
    helper,
    load_average,
    machine,
    manage,
    reachable,
    throwaway_database,
)

CASES = ("kill-worker", "pg-terminate", "redis-stop", "slow-clients")
LEARNERS = 12
THINK = (0.1, 0.3)  # paced: the server is loaded but not saturated, so p99 means something
SLOW_CLIENTS = 20


class PrivateRedis:
    """A redis-server of our own on a free port, no persistence: stopped and started at
    will without touching the shared one on 6379."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bp_faults_redis_")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not reachable("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def workers_of(server: Server) -> list[int]:
    """The pids of the gunicorn master's children (its workers)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server.process.pid:
                children.append(int(entry))
    return children


def terminate_backends(database: str) -> int:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", [database]).fetchall()
    return len(rows)


def slow_clients(port: int, count: int, stop: threading.Event) -> None:
    """`count` connections, each sending a POST's head one byte a second."""
    head = (b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append([sock, 0])
    while not stop.wait(1.0):
        for pair in sockets:
            sock, sent = pair
            if sent < len(head):
                try:
                    sock.send(head[sent:sent + 1])
                    pair[1] += 1
                except OSError:
                    pass
    for sock, _ in sockets:
        sock.close()


def run_case(name: str, url: str, people: list[dict], phases: tuple[float, float, float],
             workers: int | None, threads: int | None) -> dict:
    redis = PrivateRedis().start()
    database = url.rsplit("/", 1)[1]
    env = {"CELERY_BROKER_URL": redis.url}
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    server = Server(url, workers=workers, threads=threads or 1, redis_url=redis.url,
                    floor=False, env=env)
    if threads is None:  # the config's own default, not bench/http.py's sync workers
        server.env.pop("GUNICORN_THREADS", None)
    bodies = answer_bodies()
    sent_at: dict[int, float] = {}
    records: list[tuple[float, float, int]] = []  # (started, seconds, status)
    acknowledged: list[int] = []
    before, during, after = phases
    notes: list[str] = []

    def request_for(number: int):
        learner = people[number % len(people)]
        sent_at[number] = time.monotonic()
        headers = {"Authorization": f"Token {learner['token']}",
                   "Content-Type": "application/json", "Accept": "application/json"}
        body = bodies[(number + len(records)) % len(bodies)]
        return "POST", f"/api/v1/attempts/{learner['attempt']}/submissions/", headers, body

    def on_response(number: int, status: int, payload: bytes) -> None:
        started = sent_at.pop(number)
        records.append((started, time.monotonic() - started, status))
        if status == 201:
            acknowledged.append(json.loads(payload)["id"])

    def fault(origin: float) -> None:
        time.sleep(max(0.0, origin + before - time.monotonic()))
        stop = threading.Event()
        if name == "kill-worker":
            victim = workers_of(server)[0]
            os.kill(victim, signal.SIGKILL)
            notes.append(f"killed worker {victim}")
        elif name == "pg-terminate":
            ended = 0
            while time.monotonic() < origin + before + during:
                ended += terminate_backends(database)
                time.sleep(0.5)
            notes.append(f"{ended} backends terminated")
        elif name == "redis-stop":
            redis.stop()
            time.sleep(max(0.0, origin + before + during - time.monotonic()))
            redis.start()
            notes.append("redis-server stopped for the whole phase, then started")
        elif name == "slow-clients":
            thread = threading.Thread(target=slow_clients,
                                      args=(server.port, SLOW_CLIENTS, stop), daemon=True)
            thread.start()
            time.sleep(max(0.0, origin + before + during - time.monotonic()))
            stop.set()
            thread.join()
            notes.append(f"{SLOW_CLIENTS} clients at one byte a second")

    try:
        server.start()
        origin = time.monotonic() + 1.0  # loadgen's warmup
        injector = threading.Thread(target=fault, args=(origin,), daemon=True)
        injector.start()
        loadgen.run("127.0.0.1", server.port, request_for, concurrency=LEARNERS,
                    seconds=sum(phases), warmup=1.0, on_response=on_response, think=THINK,
                    timeout=30.0)
        injector.join()
        log = server.output()
    finally:
        server.stop()
        server.output()
        server.log.close()
        redis.close()
    counts = helper(url, "--count")
    stored = set(counts["submission_ids"])
    lost = [pk for pk in acknowledged if pk not in stored]

    def p99(low: float, high: float) -> float:
        times = sorted(seconds for started, seconds, _ in records
                       if origin + low <= started < origin + high)
        if not times:
            return float("nan")
        return times[max(0, int(len(times) * 0.99 + 0.5) - 1)] * 1000

    measured = [r for r in records if r[0] >= origin]
    return {"case": name, "requests": len(measured),
            "statuses": dict(sorted(Counter(status for _, _, status in measured).items())),
            "lost": len(lost), "p99": (p99(0, before), p99(before, before + during),
                                       p99(before + during, sum(phases))),
            "notes": notes, "tracebacks": log.count("Traceback")}


def report(rows: list[dict], config: str, phases: tuple[float, float, float],
           started: float, load_before: str) -> str:
    lines = ["## Faults under load", "", f"Machine: {machine()}", f"Server: {config}",
             f"Command: `.venv/bin/python -m bench.faults {' '.join(sys.argv[1:])}`".rstrip()
             + " (or `make bench BENCH=faults`)", "",
             f"{LEARNERS} paced learners (each waits {THINK[0]}–{THINK[1]} s after an answer) "
             f"submit for {phases[0]:.0f} s before, {phases[1]:.0f} s during and "
             f"{phases[2]:.0f} s after the fault.", "",
             "| case | requests | answers by status | acknowledged but lost | p99 before | "
             "p99 during | p99 after | notes |", "|---|---:|---|---:|---:|---:|---:|---|"]
    for row in rows:
        before, during, after = row["p99"]
        lines.append(f"| {row['case']} | {row['requests']} | "
                     + ", ".join(f"{status}: {n}" for status, n in row["statuses"].items())
                     + f" | {row['lost']} | {before:.0f} ms | {during:.0f} ms | "
                     f"{after:.0f} ms | {'; '.join(row['notes'])} |")
    lines += ["", f"- load average (1/5/15 min) before {load_before}, after {load_average()}",
              f"- total time {time.perf_counter() - started:.0f} s", ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None, quick: bool) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: the config's)")
    return parser.parse_args(argv)


def main(quick: bool = False, argv: list[str] | None = None) -> int:
    args = parse_args(argv, quick)
    phases = (4.0, 8.0, 6.0) if args.quick else (8.0, 15.0, 10.0)
    started, load_before = time.perf_counter(), load_average()
    rows = []
    with throwaway_database("postgres", prefix="bp_faults") as url:
        manage(url, "migrate", "--noinput", "-v", "0")
        people = helper(url, "--seed", str(LEARNERS))["learners"]
        for name in args.case or CASES:
            row = run_case(name, url, people, phases, args.workers, args.threads)
            rows.append(row)
            print(f"  {name}: {row}", flush=True)
    threads = args.threads or "the config's"
    config = (f"gunicorn from backprop_course/gunicorn.conf.py, workers "
              f"{args.workers or 'the config default'}, threads {threads}; PostgreSQL; a "
              "private redis-server for cache, throttles and the Celery broker; DEBUG=0")
    text = report(rows, config, phases, started, load_before)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "faults.md").write_text(text)
    return 1 if any(row["lost"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(argv=sys.argv[1:]))
