"""HTTP under load: submissions against a floor endpoint on the same gunicorn server.

    python -m bench.http [--quick] [--seconds S] [--concurrency N ...] [--workers N]
                         [--threads T] [--sqlite] [--no-redis] [--no-rush]

Makes a throwaway PostgreSQL database (bp_bench_<random> on 127.0.0.1:5432, user postgres;
--sqlite: a temporary SQLite file), migrates it, seeds learners with tokens and attempts at
a quiz item (the notes' sigmoid neuron, 13 nodes to answer, unlimited tries, feedback
shown), then starts gunicorn from backprop_course/gunicorn.conf.py (DEBUG=0, Redis cache
when 127.0.0.1:6379 answers, throttles raised out of the way) on a free port. Then:

Closed loop, for 50 and 200 concurrent learners, --seconds each, in --rounds rounds that
alternate floor and submit (each run after a 2 s warmup):
  * submit: POST /api/v1/attempts/<own attempt>/submissions/, cycling through four answer
    sets (all right, a missed local derivative, arithmetic text, a sign slip), all
    readable, so every answer should be a 201 with feedback;
  * floor:  POST /api/v1/floor/ — authenticate and insert one row, nothing else.
  Reported: requests/s, p50/p95/p99 latency, errors, the submit/floor ratio, and CPU
  milliseconds per request of gunicorn (master + workers), of every PostgreSQL process on
  the machine, and of the load generator — where the time goes.

Paced, for the same numbers of learners: each waits 0.5–1.5 s after an answer before the
next (THINK), so latency is measured at a load the learners make rather than at saturation.

Open loop, the quiz's last minute: 600 learners (200 with --quick) each press submit once,
at a random moment within 20 s and then within 10 s; latency is counted from the moment
of pressing, so queueing shows.

Afterwards the database must hold exactly one row per 201. The report is printed and
written to bench/out/http.md; gunicorn is stopped and the database dropped whatever
happens. Everything runs on this one machine, so the load generator (and anything else
running) takes CPU from the server: the load average is reported with the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import loadgen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = ("127.0.0.1", 6379)
CONCURRENCY = (50, 200)
GOAL_RATIO, GOAL_P99_MS = 0.60, 100.0
THINK = (0.5, 1.5)  # paced learners: seconds between an answer and the next submission
NEURON_ANSWERS = {  # the sigmoid neuron's gradients, as a learner types them
    "w0": "-0.1966", "x0": "0.3932", "w1": "-0.3932", "x1": "-0.5898", "w2": "0.1966",
    "mul_1": "0.1966", "mul_2": "0.1966", "add_1": "0.1966", "dot": "0.1966",
    "neg_1": "-0.1966", "exp_1": "-0.5344", "add_2": "-0.5344", "f": "1"}


def answer_bodies() -> list[bytes]:
    """What learners send: right, a missed factor, arithmetic text, one slip."""
    right = dict(NEURON_ANSWERS)
    missed = {**right, "w0": "-1", "x0": "2"}  # local derivative forgotten upstream
    arithmetic = {**right, "w0": "-0.3932/2", "f": "1/1", "add_2": "-0.5344*1"}
    slip = {**right, "exp_1": "0.5344"}
    return [json.dumps({"grads": body}).encode() for body in (right, missed, arithmetic, slip)]


# -- databases and processes ------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def throwaway_database(kind: str = "postgres", prefix: str = "bp_bench",
                       admin_url: str = PG_ADMIN):
    """Yield the DATABASE_URL of a new, empty database; drop it afterwards. For
    PostgreSQL, `admin_url` names the server (and a database to connect to meanwhile)."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{prefix}_")
        try:
            yield f"sqlite:///{folder}/db.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    server = urlsplit(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="backprop_course.settings",
               PYTHONPATH=str(ROOT), **extra)
    return env


