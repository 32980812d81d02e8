"""gunicorn settings for `make serve` and the HTTP benchmark: `gunicorn -c <this file>`.

Everything can be overridden from the environment:
    BIND              address to listen on (default 127.0.0.1:8000)
    WEB_CONCURRENCY   worker processes (default 2 × cores + 1)
    GUNICORN_THREADS  threads per worker (default 1: plain sync workers, see below)
    GUNICORN_ACCESS_LOG  "-" for stdout, a path, or empty for none (the default)

Grading is CPU-bound Python, so processes rather than threads give it the cores. In
bench/http.py, 3 gthread workers × 4 threads served submissions no faster than 5 sync
workers and with a worse p99 (threads of one worker share its GIL). Sync workers expect
a buffering proxy or load balancer in front (slow clients would hold a worker); when
gunicorn faces clients directly, GUNICORN_THREADS=4 is the safer choice. Workers are
recycled after a few thousand requests (with jitter, so they don't all restart at once)
to bound slow leaks.
"""

import multiprocessing
import os

wsgi_app = "backprop_course.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
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
# The app module is imported once in the master, then forked: faster worker starts and
# shared memory for the engine's tables. (Database connections are opened per worker.)
preload_app = True
