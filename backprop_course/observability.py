"""What an operator sees: one JSON log line per request, tagged with its request id.

A request id comes in as `X-Request-ID` (from a load balancer, say) or is made here, goes
back in the response, and is put on every log record written while the request (or a
Celery task it started) runs: `RequestIdFilter` reads it from a context variable, which
the middleware sets per request and backprop_course/celery.py sets per task.

Never reads the database: the user id is taken from what the request already loaded.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty

from exercises import metrics

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                            default=None)
log = logging.getLogger("backprop_course.request")

# Taken as sent only when it is short and plain (it is echoed in a header and logged).
_GOOD_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (None outside a request or task) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 5xx response after the middleware is done: it passes the request.
            record.request_id = request_id_var.get() or getattr(
                getattr(record, "request", None), "request_id", None)
        return True


def incoming_request_id(header: str | None) -> str:
    if header and _GOOD_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def user_id_of(request) -> int | str | None:
    """The signed-in user's id, or None, without a query of its own: `request.user` as
    DRF or a page already resolved it, else the session if it was already read."""
    user = request.__dict__.get("user")
    if user is not None:
        wrapped = getattr(user, "_wrapped", user)
        if wrapped is not empty:
            return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None
    session = request.__dict__.get("session")
    cached = getattr(session, "_session_cache", None) if session is not None else None
    if cached:
        return cached.get("_auth_user_id")
    return None


class RequestLogMiddleware:
    """Outermost: sees every request, even one whose view or middleware raised (Django
    has turned that into a 500 response by then; its traceback is logged by Django)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            route = match.route if match is not None else None
            response["X-Request-ID"] = request_id
            log.info("request", extra={
                "method": request.method, "path": request.path, "route": route,
                "status": response.status_code, "duration_ms": round(duration * 1000, 2),
                "user_id": user_id_of(request)})
            if response.status_code == 429:
                metrics.THROTTLED.labels(route=route or "").inc()
            return response
        finally:
            request_id_var.reset(token)


def init_sentry(dsn: str, environment: str | None, traces_sample_rate: float) -> None:
    """Errors (and, if asked, a sample of traces) to Sentry; called only with a DSN."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False,
                    traces_sample_rate=traces_sample_rate,
                    integrations=[DjangoIntegration(), CeleryIntegration()])
