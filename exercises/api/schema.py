"""How the OpenAPI schema (drf-spectacular) describes the API's errors.

Every error is `{"detail": ...}` or field errors (README, "LMS integration"). Rather than
repeat them on every view, `ApiSchema` adds to each operation the error statuses it can
answer with, from what the view is:

    400  it reads a request body or validates query parameters (a bad `page` is 404)
    401  it authenticates callers (no credentials, or unknown ones)
    403  its permissions can refuse an authenticated caller, or it is an unsafe method
         (session callers need a CSRF token)
    404  its path names an object, or it is a paginated list (a page past the end)
    413  it reads a request body (LimitedJSONParser's limit)
    415  it reads a request body that is not JSON
    429  it is throttled (a `throttle_scope`)

An optional integer query parameter (an id filter, `page`, `page_size`) may be empty:
the API reads `?course=` as no `course`.

Views still document their own responses (and 409s) with @extend_schema; those win,
except that a view's own 400 body is offered next to the generic ones, since field
errors and plain `{"detail": ...}` errors can come from any input.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent
from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

from . import serializers as s
from .permissions import IsPersonOrIntegration

ERRORS = {
    "400": "Invalid input: `{\"detail\": ...}`, or field errors (field name → messages).",
    "401": "No credentials, or unknown ones.",
    "403": "Not allowed.",
    "404": "Not there, or not yours.",
    "413": "The request body is too large.",
    "415": "The request body is not JSON.",
    "429": "Too many requests: throttled.",
}

FIELD_ERRORS = ResolvedComponent(
    name="FieldErrors", type=ResolvedComponent.SCHEMA,
    object=ComponentIdentity("exercises.api.schema.FieldErrors"),
    schema={
        "type": "object",
        "description": "Field name (or `non_field_errors`) → its messages; a nested input "
                       "(an object, a list, answers by node) → its errors by key.",
        "additionalProperties": {"anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {}},
        ]},
    })

# Permissions that never refuse a caller who got past authentication.
NEVER_REFUSE = (IsPersonOrIntegration,)


class ApiSchema(AutoSchema):
    def get_tags(self):
        return [self.path.split("/")[3]]  # /api/v1/<resource>/...: group by resource

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            # `int_param` and DRF's pagination both read `?course=` as no `course` at all.
            if (parameter["in"] == "query" and not parameter.get("required")
                    and parameter["schema"].get("type") == "integer"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_request_body(self, direction="request"):
        """drf-spectacular documents a body for POST, PUT and PATCH only; a DELETE that
        declares one (@extend_schema(request=...): a removal's optional reason) has it
        documented too."""
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        self.method = "POST"  # the base class's rule, for this one call
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(self._error_schema(code), description=ERRORS[code]),
                    code, direction=direction)
        if "400" in responses:
            self._offer_generic_bad_request(responses["400"])
        return dict(sorted(responses.items()))

    # -- which errors ---------------------------------------------------------------
    def _error_codes(self) -> list[str]:
        codes = []
        body = self._reads_body()
        if body or self.get_override_parameters():
            codes.append("400")
        if self.view.authentication_classes:
            codes.append("401")
            if self.method not in SAFE_METHODS or self._may_refuse():
                codes.append("403")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if body:
            codes += ["413", "415"]
        scope = getattr(self.view, "throttle_scope", None)
        if scope and scope in api_settings.DEFAULT_THROTTLE_RATES:
            codes.append("429")
        return codes

    def _reads_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE") and (
            self.get_request_serializer() is not None)

    def _may_refuse(self) -> bool:
        return not all(isinstance(permission, NEVER_REFUSE)
                       for permission in self.view.get_permissions())

    # -- their bodies ---------------------------------------------------------------
    def _detail_ref(self) -> dict:
        return self.resolve_serializer(s.ServiceErrorSerializer, "response").ref

    def _field_errors_ref(self) -> dict:
        self.registry.register_on_missing(FIELD_ERRORS)
        return FIELD_ERRORS.ref

    def _error_schema(self, code: str) -> dict:
        if code == "400":
            return {"anyOf": [self._detail_ref(), self._field_errors_ref()]}
        return self._detail_ref()

    def _offer_generic_bad_request(self, response: dict) -> None:
        """A view's own 400 body, or `{"detail": ...}`, or field errors."""
        generic = [self._detail_ref(), self._field_errors_ref()]
        content = response.setdefault("content", {})
        if not content:
            for media_type in self.map_renderers("media_type"):
                content[media_type] = {"schema": {"anyOf": generic}}
            return
        for media in content.values():
            own = media.get("schema")
            if own is None:
                media["schema"] = {"anyOf": generic}
            elif "anyOf" not in own:
                media["schema"] = {"anyOf": [own] + [g for g in generic if g != own]}


class AnyOfSerializer(PolymorphicProxySerializer):
    """A body that is one of several serializers' shapes, where one shape may also fit
    another (an instructor's exercise has every field a learner's has, and more): `anyOf`,
    since drf-spectacular's `oneOf` would call such a body invalid."""


class AnyOfSerializerExtension(PolymorphicProxySerializerExtension):
    target_class = AnyOfSerializer

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        return {"anyOf": schema.pop("oneOf"), **schema}
