"""The one place where service errors become HTTP responses.

    ServiceError     400 {"detail": ...}  (+ {field: [message]} when it names a field)
    InvalidProgram   400 {"detail": "line 3: ...", "line": 3, "problem": ..., "program": [...]}
    InvalidAnswers   400 {"detail": ..., "errors": {node: message}, "submission": id}
    NotAllowed       403 {"detail": ...}
    Conflict         409 {"detail": ...}
    a body too large 413 {"detail": ...}

Everything else is DRF's own handling (field errors, 401, 404, 429 ...).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..services import InvalidAnswers, InvalidProgram, ServiceError
from .parsers import RequestTooLarge


def service_error_body(exc: ServiceError) -> dict:
    body = {"detail": exc.message}
    if isinstance(exc, InvalidAnswers):
        body["errors"] = exc.errors
        body["submission"] = exc.submission.pk
        return body
    if isinstance(exc, InvalidProgram):
        body.update(line=exc.details.get("line"), problem=exc.details.get("problem"),
                    program=[exc.message])
        return body
    for key, value in exc.details.items():
        if key == "field":
            body[value] = [exc.message]
        elif key == "asked_nodes":  # the API calls that input "ask"
            body["ask"] = [exc.message]
        else:
            body[key] = value
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, ServiceError):
        # An invalid answer was stored on purpose (it costs nothing but is kept): only
        # other service errors undo the request's writes.
        if not isinstance(exc, InvalidAnswers):
            set_rollback()
        return Response(service_error_body(exc), status=exc.status)
    return drf_exception_handler(exc, context)


class BadRequest(APIException):
    status_code = 400
    default_detail = "The request could not be understood."
    default_code = "bad_request"
