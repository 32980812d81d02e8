"""What OPTIONS answers on any API path: the allowed methods (in `Allow`, set by DRF)
and what the view renders and parses.

DRF's default (SimpleMetadata) also describes the POST/PUT body by building the view's
serializer, which fails (a 500) on views that name none or that choose it per request;
the OpenAPI schema (/api/schema/) already describes every body.
"""

from __future__ import annotations

from rest_framework.metadata import BaseMetadata


class AllowedMethodsMetadata(BaseMetadata):
    def determine_metadata(self, request, view):
        return {"name": view.get_view_name(), "description": view.get_view_description(),
                "allowed_methods": view.allowed_methods,
                "renders": [renderer.media_type for renderer in view.renderer_classes],
                "parses": [parser.media_type for parser in view.parser_classes]}
