"""gunicorn settings for `make serve` and the HTTP benchmark: `gunicorn -c <this file>`.

Everything can be overridden from the environment:
    BIND              address to listen on (default 127.0.0.1:8000)
    WEB_CONCURRENCY   worker processes (default cores + 1)
    GUNICORN_THREADS  threads per worker (default 16, gthread; 1: plain sync workers)
    GUNICORN_ACCESS_LOG  "-" for stdout, a path, or empty for none (the default: the app
                      writes one JSON line per request itself, with its request id)
    GUNICORN_CONTROL_SOCKET  a path for gunicornc's control socket (default: none, so two
                      instances on one host never fight over $HOME/.gunicorn/gunicorn.ctl)
    PROMETHEUS_MULTIPROC_DIR  where workers keep their metrics for /metrics (default: a
                      fresh directory per instance, removed when gunicorn exits)

Slow clients: a connection that sends its request slowly holds a worker (sync) or one
thread (gthread) until the request is complete, and gunicorn has no header timeout. With
5 sync workers, 20 clients sending a byte a second stalled every submission for the
whole 8 s they were sending (bench/faults.py, bench/RESULTS.md); so did 20, 24 and 32
threads in all (5×4, 3×8, 2×16: the slow connections crowd into one worker), while
3 workers × 16 threads, the default, kept serving. Grading is CPU-bound Python, so the
workers (one per core and one more) give it the cores and the threads only wait; a
thread opens a database connection only when it serves a request. Behind a buffering
proxy or load balancer (nginx, HAProxy), GUNICORN_THREADS=1 and WEB_CONCURRENCY=5 (sync)
served submissions a little faster in bench/http.py. Workers are recycled after a few
thousand requests (with jitter, so they don't all restart at once) to bound slow leaks.
"""

import multiprocessing
import os
import shutil
import tempfile

# Before the app (and prometheus_client) is imported: every worker writes its metrics
# here and /metrics adds them up. A fresh directory per instance: a previous run's files
# would be counted again.
_own_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _own_metrics_dir = tempfile.mkdtemp(prefix="backprop-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _own_metrics_dir

wsgi_app = "backprop_course.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 16)
worker_class = "gthread" if threads > 1 else "sync"
max_requests = 5000
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
keepalive = 5
backlog = 2048
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (worker boots, timeouts) as JSON on stdout too, like the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                            "rename_fields": {"asctime": "time", "levelname": "level",
                                              "name": "logger"}}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                            "stream": "ext://sys.stdout"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"],
                           "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False,
                            "qualname": "gunicorn.access"},
    },
}
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# The app module is imported once in the master, then forked: faster worker starts and
# shared memory for the engine's tables. (Database connections are opened per worker.)
preload_app = True


def child_exit(server, worker):
    # A dead worker's live gauges leave the sum; its counters stay counted.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
