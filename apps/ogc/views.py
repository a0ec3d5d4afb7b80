"""Landing page and conformance of an OGC API, shared by every API the platform serves."""

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from apps.ogc.conformance import conformance_classes
from apps.ogc.links import HTML, JSON, link, self_links
from apps.ogc.responses import negotiated_format, ogc_response

OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"


class LandingApi(APIView):
    """The landing page of one OGC API (`api` names its conformance registry)."""

    permission_classes = [AllowAny]
    api = "processes"
    title = "TEP Marketplace - OGC API - Processes"
    description = "Run Earth-observation applications on TEP holdings and your own data."
    extra_links: ClassVar[list[tuple[str, str, str]]] = []

    @extend_schema(responses={200: OpenApiResponse(description="Landing page")})
    def get(self, request: HttpRequest) -> HttpResponse:
        base = request.path
        links = [
            *self_links(request, base, title="This document", current=negotiated_format(request)),
            link(
                request,
                f"{base}api",
                rel="service-desc",
                type=OPENAPI_JSON,
                title="The API definition (OpenAPI 3.0)",
            ),
            link(request, "/api/docs", rel="service-doc", type=HTML, title="The API documentation"),
            link(
                request,
                f"{base}conformance",
                rel="http://www.opengis.net/def/rel/ogc/1.0/conformance",
                type=JSON,
                title="Conformance classes implemented by this server",
            ),
        ]
        links += [
            link(request, f"{base}{path}", rel=rel, type=JSON, title=title)
            for path, rel, title in self.extra_links
        ]
        document: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "links": links,
        }
        return ogc_response(request, document, template="ogc/landing.html")


class ConformanceApi(APIView):
    permission_classes = [AllowAny]
    api = "processes"

    @extend_schema(responses={200: OpenApiResponse(description="Conformance declaration")})
    def get(self, request: HttpRequest) -> HttpResponse:
        document = {"conformsTo": conformance_classes(self.api)}
        return ogc_response(request, document, template="ogc/conformance.html")