def manage(database_url: str, *args: str, **extra: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, env=django_env(database_url, **extra), check=False)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def helper(database_url: str, *args: str) -> dict:
    """Run this module's --seed / --count in a subprocess configured for that database
    (the calling process may already have Django set up for another one)."""
    done = subprocess.run([PYTHON, "-m", "bench.http", *args], cwd=ROOT, capture_output=True,
                          text=True, env=django_env(database_url), check=False)
    if done.returncode:
        raise RuntimeError(f"bench.http {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def process_cpu(wanted) -> float:
    """Seconds of CPU used by the processes for which wanted(name, process group) holds,
    their reaped children included (from /proc; 0 where there is none)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            head, tail = stat.read_text().rsplit(")", 1)
            fields = tail.split()
            if wanted(head.split("(", 1)[1], int(fields[2])):
                total += sum(int(value) for value in fields[11:15])
    return total / ticks


def postgres_cpu() -> float:
    """All PostgreSQL processes on this machine (other databases' work included)."""
    return process_cpu(lambda name, group: name == "postgres")


class Server:
    """gunicorn from backprop_course/gunicorn.conf.py in its own process group."""

    def __init__(self, database_url: str, *, workers: int | None = None, threads: int = 1,
                 redis_url: str = "", floor: bool = True, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra = {"DEBUG": "0", "SECRET_KEY": "bench-" + secrets.token_hex(32),
                 "SECURE_COOKIES": "0", "BIND": f"127.0.0.1:{self.port}",
                 "GUNICORN_THREADS": str(threads), "BENCH_FLOOR": "1" if floor else "0",
                 "SUBMISSION_THROTTLE_RATE": "1000000/s", "AUTH_THROTTLE_RATE": "1000000/s",
                 "GUNICORN_LOG_LEVEL": "warning"}
        if workers:
            extra["WEB_CONCURRENCY"] = str(workers)
        if redis_url:
            extra["REDIS_URL"] = redis_url
        self.env = django_env(database_url, **{**extra, **(env or {})})
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()
        self.final_output = ""

    def start(self, wait: float = 30.0) -> Server:
        self.process = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "-c", "backprop_course/gunicorn.conf.py"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: kill the master and workers
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.output()}")
            if reachable("127.0.0.1", self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {wait} s:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's master and workers (and reaped workers)."""
        if self.process is None:
            return 0.0
        return process_cpu(lambda name, group: group == self.process.pid)

    def kill(self) -> None:
        """kill -9 the master and every worker at once: no graceful anything."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        """gunicorn's log (the last 4000 characters), also after the server stopped."""
        if not self.log.closed:
            self.log.seek(0)
            self.final_output = self.log.read().decode(errors="replace")[-4000:]
        return self.final_output

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.output()
        self.log.close()


# -- seeding (runs in a subprocess, Django configured for the throwaway database) -------------
def seed(learners: int, attempts_allowed: int | None = None) -> dict:
    import django

    django.setup()
    from django.conf import settings

    # Throwaway accounts: the production hasher would take ~1 s per learner here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from rest_framework.authtoken.models import Token

    from exercises import services
    from exercises.demo import read
    from exercises.models import Course, Quiz, QuizItem, Reveal

    tag = secrets.token_hex(3)  # several seedings can share one database
    course = Course.objects.create(title=f"Bench course {tag}")
    exercise = services.create_exercise(title="Sigmoid neuron", course=course,
                                        program=read("sigmoid_neuron.txt"))
    quiz = Quiz.objects.create(course=course, title="Timed quiz",
                               attempts_allowed=attempts_allowed,
                               show_correctness=Reveal.IMMEDIATELY,
                               show_solution=Reveal.AFTER_DUE, hint_level=2)
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise, position=1)
    people = []
    for number in range(learners):
        user = services.create_learner(username=f"learner{tag}_{number:04d}",
                                       password=secrets.token_hex(8), course=course)
        attempt, _ = services.start_attempt(user, item=item)
        people.append({"token": Token.objects.create(user=user).key, "attempt": attempt.pk})
    return {"learners": people, "item": item.pk, "exercise": exercise.pk}


def count_rows() -> dict:
    """Row counts, every submission id, and per attempt its rows, counted rows and
    graded_count (a half-applied transaction would show as a disagreement)."""
    import django

    django.setup()
    from django.db.models import Count, Q

    from exercises.models import Attempt, FloorPing, Regrade, Submission, Variant

    attempts = Attempt.objects.annotate(
        rows=Count("submissions"), counted=Count("submissions", filter=Q(
            submissions__counted=True))).values_list("id", "rows", "counted", "graded_count")
    return {"submissions": Submission.objects.count(), "floor": FloorPing.objects.count(),
            "graded": sum(row[3] for row in attempts),
            "submission_ids": list(Submission.objects.values_list("id", flat=True)),
            "attempts": {str(pk): {"rows": rows, "counted": counted, "graded_count": graded}
                         for pk, rows, counted, graded in attempts},
            "torn_attempts": [pk for pk, _, counted, graded in attempts if counted != graded],
            "variants": Variant.objects.count(), "regrades": Regrade.objects.count()}


# -- the benchmark ----------------------------------------------------------------------------
def drive(server: Server, people: list[dict], endpoint: str, concurrency: int,
          seconds: float, think: tuple[float, float] | None = None
          ) -> tuple[loadgen.Stats, int]:
    bodies = answer_bodies()
    sent = [0] * concurrency
    created = [0]

    def request_for(number: int):
        learner = people[number % len(people)]
        sent[number] += 1
        headers = {"Authorization": f"Token {learner['token']}",
                   "Content-Type": "application/json", "Accept": "application/json"}
        body = bodies[(number + sent[number]) % len(bodies)]
        path = (f"/api/v1/attempts/{learner['attempt']}/submissions/"
                if endpoint == "submit" else "/api/v1/floor/")
        return "POST", path, headers, body

    def on_response(number: int, status: int, payload: bytes) -> None:
        if status == 201:
            created[0] += 1

    cpu = server.cpu_seconds(), postgres_cpu(), time.process_time()
    stats = loadgen.run("127.0.0.1", server.port, request_for, concurrency=concurrency,
                        seconds=seconds, warmup=2.0, on_response=on_response, think=think)
    per_request = 1000 / max(1, sum(sent))  # warmup included: CPU is taken over the run
    stats.server_ms = (server.cpu_seconds() - cpu[0]) * per_request
    stats.db_ms = (postgres_cpu() - cpu[1]) * per_request
    stats.client_ms = (time.process_time() - cpu[2]) * per_request
    return stats, created[0]


def machine() -> str:
    memory = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}){memory}; {' '.join(platform.uname())}"


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def table(rows: list[dict]) -> str:
    lines = ["| learners | endpoint | requests/s | p50 ms | p95 ms | p99 ms | errors | "
             "CPU ms/req: gunicorn | PostgreSQL | client | submit/floor |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        stats = row["stats"]
        errors = stats.errors + sum(stats.failures.values())
        lines.append(
            f"| {stats.concurrency} | {row['endpoint']} | {stats.rate:.0f} | "
            f"{stats.percentile(50):.1f} | {stats.percentile(95):.1f} | "
            f"{stats.percentile(99):.1f} | {errors} | {stats.server_ms:.1f} | "
            f"{stats.db_ms:.1f} | {stats.client_ms:.1f} | {row.get('ratio', '')} |")
    return "\n".join(lines)


def verdicts(rows: list[dict], paced: list[dict]) -> list[str]:
    found = []
    by = {(row["stats"].concurrency, row["endpoint"]): row["stats"] for row in rows}
    by_row = {row["stats"].concurrency: row for row in rows if row["endpoint"] == "submit"}
    for learners in sorted({c for c, _ in by}):
        submit, floor = by.get((learners, "submit")), by.get((learners, "floor"))
        if submit and floor and floor.rate:
            ratio = submit.rate / floor.rate
            mark = "met" if ratio >= GOAL_RATIO else "MISSED"
            rounds = by_row.get(learners, {}).get("rounds", [])
            spread = (f"; by round {', '.join(f'{r:.0%}' for r in rounds)}"
                      if len(rounds) > 1 else "")
            found.append(f"{learners} learners, closed loop: submit at {ratio:.0%} of the "
                         f"floor's throughput (goal ≥ {GOAL_RATIO:.0%}: {mark}{spread})")
    paced_by = {(row["stats"].concurrency, row["endpoint"]): row["stats"] for row in paced}
    submit50 = paced_by.get((50, "submit"))
    if submit50:
        p99 = submit50.percentile(99)
        mark = "met" if p99 < GOAL_P99_MS else "MISSED"
        found.append(f"p99 of submit at 50 paced learners: {p99:.0f} ms (goal < "
                     f"{GOAL_P99_MS:.0f} ms: {mark})")
    closed50 = by.get((50, "submit"))
    if closed50:
        found.append(f"p99 of submit at 50 closed-loop learners (50 requests always in "
                     f"flight, so latency ≈ 50 ÷ throughput): {closed50.percentile(99):.0f} ms")
    errors = sum(row["stats"].errors + sum(row["stats"].failures.values())
                 for row in rows + paced)
    found.append(f"errors: {errors} (goal 0: {'met' if errors == 0 else 'MISSED'})")
    return found


def command() -> str:
    module = "bench.http" if __name__ == "__main__" else "bench"
    return " ".join([".venv/bin/python -m", module, *sys.argv[1:]])


def rush(server: Server, people: list[dict], seconds: float) -> loadgen.Stats:
    """Every learner presses submit once, at a random moment within `seconds`."""
    rng = random.Random(7)
    starts = sorted(rng.uniform(0, seconds) for _ in people)
    bodies = answer_bodies()

    def request_for(number: int):
        learner = people[number]
        return ("POST", f"/api/v1/attempts/{learner['attempt']}/submissions/",
                {"Authorization": f"Token {learner['token']}",
                 "Content-Type": "application/json"}, bodies[number % len(bodies)])

    return loadgen.arrivals("127.0.0.1", server.port, request_for, starts)


def rush_table(runs: list[tuple[float, loadgen.Stats]]) -> str:
    lines = ["| learners | within | submissions/s | p50 ms | p95 ms | p99 ms | max ms | "
             "errors |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for window, stats in runs:
        errors = stats.errors + sum(stats.failures.values())
        lines.append(f"| {stats.concurrency} | {window:.0f} s | "
                     f"{stats.concurrency / window:.0f} | {stats.percentile(50):.1f} | "
                     f"{stats.percentile(95):.1f} | {stats.percentile(99):.1f} | "
                     f"{stats.percentile(100):.1f} | {errors} |")
    return "\n".join(lines)


def run_bench(args: argparse.Namespace) -> int:
    kind = "sqlite" if args.sqlite else "postgres"
    redis_url = ("redis://127.0.0.1:6379/0" if not args.no_redis and reachable(*REDIS)
                 else "")
    class_size, windows = (200, (10.0,)) if args.quick else (600, (20.0, 10.0))
    if args.no_rush:
        class_size, windows = 0, ()
    rows, paced, rushes, notes = [], [], [], []
    started, load_before = time.perf_counter(), load_average()
    with throwaway_database(kind) as url:
        manage(url, "migrate", "--noinput", "-v", "0")
        people = helper(url, "--seed", str(max(*args.concurrency, class_size)))["learners"]
        with Server(url, workers=args.workers or (os.cpu_count() or 1) * 2 + 1,
                    threads=args.threads,
                    redis_url=redis_url) as server:
            created = {"submit": 0, "floor": 0}
            for concurrency in args.concurrency:
                # Floor and submit take turns, in short rounds: whatever drifts during a
                # run (the database's caches and checkpoints, other work on the machine,
                # workers recycled) then falls on both alike instead of on one of them.
                runs = {"floor": [], "submit": []}
                for _ in range(args.rounds):
                    for endpoint in ("floor", "submit"):
                        stats, ok = drive(server, people, endpoint, concurrency,
                                          args.seconds / args.rounds)
                        created[endpoint] += ok
                        runs[endpoint].append(stats)
                        print(f"  {concurrency:>3} learners {endpoint:<6} {stats.rate:7.0f} "
                              f"req/s p99 {stats.percentile(99):7.1f} ms  CPU ms/req "
                              f"{stats.server_ms:.1f} + db {stats.db_ms:.1f}  statuses "
                              f"{dict(stats.statuses)} {dict(stats.failures) or ''}",
                              flush=True)
                pair = {endpoint: {"endpoint": endpoint, "stats": loadgen.Stats.combine(done)}
                        for endpoint, done in runs.items()}
                if pair["floor"]["stats"].rate:
                    ratio = pair["submit"]["stats"].rate / pair["floor"]["stats"].rate
                    rounds = [s.rate / f.rate for s, f in zip(runs["submit"], runs["floor"],
                                                               strict=True) if f.rate]
                    pair["submit"]["ratio"] = f"{ratio:.0%}"
                    pair["submit"]["rounds"] = rounds
                rows += [pair["submit"], pair["floor"]]
            for concurrency in args.concurrency:
                for endpoint in ("floor", "submit"):
                    stats, ok = drive(server, people, endpoint, concurrency, args.seconds,
                                      think=THINK)
                    created[endpoint] += ok
                    paced.append({"endpoint": endpoint, "stats": stats})
                    print(f"  {concurrency:>3} paced learners {endpoint:<6} {stats.rate:7.0f} "
                          f"req/s p99 {stats.percentile(99):7.1f} ms  statuses "
                          f"{dict(stats.statuses)} {dict(stats.failures) or ''}", flush=True)
            for window in windows:
                stats = rush(server, people[:class_size], window)
                created["submit"] += stats.statuses[201]
                rushes.append((window, stats))
                print(f"  rush: {class_size} learners within {window:.0f} s: p99 "
                      f"{stats.percentile(99):.1f} ms statuses {dict(stats.statuses)}",
                      flush=True)
        counts = helper(url, "--count")
    lost = {"submit": created["submit"] - counts["submissions"],
            "floor": created["floor"] - counts["floor"]}
    notes.append(f"rows vs 201 answers: {counts['submissions']} submissions for "
                 f"{created['submit']} created, {counts['floor']} floor rows for "
                 f"{created['floor']} created, graded_count total {counts['graded']}"
                 + ("" if not any(lost.values()) else f" — MISMATCH {lost}"))
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    flavour = f"gthread×{args.threads}" if args.threads > 1 else "sync"
    config = (f"gunicorn {workers} {flavour} workers, {kind}, cache "
              f"{'Redis' if redis_url else 'local memory'}, DEBUG=0; load generator: "
              f"bench/loadgen.py (asyncio, same machine)")
    rush_errors = sum(s.errors + sum(s.failures.values()) for _, s in rushes)
    report = "\n".join([
        "## HTTP under load: submissions vs the floor endpoint", "",
        f"Machine: {machine()}", f"Server: {config}", f"Command: `{command()}`", "",
        f"Closed loop: N learners each submit again as soon as answered (no think time), "
        f"{args.seconds:.0f} s per endpoint, in {args.rounds} rounds that alternate floor "
        "and submit (each run after a 2 s warmup): the server's capacity, and the "
        "throughput ratio over all rounds.", "", table(rows), "",
        f"Paced learners: each waits {THINK[0]}–{THINK[1]} s (uniform) after an answer "
        "before sending the next — far quicker than a learner who reads the feedback and "
        "works out 13 gradients, so this over-states the load of N real learners.", "",
        table(paced), "",
        *([f"Open loop, the quiz's last minute: {class_size} learners each press submit "
           "once at a random moment within the window.", "", rush_table(rushes), ""]
          if rushes else []),
        *[f"- {line}" for line in verdicts(rows, paced) + notes],
        *([f"- quiz rush errors: {rush_errors}"] if rushes else []),
        f"- load average (1/5/15 min) before {load_before}, after {load_average()}: other "
        "work on the machine competes with the server and the load generator",
        f"- total time {time.perf_counter() - started:.0f} s", ""])
    print(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "http.md").write_text(report)
    return 1 if any(lost.values()) else 0


def parse_args(argv: list[str] | None, quick: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=quick,
                        help="5 s per run instead of 15")
    parser.add_argument("--seconds", type=float, help="measured seconds per run")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2×cores+1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (>1: gthread)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=list(CONCURRENCY))
    parser.add_argument("--rounds", type=int, default=3,
                        help="closed loop: floor and submit alternate in this many rounds, "
                             "--seconds split between them (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite file, not PostgreSQL")
    parser.add_argument("--no-redis", action="store_true", help="local-memory cache")
    parser.add_argument("--no-rush", action="store_true", help="skip the open-loop runs")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--attempts-allowed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds is None:
        args.seconds = 5.0 if args.quick else 15.0
    return args


def main(quick: bool = False, argv: list[str] | None = None) -> int:
    args = parse_args([] if argv is None and __name__ != "__main__" else argv, quick)
    if args.seed is not None:
        print(json.dumps(seed(args.seed, args.attempts_allowed)))
        return 0
    if args.count:
        print(json.dumps(count_rows()))
        return 0
    return run_bench(args)


if __name__ == "__main__":
    sys.exit(main(argv=sys.argv[1:]))
