"""How the server fails when something outside it does.

`server_error` is Django's handler500: it runs inside the `except` that caught an
unhandled exception, wherever it was raised (a view, a middleware, the session save).
A lost database connection is not our bug but a moment's outage: 503 with Retry-After
(JSON under /api/), and Django has marked the connection unusable, so the next request
opens a new one. Anything else under /api/ is a JSON 500, never Django's HTML page.

`limit_chunked_bodies` wraps the WSGI application: a body sent without Content-Length
(Transfer-Encoding: chunked) is read here, up to DATA_UPLOAD_MAX_MEMORY_SIZE, and given a
Content-Length, since Django reads nothing of a body whose length it is not told. Of a
larger one only limit + 1 bytes are kept, and that length declared: every parser then
refuses it as too large (the API with a 413), as it would with Content-Length.
"""

from __future__ import annotations

import io
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        detail = "The database is unreachable for a moment: try again in a few seconds."
        if _is_api(request):
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = HttpResponse(f"<!doctype html><title>Try again</title><p>{detail}</p>",
                                    status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return django_server_error(request, *args, **kwargs)


def limit_chunked_bodies(application):
    def app(environ, start_response):
        if ("chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
                and not environ.get("CONTENT_LENGTH")):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 256 * 1024
            body = environ["wsgi.input"].read(limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return app
